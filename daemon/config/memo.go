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
// decides is looked at again all the same: a script that vanished is an
// error and, as root, the files its keys name are judged again (judged.go);
// any problem and the check is read in full, its errors those of any load.

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
	// name is a copy of its own, its Spec's (detach.go): one sliced from
	// the file would keep the whole text alive.
	name        string
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
// memo, has t's sum) and the world still agrees: every key of its table
// parses (a script is still executable) and, as root, the files its keys
// name are still safe. A table that was not decoded (its text is as
// before) parsed whole then, and its keys parse as they did: only the
// files was.judged names are judged again. ok is false otherwise, and t
// is then read in full; judged are the files the next load must judge
// again.
func (l *loader) reuse(t *checkTable, was memo) (spec check.Spec, judged string, ok bool) {
	if l.inForce == nil {
		return check.Spec{}, "", false
	}
	if spec, ok = l.inForce(t.s.check); !ok {
		return check.Spec{}, "", false
	}
	if t.decoded() {
		j := judging{l: l, src: t.s.src, spec: pathsOf(&spec), b: l.judged[:0]}
		t.each(func(name string, raw any) { j.holds(name, raw) })
		judged, ok = j.done()
		if l.judged = j.b; !ok {
			return check.Spec{}, "", false
		}
	} else if judged = was.judged; !l.stillHolds(judged, t.s.src, pathsOf(&spec)) {
		return check.Spec{}, "", false
	}
	return spec, judged, true
}
