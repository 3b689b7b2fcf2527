package config

import (
	"fmt"
	"maps"
	"slices"

	"github.com/heatd/heatd/check"
)

// checkTable is one [check.NAME] table, not read yet: m as decoded, or f
// as a file decoded table by table gave it, or neither when its text is as
// the configuration in force had it (kept): it is decoded when it must be
// read (table), and a check taken as it runs never is.
type checkTable struct {
	s    *scope
	m    map[string]any
	f    fields
	text string // as written; "": the file was not cut into tables
	kept bool   // its text is as the configuration in force had it in this file
	sum  sum    // textSum of text; zero until asked for (textSum)
	// deps is, for a kept check taken as it runs, its depends_on list.
	deps  []string
	taken bool
}

// decoded tells whether the table's value is at hand.
func (t *checkTable) decoded() bool { return t.m != nil || t.f != nil }

// get is the value of key in the table.
func (t *checkTable) get(key string) (any, bool) {
	if !t.decoded() {
		t.table()
	}
	if t.m == nil {
		return t.f.get(key)
	}
	v, ok := t.m[key]
	return v, ok
}

// each calls do with each key of the decoded table and its value, in key
// order.
func (t *checkTable) each(do func(name string, raw any)) {
	if t.m == nil {
		for _, e := range t.f {
			do(e.key, e.v)
		}
		return
	}
	for _, name := range slices.Sorted(maps.Keys(t.m)) {
		do(name, t.m[name])
	}
}

// table makes m, for the check to be read in full: of f, or of the text
// decoded alone, which gave this very table when the configuration in
// force was loaded (a text that no longer does is an error).
func (t *checkTable) table() {
	switch {
	case t.m != nil:
	case t.f != nil:
		t.m = t.f.table()
	default:
		v, ok := decodeAlone(tableText{top: "check", name: t.s.check, text: t.text})
		m, isMap := v.(map[string]any)
		if !ok || !isMap {
			t.s.add(t.s.line(), "", "cannot be decoded again by itself; load the configuration once more")
			m = map[string]any{}
		}
		t.m = m
	}
}

// textSum is the table's textSum, made once; buf is scratch space.
func (t *checkTable) textSum(buf *[]byte) sum {
	if t.sum == (sum{}) && t.text != "" {
		t.sum = textSum(buf, t.s.src.name, t.text)
	}
	return t.sum
}

// dependsOn is the table's depends_on list, parsed; given is false when it
// has none.
func (t *checkTable) dependsOn() (parents []string, given bool, err error) {
	if t.taken && !t.decoded() {
		return t.deps, t.deps != nil, nil
	}
	raw, given := t.get("depends_on")
	if !given {
		return nil, false, nil
	}
	parents, err = parseDependsOn(raw)
	return parents, true, err
}

// checkTables finds the [check.NAME] tables of src, in file order.
func checkTables(src *source, errs *Errors) []checkTable {
	v, ok := src.data["check"]
	if !ok {
		return nil
	}
	top := &scope{src: src, path: []string{"check"}, errs: errs}
	m, ok := v.(map[string]any)
	if !ok {
		top.add(top.line(), "check", "must hold [check.NAME] tables, not "+typeName(v))
		return nil
	}
	// The scopes and their paths are made in one allocation each, not one
	// per check: ten thousand checks are twenty thousand fewer objects for
	// the collector.
	list := checkNames(src, top, m)
	out := make([]checkTable, 0, len(list))
	scopes := make([]scope, len(list))
	paths := make([]string, 2*len(list))
	for i, c := range list {
		name := c.name
		path := paths[2*i : 2*i+2 : 2*i+2]
		path[0], path[1] = "check", name
		s := &scopes[i]
		*s = scope{src: src, path: path, table: "check", check: name, errs: errs}
		switch t := c.v.(type) {
		case map[string]any:
			out = append(out, checkTable{s: s, m: t, text: c.text})
		case fields:
			out = append(out, checkTable{s: s, f: t, text: c.text})
		default:
			if c.kept {
				out = append(out, checkTable{s: s, text: c.text, kept: true, sum: c.sum})
				continue
			}
			s.add(s.line(), "", fmt.Sprintf("must be a table of settings, [check.%s], not %s", name, typeName(c.v)))
		}
	}
	return out
}

// namedTable is a [check.NAME] table's name, value and text (when the
// file was cut), and whether its text is as the configuration in force had
// it (then v is nil and sum its textSum).
type namedTable struct {
	name string
	v    any
	text string
	kept bool
	sum  sum
}

// checkNames are the [check.NAME] tables of src, whose data holds them
// in m unless it was decoded table by table, in reading order: as
// split.go cut the file, when it did (each table's headers stand
// together, so its first line is its place), else by the lines the
// positions give.
func checkNames(src *source, top *scope, m map[string]any) []namedTable {
	if len(src.tables) == 0 {
		keys := top.keys(m)
		names := make([]namedTable, len(keys))
		for i, name := range keys {
			names[i] = namedTable{name: name, v: m[name]}
		}
		return names
	}
	names := make([]namedTable, 0, len(src.tables))
	for i, t := range src.tables {
		switch {
		case t.top != "check":
		case src.split:
			names = append(names, namedTable{name: t.name, v: src.values[i], text: t.text, kept: t.kept, sum: t.sum})
		default:
			names = append(names, namedTable{name: t.name, v: m[t.name], text: t.text})
		}
	}
	return names
}

// readDefaults reads [defaults] of the main file; g checks the files it
// names.
func readDefaults(src *source, errs *Errors, g *guard) settings {
	v, ok := src.data["defaults"]
	if !ok {
		return nil
	}
	s := &scope{src: src, path: []string{"defaults"}, table: "defaults", errs: errs}
	m, ok := v.(map[string]any)
	if !ok {
		s.add(s.line(), "", "must be a table, not "+typeName(v))
		return nil
	}
	var text detacher
	text.reserve(m, 0)
	own := readSettings(s, m, true, &text)
	g.settings(s, own)
	return own
}

// readCheck reads one check over the defaults; ok is false when it has
// errors (they are in s.errs), and own are its own table's settings. g
// checks the files its own table names; those it has from [defaults] were
// checked there.
func readCheck(t checkTable, defaults settings, d *Daemon, g *guard) (spec check.Spec, own settings, ok bool) {
	before := len(*t.s.errs)
	if msg := nameError(t.s.check); msg != "" {
		t.s.add(t.s.line(), "", msg)
	}
	var text detacher
	text.reserve(t.m, len(t.s.check))
	own = readSettings(t.s, t.m, false, &text)
	g.settings(t.s, own)
	all := merge(defaults, own)
	dropUnset(all)
	validate(t.s, own, all)
	spec = buildSpec(text.str(t.s.check), own, all, d, t.s.src.dir)
	spec.StrictLog = g != nil // the rules apply: its heat log is written by them too
	return spec, own, len(*t.s.errs) == before
}

// buildSpec is the check's effective settings: each key of its kind, or
// of every kind, as given or else its default. A key given with a bad
// value is left at its zero value (an empty heat_log shares no file with
// anyone); such a Spec only serves the rules across checks.
func buildSpec(name string, own, all settings, d *Daemon, dir string) check.Spec {
	b := built{Spec: check.Spec{Name: name, Dir: dir}, logDir: d.LogDir}
	for i := range checkKeyTable {
		k := &checkKeyTable[i]
		if k.kind != "" && !hasKey(own, k.kind) {
			continue
		}
		switch v, given := all[k.name]; {
		case !given:
			k.setDefault(&b)
		case v.v != nil:
			k.set(&b, v.v)
		}
	}
	return b.Spec
}

// twice is the message for a check name defined a second time.
func twice(firstFile string, firstLine int) string {
	return fmt.Sprintf("is defined twice, here and at %s:%d; give each check its own name", firstFile, firstLine)
}
