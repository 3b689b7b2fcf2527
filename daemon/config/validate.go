package config

import (
	"fmt"
	"slices"
	"strings"
)

// probeKeyNames is probeKeys made once: it is read for every check.
var probeKeyNames = probeKeys()

// probeKeys are the keys that choose a kind of check, the ways a check
// runs; a check has exactly one.
func probeKeys() []string {
	var names []string
	for _, k := range checkKeyTable {
		if k.name == k.kind {
			names = append(names, k.name)
		}
	}
	return names
}

// validate applies the rules between a check's keys, as their rows state
// them: exactly one kind, the keys each key needs or excludes, and a kind's
// keys only with that kind; then the rules between the values of the keys
// that bound remediation (validateRemedy). own are the keys of its table, all are those
// merged over [defaults].
func validate(s *scope, own, all settings) {
	kinds := probeKeyNames
	var probes []string
	for _, k := range kinds {
		if hasKey(own, k) {
			probes = append(probes, k)
		}
	}
	switch len(probes) {
	case 0:
		s.add(s.line(), "", "has none of "+either(kinds)+"; give exactly one")
	case 1:
	default:
		s.add(s.line(), "", fmt.Sprintf("has %s; give exactly one of %s", both(probes), either(kinds)))
	}

	for i := range checkKeyTable {
		k := &checkKeyTable[i]
		if k.needs != nil && !slices.ContainsFunc(k.needs.keys, func(n string) bool { return hasKey(all, n) }) {
			need(s, all, k.name, k.needs.msg)
		}
		if k.excludes != nil && hasKey(own, k.name) && slices.ContainsFunc(k.excludes.keys, func(n string) bool { return hasKey(own, n) }) {
			s.add(s.keyLine(k.name), k.name, k.excludes.msg)
		}
	}
	var stray []string
	for name := range own {
		if k := checkKeyIndex[name]; k.kind != "" && !hasKey(own, k.kind) {
			stray = append(stray, name)
		}
	}
	slices.Sort(stray)
	for _, name := range stray {
		kind := checkKeyIndex[checkKeyIndex[name].kind]
		s.add(s.keyLine(name), name, fmt.Sprintf("is only for %s checks (those with %s = %s)", kind.name, kind.name, kind.form))
	}
	validateRemedy(s, own, all)
}

// need reports key, when it is set, as lacking what msg says. A key set in
// [defaults] is reported at the check that lacks the rest, since that is
// where the fix goes.
func need(s *scope, all settings, key, msg string) {
	v, ok := all[key]
	switch {
	case !ok:
	case v.fromDefaults:
		s.add(s.line(), key, "is set in [defaults] and "+msg)
	default:
		s.add(v.line, key, msg)
	}
}

// both lists keys in prose: "both command and script", "command, script
// and http".
func both(keys []string) string {
	if len(keys) == 2 {
		return "both " + keys[0] + " and " + keys[1]
	}
	return list(keys, "and")
}

// either lists keys as alternatives: "command, script, http or tcp".
func either(keys []string) string { return list(keys, "or") }

// list joins keys with commas, and word before the last.
func list(keys []string, word string) string {
	last := len(keys) - 1
	if last == 0 {
		return keys[0]
	}
	return strings.Join(keys[:last], ", ") + " " + word + " " + keys[last]
}

// maxName is the longest check name: it becomes a file name (<name>.log),
// which Linux limits to 255 bytes.
const maxName = 200

// nameError says what is wrong with a check's name, or "" when nothing is.
// The name makes the default heat log <log_dir>/<name>.log, so it must
// never reach outside log_dir: no "/", and no leading "." (which also
// rules out "." and "..").
func nameError(name string) string {
	ok := len(name) >= 1 && len(name) <= maxName && name[0] != '.'
	for _, c := range []byte(name) {
		ok = ok && (isBare(c) || c == '.')
	}
	if ok {
		return ""
	}
	return fmt.Sprintf(`is not a valid name: use 1 to %d of A-Z a-z 0-9 _ . - and do not start with "."`, maxName)
}
