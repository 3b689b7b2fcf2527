package config

import (
	"maps"
	"slices"
	"strings"
)

// value is one check key as read: its parsed value and where it was
// written. A key given with a bad value is kept with a nil v, so the rules
// between keys see it as given ("recovery" with threshold = 0 has one
// error, not also "recovery needs threshold").
type value struct {
	v            any
	line         int
	fromDefaults bool
}

// settings are a check's keys by name, or the keys of [defaults].
type settings map[string]value

// readSettings reads the check keys of m: a [check.NAME] table, or
// [defaults] when defaults is set.
func readSettings(s *scope, m map[string]any, defaults bool) settings {
	defs := checkKeyTable
	out := settings{}
	for _, key := range s.keys(m) {
		i := slices.IndexFunc(defs, func(k keyDef) bool { return k.name == key })
		switch {
		case i < 0:
			hint := "a check's keys are " + strings.Join(keyNames(false), ", ")
			if defaults {
				hint = "[defaults] may set " + strings.Join(keyNames(true), ", ")
			}
			s.unknown(key, keyNames(defaults), unknownHint(key, hint))
			continue
		case defaults && !defs[i].inDefaults:
			s.add(s.keyLine(key), key, "is not allowed in [defaults]: it belongs to one check, so set it in that [check.NAME] table")
			continue
		}
		v, err := defs[i].parse(m[key], s.src.dir)
		if err != nil {
			s.keyError(key, err)
			v = nil
		}
		out[key] = value{v: v, line: s.keyLine(key), fromDefaults: defaults}
	}
	return out
}

// merge lays a check's own settings over [defaults]. The env tables merge
// name by name; the http_* defaults apply to http checks only, so one
// [defaults] serves command and http checks alike.
func merge(defaults, own settings) settings {
	_, isHTTP := own["http"]
	all := settings{}
	for k, v := range defaults {
		if strings.HasPrefix(k, "http_") && !isHTTP {
			continue
		}
		all[k] = v
	}
	for k, v := range own {
		if k == "env" {
			v = mergeEnv(defaults["env"], v)
		}
		all[k] = v
	}
	return all
}

// mergeEnv is the defaults' env with the check's own over it.
func mergeEnv(defaults, own value) value {
	d, _ := defaults.v.(map[string]string)
	o, ok := own.v.(map[string]string)
	if !ok {
		return own
	}
	env := make(map[string]string, len(d)+len(o))
	maps.Copy(env, d)
	maps.Copy(env, o)
	own.v = env
	return own
}

// get stores the setting key in dst when it was given with a good value.
func get[T any](all settings, key string, dst *T) {
	if v, ok := all[key].v.(T); ok {
		*dst = v
	}
}
