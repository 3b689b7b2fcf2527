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
	// BackingOff: a recovery attempt failed and the next one waits
	// (recovery_backoff); runs go on every interval as in verification.
	BackingOff
	// GivenUp (state gave_up): recovery_limit attempts started within its window; runs go
	// on every interval and take no step until the check is ok by itself.
	GivenUp
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
	case BackingOff:
		return "backing_off"
	case GivenUp:
		return "gave_up"
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
	Flap            bool // flap_detection (SPEC 12; beside the bools: a Policy is kept per check)

	// The bounds of remediation (SPEC 12). Each zero value is HEAT's
	// behaviour.
	StartPeriod      time.Duration // failures this long after the first run take no step
	SuccessThreshold int           // ok runs in a row that end a streak; 0 is 1
	RetryInterval    time.Duration // the period while failing in normal mode; 0: Interval
	Backoff          time.Duration // the wait before a streak's second attempt, doubling; 0: one interval
	BackoffMax       time.Duration // the cap of that wait; 0: no cap
	Limit            int           // attempts allowed within LimitWindow; 0: no limit
	LimitWindow      time.Duration
	FlapLow          int // percent: flapping stops at a score this low
	FlapHigh         int // percent: flapping starts at a score this high
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

	// What the bounds of remediation (SPEC 12) remember. Each stays zero
	// under a Policy that leaves them zero.
	Starting bool      // within start_period (Begin sets it)
	Begun    time.Time // the first run's start: start_period counts from it
	OKRow    int       // ok runs in a row since the streak's latest failure
	RetryAt  time.Time // BackingOff: when the next attempt is due
	Recent   *Attempts // start times of recent attempts, for recovery_limit
	History  uint32    // the latest results, newest in bit 0, 1 for failed
	Results  uint8     // how many results History holds, at most flapResults
	Flapping bool

	// What holds every step besides flapping (SPEC 13): an operator's
	// pause, and a parent check that is not healthy (depends_on).
	Paused  bool
	Blocked bool
}

// Begin is the state of a check that starts (with heatd, or added or
// changed by a reload): starting, when p has a start period.
func Begin(p Policy) State {
	return State{Starting: p.StartPeriod > 0}
}

// Result is what one run of the check came to.
type Result struct {
	Start time.Time // the run's start, on the monotonic clock
	Unix  int64     // the run's start in unix seconds
	Code  int       // 0: ok
	PID   int       // the check process; 0 for a native probe

	Err      error // the run could not start (run_error): neither ok nor failed
	TimedOut bool  // ended by `timeout`: Code is 124 (28 for a native probe)

	// What the rules do not read, for events and the heat log. (Interrupted
	// lies beside TimedOut: two bools in one word, a Result 136 bytes, not
	// 144, in each frame that holds one.)
	Interrupted bool // cut short by a stop: reported, never acted on
	Duration    time.Duration
	Output      []byte        // the run's stderr, bounded
	Reason      string        // why it failed, in a line, where heatd knows ("killed by signal 9")
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
	StepBackoff                         // event recovery_backoff: the next attempt waits Step.Wait
	StepGaveUp                          // event recovery_gave_up and its heat log line
	StepFlappingStarted                 // event flapping_started and its heat log line
	StepFlappingStopped                 // event flapping_stopped and its heat log line
)

var stepNames = [...]string{"ok", "run_error", "timeout", "failed", "heat_log", "signal",
	"fail_script", "recovered", "recovery_failed", "recovery_started", "recovery_script",
	"backoff", "gave_up", "flapping_started", "flapping_stopped"}

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
	Wait   time.Duration  // StepBackoff
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
//
// Its helpers take the Policy, the Decision and the Result by pointer and
// change the Decision in place: copies of a Policy, a State and a Result
// (128, 184 and 144 bytes) in each of their frames made the rules the
// deepest part of a run's stack.
func Observe(p Policy, s State, r Result, sched time.Time) Decision {
	var d Decision
	observe(&p, &s, &r, sched, &d)
	return d
}

// observe is Observe, its Decision set in d.
func observe(p *Policy, s *State, r *Result, sched time.Time, d *Decision) {
	*d = Decision{State: *s, Next: nextSlot(sched, r.Start, p.Interval)}
	st := &d.State
	if st.Starting && st.Begun.IsZero() {
		st.Begun = r.Start
	}
	switch {
	case r.Err != nil:
		// heatd's own trouble, not the check's: no count, no action, and
		// not a result.
		d.Steps = []Step{{Kind: StepRunError}}
		switch s.Mode {
		case Verifying:
			afterVerification(p, d, sched, false)
		case BackingOff:
			waitRun(&d.State, &d.Next)
		}
	case r.Code == 0:
		observeOK(p, d, sched)
	case st.Starting && r.Start.Sub(st.Begun) < p.StartPeriod:
		// Failing while it starts: logged, nothing more.
		d.Steps = failedSteps(r.TimedOut)
	default:
		observeFailed(p, d, r, sched)
	}
	if d.State.Mode == Normal {
		d.Next = nextSlot(sched, r.Start, period(*p, d.State))
	}
}

// observeOK applies an ok run.
func observeOK(p *Policy, d *Decision, sched time.Time) {
	st := &d.State
	st.Starting = false
	d.Steps = append(d.Steps, Step{Kind: StepOK})
	stopped := noteResult(p, st, false, &d.Steps)
	switch {
	case st.Mode == Normal && st.Streak == 0:
	case st.OKRow+1 < successThreshold(p.SuccessThreshold):
		// The row goes on; the streak, a recovery, a wait or giving up
		// with it.
		st.OKRow++
		if st.Mode == Verifying {
			st.Verified++
		}
	default:
		switch st.Mode {
		case Verifying, BackingOff:
			if p.SuccessSignal != 0 {
				d.Steps = append(d.Steps, Step{Kind: StepSignal, Signal: p.SuccessSignal, Why: SignalSuccess})
			}
			d.Steps = append(d.Steps, Step{Kind: StepRecovered})
		case GivenUp:
			// heatd did not fix it: no success_signal.
			d.Steps = append(d.Steps, Step{Kind: StepRecovered})
		}
		st.heal()
	}
	if st.Mode == BackingOff {
		waitRun(st, &d.Next)
	}
	if stopped && st.Mode == Normal && thresholdReached(p.Threshold, st.Streak) && !st.held() {
		// Held by flapping: the streak's attempts go on.
		st.Mode = RecoveryDue
		d.Next = sched
	}
}

// observeFailed applies a failed run, the start period over.
func observeFailed(p *Policy, d *Decision, r *Result, sched time.Time) {
	st := &d.State
	st.Starting = false
	d.Steps = failedSteps(r.TimedOut)
	st.Streak++
	if st.Streak == 1 {
		st.FirstFailure = r.Unix
	}
	st.LastFailure, st.LastCode, st.LastPID = r.Unix, r.Code, r.PID
	st.OKRow = 0
	noteResult(p, st, true, &d.Steps)

	switch st.Mode {
	case Verifying:
		afterVerification(p, d, sched, true)
		return
	case BackingOff:
		waitRun(st, &d.Next)
		return
	case GivenUp:
		return
	}
	if st.held() {
		return // counted, and held
	}
	if p.Signal != 0 {
		d.Steps = append(d.Steps, Step{Kind: StepSignal, Signal: p.Signal, Why: SignalFailure})
	}
	if p.Fail {
		d.Steps = append(d.Steps, Step{Kind: StepFailScript})
	}
	if thresholdReached(p.Threshold, st.Streak) {
		// Recovery starts at once, after this failure's own actions. (A
		// streak that flapping held has had attempts: they go on.)
		st.Mode = RecoveryDue
		d.Next = sched
	}
}

// failedSteps are the event and heat log of a failed run, one that timed
// out or not.
func failedSteps(timedOut bool) []Step {
	if timedOut {
		return []Step{{Kind: StepTimeout}, {Kind: StepFailed}, {Kind: StepHeatLog}}
	}
	return []Step{{Kind: StepFailed}, {Kind: StepHeatLog}}
}

// thresholdReached reports whether a streak of failures at a threshold
// calls for recovery.
func thresholdReached(threshold, streak int) bool {
	return threshold > 0 && streak >= threshold
}

// heal ends s's streak: what outlives a streak stays (the start period,
// recent attempts, the flap history).
func (s *State) heal() {
	*s = State{Begun: s.Begun, Recent: s.Recent, History: s.History, Results: s.Results, Flapping: s.Flapping,
		Paused: s.Paused, Blocked: s.Blocked}
}

// successThreshold is the ok runs in a row that end a streak, under a
// success_threshold of n.
func successThreshold(n int) int {
	return max(n, 1)
}

// period is the time between runs in normal mode: retry_interval while
// the check is failing.
func period(p Policy, s State) time.Duration {
	if s.Streak > 0 && p.RetryInterval > 0 {
		return p.RetryInterval
	}
	return p.Interval
}

// afterVerification decides, after a verification run that did not verify
// the recovery, whether another verification run follows or this attempt
// has failed. counted is false for a run that could not start: it does not
// use up one of a count's runs (a window runs out all the same). A row of
// ok runs, begun before the end, goes on past it.
//
// It changes d, the Decision so far, in place.
func afterVerification(p *Policy, d *Decision, sched time.Time, counted bool) {
	s := &d.State
	if counted {
		s.Verified++
	}
	more := s.OKRow > 0
	switch {
	case more:
	case p.RecoveryTimeout > 0:
		// Inclusive: a run may start while the time since the recovery
		// script ended is ≤ recovery_timeout.
		more = d.Next.Sub(s.VerifyFrom) <= p.RecoveryTimeout
	default:
		more = s.Verified < p.Threshold
	}
	if more {
		return
	}
	d.Steps = append(d.Steps, Step{Kind: StepRecoveryFailed})
	switch {
	case s.held():
		// Held: the end of flapping (or of what else holds it) starts
		// the next attempt.
		s.Mode = Normal
	case p.Backoff <= 0:
		// As HEAT slept after every failed run, the next attempt waits
		// one interval: the next slot.
		s.Mode = RecoveryDue
	default:
		wait := backoff(*p, s.Attempt+1)
		d.Steps = append(d.Steps, Step{Kind: StepBackoff, Wait: wait})
		s.Mode, s.RetryAt = BackingOff, sched.Add(wait)
		waitRun(s, &d.Next)
	}
}

// Recover is the start of a recovery attempt, taken when the loop wakes in
// RecoveryDue at now: the fault signal, then the recovery script (when
// set); or, when recovery_limit attempts started within its window, giving
// up (mode GivenUp, whose next run is one interval on).
func Recover(p Policy, s State, now time.Time) (State, []Step) {
	s.RetryAt = time.Time{}
	if p.Limit > 0 && s.Recent.Within(now, p.LimitWindow) >= p.Limit {
		s.Mode, s.OKRow = GivenUp, 0
		return s, []Step{{Kind: StepGaveUp}}
	}
	if p.Limit > 0 {
		s.Recent = s.Recent.add(now, p.LimitWindow, p.Limit)
	}
	s.Attempt++
	s.OKRow = 0 // verification counts the ok runs after the recovery
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
