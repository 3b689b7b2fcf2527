package config

import (
	"cmp"
	"slices"
	"strings"
)

// effectKeys are the rows of the keys that can lack an effect, found once:
// unused runs for every check.
var effectKeys = func() []*checkKey {
	var out []*checkKey
	for i := range checkKeyTable {
		if checkKeyTable[i].effect != nil {
			out = append(out, &checkKeyTable[i])
		}
	}
	return out
}()

// written says whether a check's own table sets key: "none" (or "") is
// how a check says "not set" over [defaults], which can lack no effect.
func written(m map[string]any, key string) bool {
	v, ok := m[key]
	return ok && v != "none" && v != ""
}

// unused are the keys of a check's own table that can have no effect
// there, as their rows' effect rules say: each lacks all of the keys it
// needs, in the table and in [defaults]. Only a check's own table is
// looked at: a key in [defaults] serves every check, and a check that
// cannot use it is no mistake; nor is "none" (or ""), which unsets one. They come in line order.
func unused(t checkTable, defaults settings) Errors {
	var out Errors
	has := func(n string) bool { return hasAny(t.m, n) || hasKey(defaults, n) }
	for _, k := range effectKeys {
		if written(t.m, k.name) && !slices.ContainsFunc(k.effect.keys, has) {
			out = append(out, &Error{File: t.s.src.name, Line: t.s.keyLine(k.name), Table: t.s.table,
				Check: strings.Clone(t.s.check), Key: k.name, Msg: k.effect.msg})
		}
	}
	slices.SortStableFunc(out, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	return out
}
