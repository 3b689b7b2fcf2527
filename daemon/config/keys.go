package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/heatd/heatd/check"
)

// built is a check's Spec as its keys' rows fill it in, with what a
// default may depend on.
type built struct {
	check.Spec
	logDir string // [daemon] log_dir, where heat logs are by default
}

// checkKey is one row of the check key table.
type checkKey = key[*built]

// checkKeyTable is checkKeys made once, and an index of it by name: it is
// read for every key of every check, and never changed.
var checkKeyTable = checkKeys()

// checkKeys are the keys of a check, in the order the README lists them
// and messages name them: the kinds of check with their own keys first,
// then the checks it depends on, then the keys every kind has, and last
// those that bound remediation.
func checkKeys() []checkKey {
	return slices.Concat(kindKeys(), dependsKeys(), []checkKey{
		{name: "interval", defaults: true, doc: "start to start",
			value: paced(field(plain(parseInterval), 30*time.Second, func(b *built, v time.Duration) { b.Interval = v }))},
		{name: "timeout", defaults: true, doc: "a run longer than this is killed (code 124)",
			value: field(plain(parsePositive), 30*time.Second, func(b *built, v time.Duration) { b.Timeout = v })},
		{name: "pid", doc: "the target of signals",
			value: field(plain(parsePID), 0, func(b *built, v int) { b.Target.PID = v })},
		{name: "pidfile", rootSafe: true, doc: "the target of signals, read at each send; not with `pid`",
			excludes: &rule{[]string{"pid"}, `cannot be used with "pid": give one target, a pid or a pidfile`},
			value:    field(inDir(parsePath), "", func(b *built, v string) { b.Target.Pidfile = v })},
		{name: "signal", defaults: true, needs: needsTarget, doc: "sent on each failure; `\"none\"` unsets one from `[defaults]`",
			value: orUnset("none", field(plain(parseSignal), 0, func(b *built, v syscall.Signal) { b.Signal = v }))},
		{name: "fail", defaults: true, rootSafe: true, doc: "script run on each failure; `\"\"` unsets one from `[defaults]`",
			value: orUnset("", field(executableIn, "", func(b *built, v string) { b.Fail = v }))},
		{name: "recovery", defaults: true, rootSafe: true, doc: "script run when `threshold` failures come in a row; `\"\"` unsets one from `[defaults]`",
			needs: &rule{[]string{"threshold"}, `needs "threshold", the consecutive failures that start recovery`},
			value: orUnset("", field(executableIn, "", func(b *built, v string) { b.Recovery = v }))},
		recoveryUnitKey(),
		{name: "threshold", defaults: true, doc: "failures in a row that start recovery",
			value: field(plain(parseThreshold), 0, func(b *built, v int) { b.Threshold = v })},
		{name: "recovery_timeout", defaults: true, effect: effectThreshold, doc: "how long a recovery has to prove itself; none: `threshold` runs",
			value: field(plain(parsePositive), 0, func(b *built, v time.Duration) { b.RecoveryTimeout = v })},
		{name: "fault_signal", defaults: true, needs: needsTarget, effect: effectThreshold, doc: "sent before each recovery; `\"none\"` unsets one from `[defaults]`",
			value: orUnset("none", field(plain(parseSignal), 0, func(b *built, v syscall.Signal) { b.FaultSignal = v }))},
		{name: "success_signal", defaults: true, needs: needsTarget, effect: effectThreshold, doc: "sent once a recovery is verified; `\"none\"` unsets one from `[defaults]`",
			value: orUnset("none", field(plain(parseSignal), 0, func(b *built, v syscall.Signal) { b.SuccessSignal = v }))},
		{name: "script_timeout", defaults: true, doc: "a fail or recovery script longer than this is killed; a unit restart is waited for no longer",
			value: field(plain(parsePositive), 5*time.Minute, func(b *built, v time.Duration) { b.ScriptTimeout = v })},
		{name: "heat_log", rootSafe: true, shown: "`<log_dir>/<name>.log`", doc: "the check's heat log",
			// The default, "", stands for <log_dir>/<name>.log: no
			// written heat_log is empty.
			value: field(inDir(parsePath), "", func(b *built, v string) {
				if v == "" {
					v = filepath.Join(b.logDir, b.Name+".log")
				}
				b.HeatLog = v
			})},
		{name: "env", defaults: true, doc: "a table of extra environment variables",
			value: table(envEntry, func(b *built, v map[string]string) { b.Env = cloneOrNil(v) })},
	}, remedyKeys())
}

// paced is interval's value, whose default a kind may choose (a heartbeat
// check's is a tenth of its heartbeat): the kind's key, earlier in the
// table, has made the Probe by then.
func paced(v value[*built]) value[*built] {
	v.setDefault = func(b *built) { b.Interval = check.DefaultInterval(b.Probe, v.deflt.(time.Duration)) }
	return v
}

// effectThreshold is the rule of the keys that act only in recovery.
var effectThreshold = &rule{[]string{"threshold"},
	`is unused: it has no effect without "threshold", the consecutive failures that start recovery; set "threshold", or remove it`}

// needsTarget is the rule of the keys that send signals.
var needsTarget = &rule{[]string{"pid", "pidfile"}, `needs a target: set "pid" or "pidfile"`}

// checkKeyIndex finds a check key's row by name.
var checkKeyIndex = indexKeys(checkKeyTable)

// indexKeys maps each key's name to its row.
func indexKeys[D any](keys []key[D]) map[string]*key[D] {
	m := make(map[string]*key[D], len(keys))
	for i := range keys {
		m[keys[i].name] = &keys[i]
	}
	return m
}

// keyNames are the names of keys, those [defaults] may set when
// defaultsOnly.
func keyNames(defaultsOnly bool) []string {
	var names []string
	for _, k := range checkKeyTable {
		if k.defaults || !defaultsOnly {
			names = append(names, k.name)
		}
	}
	return names
}

// rootSafeKeys are the check keys naming files that, as root, must be
// safe from other users.
func rootSafeKeys() []string {
	var names []string
	for _, k := range checkKeyTable {
		if k.rootSafe {
			names = append(names, k.name)
		}
	}
	return names
}

// cloneOrNil copies m, so that no two checks share the map of [defaults];
// an empty table becomes nil so that two loads of one file compare equal
// whether or not it wrote env = {}.
func cloneOrNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
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
