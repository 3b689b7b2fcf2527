package config

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"

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

// sums are a load's check sums by check name: the checks that were built
// without a key_unused warning, which the next load can take as they run.
type sums map[string]sum

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
// what this one would build it from (its sum s, which known says is the
// configuration in force's already) and the world still agrees:
// every key of its table parses (a script is still executable) and, as
// root, the files its keys name are still safe. ok is false otherwise,
// and t is then read in full.
func (l *loader) reuse(t checkTable, s sum, known bool) (spec check.Spec, ok bool) {
	if l.inForce == nil {
		return check.Spec{}, false
	}
	if !known {
		if was, found := l.prev[t.s.check]; !found || was != s {
			return check.Spec{}, false
		}
	}
	if t.m == nil {
		for _, e := range t.f {
			if !l.holds(e.key, e.v, t.s.src) {
				return check.Spec{}, false
			}
		}
	}
	for name, raw := range t.m {
		if !l.holds(name, raw, t.s.src) {
			return check.Spec{}, false
		}
	}
	return l.inForce(t.s.check)
}

// holds tells whether the key name of a check in src, written raw, still
// parses and, as root, names a file that is still safe.
func (l *loader) holds(name string, raw any, src *source) bool {
	k, known := checkKeyIndex[name]
	if !known {
		return false
	}
	v, err := k.parse(raw, src)
	if err != nil {
		return false
	}
	p, isPath := v.(string)
	return !isPath || !k.rootSafe || l.guard == nil || len(l.guard.keyFile(name, p)) == 0
}
