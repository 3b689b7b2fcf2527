package action

import (
	"maps"
	"slices"
	"strings"
)

// Environ builds a run's environment: base (heatd's own) less the variables
// that speak for heatd alone (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID,
// LISTEN_FDS, LISTEN_PID, JOURNAL_STREAM, and LISTEN_FDNAMES that goes with
// LISTEN_FDS), then env in the order of its
// names, then HEAT_CHECK=check, then extra ("NAME=value" each). A later
// value of a name replaces an earlier one in its place, so no name appears
// twice. The result is never nil.
func Environ(base []string, env map[string]string, check string, extra ...string) []string {
	out := make([]string, 0, len(base)+len(env)+1+len(extra))
	at := make(map[string]int, cap(out))
	add := func(kv string) {
		name, _, _ := strings.Cut(kv, "=")
		if i, ok := at[name]; ok {
			out[i] = kv
			return
		}
		at[name] = len(out)
		out = append(out, kv)
	}
	for _, kv := range base {
		if name, _, _ := strings.Cut(kv, "="); !heatdOnly(name) {
			add(kv)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(env)) {
		add(name + "=" + env[name])
	}
	add("HEAT_CHECK=" + check)
	for _, kv := range extra {
		add(kv)
	}
	return out
}

// heatdOnly names the variables systemd gives heatd about heatd: a check
// that inherited NOTIFY_SOCKET could tell systemd heatd is ready or alive,
// and one that inherited LISTEN_FDS could take heatd's sockets for its own.
func heatdOnly(name string) bool {
	switch name {
	case "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JOURNAL_STREAM":
		return true
	}
	return false
}
