package config

import "fmt"

// keyDef is one key a [check.NAME] table may hold.
type keyDef struct {
	name       string
	inDefaults bool // [defaults] may set it
	// parse reads the value; dir is the folder of the file it is in.
	parse func(v any, dir string) (any, error)
}

// checkKeyTable is checkKeys made once: it is read for every key of every
// check, and never changed.
var checkKeyTable = checkKeys()

// checkKeys are the keys of a check, in the order the README lists them.
func checkKeys() []keyDef {
	return []keyDef{
		{"command", false, plain(parseText)},
		{"script", false, parseAny(parseExecutable)},
		{"http", false, plain(parseURL)},
		{"http_method", true, plain(parseMethod)},
		{"http_status", true, plain(parseStatus)},
		{"http_body", true, plain(parseString)},
		{"http_headers", true, plain(func(v any) (map[string]string, error) { return parseTable(v, headerEntry) })},
		{"tcp", false, plain(func(v any) (string, error) { return parseHostPort(v, true) })},
		{"interval", true, plain(parsePositive)},
		{"timeout", true, plain(parsePositive)},
		{"pid", false, plain(parsePID)},
		{"pidfile", false, parseAny(parsePath)},
		{"signal", true, plain(parseSignalOrNone)},
		{"fail", true, parseAny(parseScriptOrNone)},
		{"recovery", true, parseAny(parseScriptOrNone)},
		{"threshold", true, plain(parseThreshold)},
		{"recovery_timeout", true, plain(parsePositive)},
		{"fault_signal", true, plain(parseSignalOrNone)},
		{"success_signal", true, plain(parseSignalOrNone)},
		{"script_timeout", true, plain(parsePositive)},
		{"heat_log", false, parseAny(parsePath)},
		{"env", true, plain(func(v any) (map[string]string, error) { return parseTable(v, envEntry) })},
		{"start_period", true, plain(parseNonNegative)},
		{"success_threshold", true, plain(parseSuccessThreshold)},
		{"retry_interval", true, plain(parsePositive)},
		{"watch_target", true, plain(parseBool)},
		{"recovery_backoff", true, plain(parseNonNegative)},
		{"recovery_backoff_max", true, plain(parsePositive)},
		{"recovery_limit", true, plain(parseRecoveryLimit)},
		{"recovery_limit_window", true, plain(parsePositive)},
		{"flap_detection", true, plain(parseBool)},
		{"flap_low", true, plain(parsePercent)},
		{"flap_high", true, plain(parsePercent)},
	}
}

// plain adapts a parser that needs no folder.
func plain[T any](f func(any) (T, error)) func(any, string) (any, error) {
	return func(v any, _ string) (any, error) { return f(v) }
}

// parseAny adapts a parser of paths.
func parseAny[T any](f func(any, string) (T, error)) func(any, string) (any, error) {
	return func(v any, dir string) (any, error) { return f(v, dir) }
}

// keyNames are the names of keys, those [defaults] may set when
// defaultsOnly.
func keyNames(defaultsOnly bool) []string {
	var names []string
	for _, k := range checkKeyTable {
		if k.inDefaults || !defaultsOnly {
			names = append(names, k.name)
		}
	}
	return names
}

// maxPID is Linux's PID_MAX_LIMIT: no process id is larger.
const maxPID = 1 << 22

// parsePID is a fixed target. Pid 1 is init, which heatd never signals,
// and 0 or less would signal a whole group.
func parsePID(v any) (int, error) {
	n, err := parseInt(v)
	if err == nil && (n <= 1 || n > maxPID) {
		err = fmt.Errorf("must be a process id from 2 to %d, not %d", maxPID, n)
	}
	return int(n), err
}

func parseThreshold(v any) (int, error) {
	n, err := parseInt(v)
	if err == nil && n < 1 {
		err = fmt.Errorf("must be 1 or more (the consecutive failures that start recovery), not %d", n)
	}
	return int(n), err
}
