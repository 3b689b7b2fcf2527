package check

import (
	"strconv"
	"syscall"
	"time"
)

// This file holds HEAT's rules as pure
// functions: from a state and what just happened to the next state and the
// steps to take. Nothing here runs a process, sends a signal or reads a
// clock, so every rule is tested exactly, without processes or sleeps.

// Mode is where a check is in its cycle.
type Mode uint8

const (
	// Normal: runs every interval; a failure sends `signal` and runs `fail`.
	Normal Mode = iota
	// RecoveryDue: at the next wake-up, the fault signal and the recovery
	// script, then verification.
	RecoveryDue
	// Verifying: runs check whether the recovery worked; failures take no
	// per-failure action.
	Verifying
)

// String names the mode for logs and tests.
func (m Mode) String() string {
	switch m {
	case Normal:
		return "normal"
	case RecoveryDue:
		return "recovery_due"
	case Verifying:
		return "verifying"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Policy is the part of a Spec that the rules read.
type Policy struct {
	Interval        time.Duration
	Threshold       int           // 0: never recover
	RecoveryTimeout time.Duration // 0: verify by count
	Signal          syscall.Signal
	FaultSignal     syscall.Signal
	SuccessSignal   syscall.Signal
	Fail            bool // a fail script is set
	Recovery        bool // a recovery script is set
}

// State is a check's memory between runs.
type State struct {
	Mode   Mode
	Streak int // consecutive failed runs: the consecutive-failure count

	// The current streak of failures, for the scripts' environment.
	FirstFailure int64 // unix seconds of the streak's first failed run
	LastFailure  int64 // unix seconds of its latest failed run
	LastCode     int   // exit code of the latest failed run
	LastPID      int   // pid of the latest failed run; 0 for a probe

	Attempt    int       // recovery scripts run in this streak
	Verified   int       // verification runs in this attempt
	VerifyFrom time.Time // when this attempt's recovery script ended
}

// Result is what one run of the check came to.
type Result struct {
	Start time.Time // the run's start, on the monotonic clock
	Unix  int64     // the run's start in unix seconds
	Code  int       // 0: ok
	PID   int       // the check process; 0 for a native probe

	TimedOut bool  // ended by `timeout`: Code is 124 (28 for a native probe)
	Err      error // the run could not start (run_error): neither ok nor failed

	// What the rules do not read, for events and the heat log.
	Duration    time.Duration
	Output      []byte        // the run's stderr, bounded
	Reason      string        // why it failed, in a line, where heatd knows ("killed by signal 9")
	Interrupted bool          // cut short by a stop: reported, never acted on
	Waited      time.Duration // spent waiting for a slot (max_parallel) before it started
	Late        time.Duration // how far after its scheduled time it started
}

// StepKind names one thing to do after a run.
type StepKind uint8

const (
	StepOK              StepKind = iota // event check_ok
	StepRunError                        // event run_error; nothing else happens
	StepTimeout                         // event check_timeout
	StepFailed                          // event check_failed
	StepHeatLog                         // the run's stderr to the heat log
	StepSignal                          // Step.Signal to the target (Step.Kind says why)
	StepFailScript                      // the fail script, with FailEnv
	StepRecovered                       // event recovered
	StepRecoveryFailed                  // event recovery_failed
	StepRecoveryStarted                 // event recovery_started
	StepRecoveryScript                  // the recovery script, with RecoveryEnv
)

var stepNames = [...]string{"ok", "run_error", "timeout", "failed", "heat_log", "signal",
	"fail_script", "recovered", "recovery_failed", "recovery_started", "recovery_script"}

// String names the step for tests and debugging.
func (k StepKind) String() string {
	if int(k) < len(stepNames) {
		return stepNames[k]
	}
	return "step(" + strconv.Itoa(int(k)) + ")"
}

// SignalKind says why a signal is sent; metrics count by it.
type SignalKind string

// The three occasions for a signal.
const (
	SignalFailure SignalKind = "failure"
	SignalFault   SignalKind = "fault"
	SignalSuccess SignalKind = "success"
)

// Step is one thing to do, in order.
type Step struct {
	Kind   StepKind
	Signal syscall.Signal // StepSignal
	Why    SignalKind     // StepSignal
}

// Decision is what follows a run: the new state, the steps to take now in
// order, and when the loop wakes next (to run the check, or the recovery
// when the new state is RecoveryDue).
type Decision struct {
	State State
	Steps []Step
	Next  time.Time
}

// Observe applies one run's result to s. sched is the run's scheduled
// start: intervals are counted from it, so waiting for a slot does not make
// a check drift.
func Observe(p Policy, s State, r Result, sched time.Time) Decision {
	d := Decision{State: s, Next: nextSlot(sched, r.Start, p.Interval)}
	if r.Err != nil {
		// heatd's own trouble, not the check's: no count, no action.
		d.Steps = []Step{{Kind: StepRunError}}
		if s.Mode == Verifying {
			d.State, d.Steps, d.Next = afterVerification(p, d.State, d.Steps, d.Next, false)
		}
		return d
	}
	if r.Code == 0 {
		d.Steps = []Step{{Kind: StepOK}}
		if s.Mode == Verifying {
			if p.SuccessSignal != 0 {
				d.Steps = append(d.Steps, Step{Kind: StepSignal, Signal: p.SuccessSignal, Why: SignalSuccess})
			}
			d.Steps = append(d.Steps, Step{Kind: StepRecovered})
		}
		d.State = State{Mode: Normal}
		return d
	}

	if r.TimedOut {
		d.Steps = append(d.Steps, Step{Kind: StepTimeout})
	}
	d.Steps = append(d.Steps, Step{Kind: StepFailed}, Step{Kind: StepHeatLog})
	st := &d.State
	st.Streak++
	if st.Streak == 1 {
		st.FirstFailure = r.Unix
	}
	st.LastFailure, st.LastCode, st.LastPID = r.Unix, r.Code, r.PID

	if s.Mode == Verifying {
		d.State, d.Steps, d.Next = afterVerification(p, d.State, d.Steps, d.Next, true)
		return d
	}
	if p.Signal != 0 {
		d.Steps = append(d.Steps, Step{Kind: StepSignal, Signal: p.Signal, Why: SignalFailure})
	}
	if p.Fail {
		d.Steps = append(d.Steps, Step{Kind: StepFailScript})
	}
	if p.Threshold > 0 && st.Streak >= p.Threshold {
		// Recovery starts at once, after this failure's own actions.
		st.Mode, st.Attempt = RecoveryDue, 0
		d.Next = sched
	}
	return d
}

// afterVerification decides, after a verification run that was not ok,
// whether another verification run follows or this attempt has failed.
// counted is false for a run that could not start: it does not use up one
// of a count's runs (a window runs out all the same).
func afterVerification(p Policy, s State, steps []Step, next time.Time, counted bool) (State, []Step, time.Time) {
	if counted {
		s.Verified++
	}
	more := false
	if p.RecoveryTimeout > 0 {
		// Inclusive: a run may start while the time since the recovery
		// script ended is ≤ recovery_timeout.
		more = next.Sub(s.VerifyFrom) <= p.RecoveryTimeout
	} else {
		more = s.Verified < p.Threshold
	}
	if !more {
		// As HEAT slept after every failed run, the next attempt waits
		// one interval: the next slot.
		steps = append(steps, Step{Kind: StepRecoveryFailed})
		s.Mode = RecoveryDue
	}
	return s, steps, next
}

// Recover is the start of a recovery attempt, taken when the loop wakes in
// RecoveryDue: the fault signal, then the recovery script (when set).
func Recover(p Policy, s State) (State, []Step) {
	s.Attempt++
	steps := []Step{{Kind: StepRecoveryStarted}}
	if p.FaultSignal != 0 {
		steps = append(steps, Step{Kind: StepSignal, Signal: p.FaultSignal, Why: SignalFault})
	}
	if p.Recovery {
		steps = append(steps, Step{Kind: StepRecoveryScript})
	}
	return s, steps
}

// Recovered is the state once the recovery steps are done at end:
// verification starts, its first run at once.
func Recovered(s State, end time.Time) (State, time.Time) {
	s.Mode, s.Verified, s.VerifyFrom = Verifying, 0, end
	return s, end
}

// nextSlot is the slot after a run scheduled at sched that started at
// start: the first of sched's rhythm (sched, sched+interval, ...) after
// start. A run that started a whole interval or more late (the host was
// suspended, heatd was stopped with SIGSTOP, the run waited that long for a
// slot) stands for the slots it missed, which are skipped: counted from
// sched alone, the next slot would be past already and the check would run
// again at once, twice back to back. The rhythm itself stays, so checks
// that splay spread apart stay apart after they all wake late together.
func nextSlot(sched, start time.Time, interval time.Duration) time.Time {
	next := sched.Add(interval)
	if interval <= 0 || start.Before(next) {
		return next
	}
	missed := start.Sub(next)/interval + 1
	return next.Add(missed * interval)
}

// NextStart is when a run due at next really starts, the loop being free at
// now: on time, or at once when a run overran its slot. Slots missed while a
// run overran are skipped, never run in a burst.
func NextStart(next, now time.Time) time.Time {
	if next.Before(now) {
		return now
	}
	return next
}

// FailEnv is the fail script's HEAT_* environment after the failed run r.
func FailEnv(p Policy, r Result) []string {
	return []string{
		"HEAT_FAIL_CODE=" + strconv.Itoa(r.Code),
		"HEAT_FAIL_TIME=" + strconv.FormatInt(r.Unix, 10),
		"HEAT_FAIL_INTERVAL=" + Seconds(p.Interval),
		"HEAT_FAIL_PID=" + pidString(r.PID),
	}
}

// RecoveryEnv is the recovery script's HEAT_* environment in state s.
func RecoveryEnv(p Policy, s State) []string {
	return []string{
		"HEAT_FAIL_CODE=" + strconv.Itoa(s.LastCode),
		"HEAT_FAIL_TIME=" + strconv.FormatInt(s.FirstFailure, 10),
		"HEAT_FAIL_TIME_LAST=" + strconv.FormatInt(s.LastFailure, 10),
		"HEAT_FAIL_INTERVAL=" + Seconds(p.Interval),
		"HEAT_FAIL_PID=" + pidString(s.LastPID),
		"HEAT_FAIL_CNT=" + strconv.Itoa(s.Streak),
	}
}

// Seconds writes d in seconds as HEAT_FAIL_INTERVAL wants it: "1" when
// whole, a short decimal such as "0.5" otherwise.
func Seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// pidString is empty for a native probe, which has no process.
func pidString(pid int) string {
	if pid == 0 {
		return ""
	}
	return strconv.Itoa(pid)
}
