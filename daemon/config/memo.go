package config

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"github.com/heatd/heatd/check"
)

// A reload of ten thousand checks that changes one of them would read the
// other 9,999 tables again only to build the settings the engine runs
// already: the rules between keys, [defaults] merged in and some seventy
// rows of the key table each. A load therefore keeps, for each valid
// check, a sum of everything its settings were built from, and the next
// load takes a check whose sum is unchanged from the engine as it runs
// (LoadAfter's inForce) instead of building it again. What the world
// decides is looked at again all the same: each key is parsed again (a
// script that vanished is an error) and, as root, the files its keys name
// are judged again; any problem and the check is read in full, its errors
// those of any load.

// sum is a SHA-256 of what one check's settings were built from: a
// collision would take a chosen-prefix attack on SHA-256 by whoever writes
// the configuration, which is root's already.
type sum [sha256.Size]byte

// memo is what a load keeps of one valid check built without a key_unused
// warning, for the next load, which can take it as it runs: a SHA-256 of
// its table's text and file (textSum; zero when the file was not cut into
// tables), which says the table is written as before without decoding it,
// the check's sum, and judged, the files the next load must judge again
// (appendJudged). Its table's text and value are not kept: a table that
// must be read again is decoded then, alone.
type memo struct {
	name        string // a copy of its own: one sliced from the file would keep the whole text alive
	text, built sum
	judged      string
}

// memos are a load's memos in reading order: a slice, which holds ten
// thousand of them in some 100 bytes each, where a map would take half as
// much again.
type memos []memo

// memoIndex finds the memos of the configuration in force by name for one
// load. A file's checks mostly come in the order they had: the memo after
// the last one found is looked at first, and only when it is not the one
// are the memos sorted by name (an index of their places, made once) and
// searched.
type memoIndex struct {
	list   memos
	next   int
	byName []int32
}

// find is the memo of the check name; nil finds none.
func (x *memoIndex) find(name string) (memo, bool) {
	if x == nil {
		return memo{}, false
	}
	i := x.next
	if i >= len(x.list) || x.list[i].name != name {
		if x.byName == nil {
			x.byName = make([]int32, len(x.list))
			for k := range x.byName {
				x.byName[k] = int32(k)
			}
			slices.SortFunc(x.byName, func(a, b int32) int { return strings.Compare(x.list[a].name, x.list[b].name) })
		}
		k, found := slices.BinarySearchFunc(x.byName, name, func(k int32, name string) int { return strings.Compare(x.list[k].name, name) })
		if !found {
			return memo{}, false
		}
		i = int(x.byName[k])
	}
	x.next = i + 1
	return x.list[i], true
}

// base is what every check of a load is built over besides its own table:
// [daemon] and [defaults] as written, the main file's folder, and whether
// the root-safety rules apply. ok is false when one of them holds a value
// that has no canonical form here (a date): nothing is then reused.
func base(main *source, strict bool) (b []byte, ok bool) {
	b = appendString(b, main.dir)
	b = append(b, boolByte(strict))
	for _, name := range []string{"daemon", "defaults"} {
		v, given := main.data[name]
		if !given {
			b = append(b, 'n')
			continue
		}
		if b, ok = appendCanonical(b, v); !ok {
			return nil, false
		}
	}
	return b, true
}

// checkSum is the sum of the check t over base: the file it is written in
// (errors and warnings name it), that file's folder (relative paths start
// there), its name and its table as decoded. ok is false when the table has
// no canonical form. buf is scratch space, returned for the next call.
func checkSum(base []byte, t checkTable, buf []byte) (s sum, out []byte, ok bool) {
	buf = append(buf[:0], base...)
	buf = appendString(buf, t.s.src.name)
	buf = appendString(buf, t.s.src.dir)
	buf = appendString(buf, t.s.check)
	if t.m == nil {
		buf, ok = t.f.appendCanonical(buf)
	} else {
		buf, ok = appendCanonical(buf, t.m)
	}
	if !ok {
		return sum{}, buf, false
	}
	return sha256.Sum256(buf), buf, true
}

// appendCanonical appends v, a value as the TOML decoder gives it, in a
// form two values share only when they are equal: each value tagged with
// its type, strings and lists with their lengths, tables in key order.
// ok is false for a value of another type (a date or time).
func appendCanonical(b []byte, v any) (_ []byte, ok bool) {
	switch v := v.(type) {
	case string:
		return appendString(append(b, 's'), v), true
	case int64:
		return binary.AppendVarint(append(b, 'i'), v), true
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 'f'), math.Float64bits(v)), true
	case bool:
		return append(b, 'b', boolByte(v)), true
	case []any:
		b = binary.AppendUvarint(append(b, 'a'), uint64(len(v)))
		for _, e := range v {
			if b, ok = appendCanonical(b, e); !ok {
				return b, false
			}
		}
		return b, true
	case []map[string]any:
		b = binary.AppendUvarint(append(b, 'A'), uint64(len(v)))
		for _, e := range v {
			if b, ok = appendCanonical(b, e); !ok {
				return b, false
			}
		}
		return b, true
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = binary.AppendUvarint(append(b, 't'), uint64(len(keys)))
		for _, k := range keys {
			b = appendString(b, k)
			if b, ok = appendCanonical(b, v[k]); !ok {
				return b, false
			}
		}
		return b, true
	}
	return b, false
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// reuse is the check t as it runs, when the last good load built it from
// what this one would build it from (was, the configuration in force's
// memo, has t's sum) and the world still agrees: every key of its table parses (a script is still
// executable) and, as root, the files its keys name are still safe. A
// table that was not decoded (its text is as before) was parsed whole
// then: only the files was.judged names are judged again, the other keys
// parsing as they did. ok is false otherwise, and t is then read in full;
// judged are the files the next load must judge again.
func (l *loader) reuse(t *checkTable, was memo) (spec check.Spec, judged string, ok bool) {
	if l.inForce == nil {
		return check.Spec{}, "", false
	}
	if t.decoded() {
		j := judging{l: l, src: t.s.src, b: l.judged[:0]}
		t.each(func(name string, raw any) { j.holds(name, raw) })
		judged, ok = j.done()
		if l.judged = j.b; !ok {
			return check.Spec{}, "", false
		}
	} else if judged = was.judged; !l.stillHolds(judged, t.s.src) {
		return check.Spec{}, "", false
	}
	spec, ok = l.inForce(t.s.check)
	return spec, judged, ok
}

// judging gathers, key by key, the files of one check that a later load
// must judge again: those whose verdict can change while the key's text
// does not, a script's (is it still executable) and, as root, every file a
// root-safe key names (is it still safe from other users). Every other
// key's value is the text's alone.
type judging struct {
	l     *loader
	src   *source
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
		j.b = appendJudged(j.b, name, p, exec, safe)
	}
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
// wants it executable; judgedSafe: as root, it must be safe), the key's
// name and the path, each string after its length.
const (
	judgedExec = 1 << iota
	judgedSafe
)

func appendJudged(b []byte, key, path string, exec, safe bool) []byte {
	var flags byte
	if exec {
		flags |= judgedExec
	}
	if safe {
		flags |= judgedSafe
	}
	return appendString(appendString(append(b, flags), key), path)
}

// stillHolds tells whether the files judged, as appendJudged wrote them,
// pass again for a check in src: each script is executable and, as root,
// each file is safe.
func (l *loader) stillHolds(judged string, src *source) bool {
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
