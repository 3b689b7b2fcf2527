package config

import "strings"

// setting is one check key as read: its parsed value and where it was
// written. A key given with a bad value is kept with a nil v, so the rules
// between keys see it as given ("recovery" with threshold = 0 has one
// error, not also "recovery needs threshold").
type setting struct {
	v            any
	line         int
	fromDefaults bool
	looked       bool // its parser judged a file (source.executablePath)
}

// settings are a check's keys by name, or the keys of [defaults].
type settings map[string]setting

// readSettings reads the check keys of m: a [check.NAME] table, or
// [defaults] when defaults is set. d copies their strings out of the
// file's text (detach.go).
func readSettings(s *scope, m map[string]any, defaults bool, d *detacher) settings {
	out := make(settings, len(m))
	for _, at := range s.keysAt(m) {
		name := at.key
		k, known := checkKeyIndex[name]
		switch {
		case !known:
			hint := "a check's keys are " + strings.Join(keyNames(false), ", ")
			if defaults {
				hint = "[defaults] may set " + strings.Join(keyNames(true), ", ")
			}
			s.unknown(name, keyNames(defaults), unknownHint(name, hint))
			continue
		case defaults && !k.defaults:
			s.add(at.line, name, "is not allowed in [defaults]: it belongs to one check, so set it in that [check.NAME] table")
			continue
		}
		looked := s.src.looked
		v, err := k.parse(d.value(m[name]), s.src)
		if err != nil {
			s.keyError(name, err)
			v = nil
		}
		out[name] = setting{v: v, line: at.line, fromDefaults: defaults, looked: s.src.looked != looked}
	}
	return out
}

// merge lays a check's own settings over [defaults]. A key of one kind of
// check applies only to checks of that kind, so one [defaults] serves
// command and http checks alike; a table merges entry by entry.
func merge(defaults, own settings) settings {
	all := make(settings, len(defaults)+len(own))
	for name, v := range defaults {
		if k := checkKeyIndex[name]; k.kind == "" || hasKey(own, k.kind) {
			all[name] = v
		}
	}
	for name, v := range own {
		d, given := all[name]
		if k := checkKeyIndex[name]; k.merge != nil && given && d.v != nil && v.v != nil {
			v.v = k.merge(d.v, v.v)
		}
		all[name] = v
	}
	return all
}

func hasKey(set settings, name string) bool {
	_, ok := set[name]
	return ok
}
