package config

import (
	"encoding/binary"

	"github.com/heatd/heatd/check"
)

// judging gathers, key by key, the files of one check that a later load
// must judge again: those whose verdict can change while the key's text
// does not, a script's (is it still executable) and, as root, every file a
// root-safe key names (is it still safe from other users). Every other
// key's value is the text's alone.
type judging struct {
	l     *loader
	src   *source
	spec  specPaths // of the check as it is built or runs
	b     []byte
	fails bool // a key does not parse, or names a file that fails
	lost  bool // a key looked at a file whose path it does not give
}

// holds parses the key name of a check in src, written raw, and judges
// the file it names.
func (j *judging) holds(name string, raw any) {
	k, known := checkKeyIndex[name]
	if !known {
		j.fails = true
		return
	}
	looked := j.src.looked
	v, err := k.parse(raw, j.src)
	if err != nil {
		j.fails = true
		return
	}
	j.add(name, v, j.src.looked != looked)
	if p, isPath := v.(string); isPath && k.rootSafe && j.l.guard != nil && len(j.l.guard.keyFile(name, p)) > 0 {
		j.fails = true
	}
}

// add notes the key name, parsed to v; exec says its parser judged a file.
func (j *judging) add(name string, v any, exec bool) {
	p, isPath := v.(string)
	safe := isPath && checkKeyIndex[name].rootSafe && j.l.guard != nil
	switch {
	case exec && !isPath:
		j.lost = true
	case exec || safe:
		j.b = appendJudged(j.b, name, p, exec, safe, specPath(j.spec, name) == p)
	}
}

// specPaths are the paths a check's Spec holds in fields of their own
// for keys of its table: its pidfile, heat log and scripts. A file judged
// that its check's Spec holds is not written in judged (as root, ten
// thousand pidfiles and heat logs would be 1.5 MB): the next load judges
// it where the check as it runs has it. A copy of four strings, not the
// Spec, which a pointer would move to the heap at every check.
type specPaths struct{ pidfile, heatLog, fail, recovery string }

func pathsOf(spec *check.Spec) specPaths {
	return specPaths{spec.Target.Pidfile, spec.HeatLog, spec.Fail, spec.Recovery}
}

// specPath is the path the key name gives in spec; "" for a key whose
// path it does not hold.
func specPath(spec specPaths, name string) string {
	switch name {
	case "pidfile":
		return spec.pidfile
	case "heat_log":
		return spec.heatLog
	case "fail":
		return spec.fail
	case "recovery":
		return spec.recovery
	}
	return ""
}

// done is what was gathered, the same string for checks that judge the
// same files (ten thousand checks running one script share one); ok is
// false when a key failed.
func (j *judging) done() (judged string, ok bool) {
	if j.fails || j.lost {
		return "", false
	}
	return j.l.intern(j.b), true
}

// intern is b as a string, one for all equal ones of a load.
func (l *loader) intern(b []byte) string {
	if s, ok := l.interned[string(b)]; ok {
		return s
	}
	if l.interned == nil {
		l.interned = make(map[string]string)
	}
	s := string(b)
	l.interned[s] = s
	return s
}

// Each file judged is written as a flag byte (judgedExec: its key's parser
// wants it executable; judgedSafe: as root, it must be safe; judgedInSpec:
// the path is the check's Spec's, specPath, and not written), the key's
// name and the path, each string after its length.
const (
	judgedExec = 1 << iota
	judgedSafe
	judgedInSpec
)

func appendJudged(b []byte, key, path string, exec, safe, inSpec bool) []byte {
	var flags byte
	if exec {
		flags |= judgedExec
	}
	if safe {
		flags |= judgedSafe
	}
	if inSpec {
		flags |= judgedInSpec
		path = ""
	}
	return appendString(appendString(append(b, flags), key), path)
}

// stillHolds tells whether the files judged, as appendJudged wrote them,
// pass again for a check in src that runs as spec: each script is
// executable and, as root, each file is safe.
func (l *loader) stillHolds(judged string, src *source, spec specPaths) bool {
	for len(judged) > 0 {
		flags := judged[0]
		key, rest, ok := cutString(judged[1:])
		if !ok {
			return false
		}
		path, rest, ok := cutString(rest)
		if !ok {
			return false
		}
		judged = rest
		if flags&judgedInSpec != 0 {
			path = specPath(spec, key)
		}
		if flags&judgedExec != 0 && src.executablePath(path) != nil {
			return false
		}
		if flags&judgedSafe != 0 && (l.guard == nil || len(l.guard.keyFile(key, path)) > 0) {
			return false
		}
	}
	return true
}

// cutString reads a string appendString wrote at the start of b.
func cutString(b string) (s, rest string, ok bool) {
	n, w := binary.Uvarint([]byte(b[:min(len(b), binary.MaxVarintLen64)]))
	if w <= 0 || uint64(len(b)-w) < n {
		return "", "", false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}
