package check

import "strconv"

// Health is a check's state as an operator sees it: heatctl's state column,
// the status JSON's "state", and the value of heatd_check_state's state
// label. A state is added as a constant and its name; where several
// states hold, healthOf says which one shows.
type Health uint8

// The states a check can be in.
const (
	// Healthy: the last run was ok, or none has run yet.
	Healthy Health = iota
	// Failing: failed runs in a row, recovery not begun.
	Failing
	// Recovering: in the recovery cycle (fault signal, recovery script,
	// verification, a backoff wait between attempts).
	Recovering
	// Starting: within start_period, no ok run yet.
	Starting
	// Flapping: the flap score reached flap_high; failures take no step.
	Flapping
	// GaveUp: recovery_limit attempts within their window; heatd waits for
	// the check to be ok by itself, or for heatctl resume.
	GaveUp
	// Paused: heatctl pause; it runs, and takes no step.
	Paused
	// Blocked: a check it depends on is not healthy; failures take no step.
	Blocked
)

// healthNames are the states' names, by value: what the status JSON and the
// metrics' label say, so a name here never changes.
var healthNames = [...]string{Healthy: "healthy", Failing: "failing", Recovering: "recovering",
	Starting: "starting", Flapping: "flapping", GaveUp: "gave_up", Paused: "paused", Blocked: "blocked"}

// String is the state's name: "healthy", "failing", "recovering",
// "starting", "flapping", "gave_up", "paused", "blocked".
func (h Health) String() string {
	if int(h) < len(healthNames) {
		return healthNames[h]
	}
	return "health(" + strconv.Itoa(int(h)) + ")"
}

// Healths are every state: the values of heatd_check_state's state label.
func Healths() []Health {
	all := make([]Health, len(healthNames))
	for i := range all {
		all[i] = Health(i)
	}
	return all
}

// healthOf is the health of a check in state st: the first state that
// holds, in SPEC 8's order of precedence.
func healthOf(st State) Health {
	switch {
	case st.Paused:
		return Paused
	case st.Mode == GivenUp:
		return GaveUp
	case st.Blocked:
		return Blocked
	case st.Flapping:
		return Flapping
	case st.Mode != Normal:
		return Recovering
	case st.Streak > 0:
		return Failing
	case st.Starting:
		return Starting
	}
	return Healthy
}

// ScriptKind says which of a check's scripts runs.
type ScriptKind uint8

// A check's two scripts.
const (
	// FailScript runs on each normal-mode failure (`fail`).
	FailScript ScriptKind = iota
	// RecoveryScript runs when the streak reaches the threshold
	// (`recovery`).
	RecoveryScript
)

// String is the name the heat log, the events and the script's own event
// name use: "fail" or "recovery".
func (k ScriptKind) String() string {
	switch k {
	case FailScript:
		return "fail"
	case RecoveryScript:
		return "recovery"
	}
	return "script(" + strconv.Itoa(int(k)) + ")"
}
