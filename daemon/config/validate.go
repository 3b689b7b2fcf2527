package config

import (
	"fmt"
	"slices"
	"strings"
)

// probeKeys are the ways a check runs; a check has exactly one.
func probeKeys() []string { return []string{"command", "script", "http", "tcp"} }

// validate applies the rules between a check's keys: own are
// the keys of its table, all are those merged over [defaults].
func validate(s *scope, own, all settings) {
	var probes []string
	for _, k := range probeKeys() {
		if _, ok := own[k]; ok {
			probes = append(probes, k)
		}
	}
	switch len(probes) {
	case 0:
		s.add(s.line(), "", "has none of command, script, http or tcp; give exactly one")
	case 1:
	default:
		s.add(s.line(), "", fmt.Sprintf("has %s; give exactly one of command, script, http or tcp", both(probes)))
	}

	_, hasPID := own["pid"]
	_, hasPidfile := own["pidfile"]
	if hasPID && hasPidfile {
		s.add(s.keyLine("pidfile"), "pidfile", `cannot be used with "pid": give one target, a pid or a pidfile`)
	}
	if _, ok := all["threshold"]; !ok {
		need(s, all, "recovery", `needs "threshold", the consecutive failures that start recovery`)
	}
	if !hasPID && !hasPidfile {
		for _, k := range []string{"signal", "fault_signal", "success_signal"} {
			need(s, all, k, `needs a target: set "pid" or "pidfile"`)
		}
	}
	if _, ok := own["http"]; !ok {
		var stray []string
		for k := range own {
			if strings.HasPrefix(k, "http_") {
				stray = append(stray, k)
			}
		}
		slices.Sort(stray)
		for _, k := range stray {
			s.add(s.keyLine(k), k, `is only for http checks (those with http = "URL")`)
		}
	}
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

// both lists keys in prose: "command and script", "command, script and http".
func both(keys []string) string {
	last := len(keys) - 1
	if last == 1 {
		return "both " + keys[0] + " and " + keys[1]
	}
	return strings.Join(keys[:last], ", ") + " and " + keys[last]
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
