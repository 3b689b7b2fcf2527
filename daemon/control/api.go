package control

import (
	"time"

	"github.com/heatd/heatd/check"
)

// This file is the control socket's wire format: HTTP/1.1 over the unix
// socket, JSON bodies. It is public and stable: scripts and monitoring read
// it. Fields may be added; none is renamed, removed or changes its meaning.
//
//	GET  /v1/status[?name=NAME&name=NAME...]  200 StatusReply; 404 ErrorReply naming the unknown checks
//	POST /v1/reload                           200 ReloadReply (applied); 422 ReloadReply (rejected)
//	POST /v1/beat/NAME   body BeatRequest     200 BeatReply; 404 ErrorReply (no heartbeat check NAME);
//	                                          400 ErrorReply (a bad request)
//	POST /v1/pause       body PauseRequest    200 PauseReply; 404 ErrorReply naming the unknown checks
//	POST /v1/resume      body ResumeRequest   200 ResumeReply; 404 ErrorReply naming the unknown checks
//	POST /v1/run/NAME                         200 RunReply (the run's result); 404 ErrorReply (no check NAME)
//
// pause, resume, run and reload need a caller of uid 0 (or heatd's own),
// as the kernel gives it for the connection (SO_PEERCRED); another caller
// gets 403 and an ErrorReply. Any other answer carries an ErrorReply.

// StatusReply is the answer to GET /v1/status: every check, or the ones
// named, sorted by name.
type StatusReply struct {
	Checks []CheckStatus `json:"checks"`
}

// CheckStatus is one check's live state. A field that has no value yet is
// null, never a made-up zero: LastResult, LastExitCode, LastRun and
// LastDurationSeconds before the first completed run.
type CheckStatus struct {
	// Name is the check's name, as in [check.NAME].
	Name string `json:"name"`
	// State is "healthy" (the last run was ok, or none has run yet),
	// "failing" (consecutive failures, recovery not begun) or "recovering"
	// (the recovery cycle: fault signal, recovery script, verification).
	State string `json:"state"`
	// ConsecutiveFailures is the current streak of failed runs: 0 after an
	// ok run.
	ConsecutiveFailures int `json:"consecutive_failures"`
	// LastResult is the latest completed run's result: "ok", "failed" or
	// "timeout" (a failure too, code 124 for a process, 28 for a probe).
	LastResult *string `json:"last_result"`
	// LastExitCode is the latest completed run's exit code (128+N when
	// killed by signal N; curl's codes for a native probe).
	LastExitCode *int `json:"last_exit_code"`
	// LastRun is when the latest completed run started.
	LastRun *time.Time `json:"last_run"`
	// NextRun is when the check's loop wakes next, to run the check or to
	// start a recovery; it is in the past while that run is under way.
	NextRun *time.Time `json:"next_run"`
	// LastDurationSeconds is how long the latest completed run took.
	LastDurationSeconds *float64 `json:"last_duration_seconds"`
	// IntervalSeconds is the check's interval.
	IntervalSeconds float64 `json:"interval_seconds"`
	// Runs counts the runs that completed since the check started (with
	// this configuration), verification runs included.
	Runs uint64 `json:"runs"`
	// Failures counts the completed runs that failed, timeouts included.
	Failures uint64 `json:"failures"`
	// Timeouts counts the runs ended by the check's timeout.
	Timeouts uint64 `json:"timeouts"`
	// RunErrors counts the runs that could not start (event run_error):
	// neither ok nor failed, not in Runs.
	RunErrors uint64 `json:"run_errors"`
	// Recoveries counts verified recoveries.
	Recoveries uint64 `json:"recoveries"`
	// RecoveryAttempt is, while recovering, the recovery attempt under way
	// or about to start (1 for the first of the streak); 0 otherwise.
	RecoveryAttempt int `json:"recovery_attempt"`
	// Signals counts the signals delivered to the target, by occasion.
	Signals SignalCounts `json:"signals"`
	// Pause is the operator's pause in force (state "paused"); null when
	// the check is not paused.
	Pause *PauseStatus `json:"pause"`
	// BlockedBy is the check it depends on (depends_on) that is not
	// healthy, which blocks it (state "blocked"); null when none does.
	BlockedBy *string `json:"blocked_by"`
}

// PauseStatus is a check's pause (heatctl pause).
type PauseStatus struct {
	// Since is when it was paused.
	Since time.Time `json:"since"`
	// Until is when the pause ends by itself; null: at a resume.
	Until *time.Time `json:"until"`
	// Reason is the operator's --reason; "" when none was given.
	Reason string `json:"reason"`
	// UID is the user who paused it.
	UID int `json:"uid"`
}

// SignalCounts counts the signals delivered to a check's target, by the
// occasion that sent them (the `kind` of the signal_sent event).
type SignalCounts struct {
	Failure uint64 `json:"failure"` // `signal`, on each normal-mode failure
	Fault   uint64 `json:"fault"`   // `fault_signal`, before each recovery
	Success uint64 `json:"success"` // `success_signal`, on a verified recovery
}

// ReloadReply is the answer to POST /v1/reload.
type ReloadReply struct {
	// Applied is true when the configuration was read again and applied.
	Applied bool `json:"applied"`
	// Errors, when the reload was rejected, say why, one problem each,
	// as the config_reload_failed event lists them. The old configuration
	// runs on.
	Errors []string `json:"errors,omitempty"`
}

// BeatRequest is the body of POST /v1/beat/NAME: a job's report to its
// heartbeat check. An empty body is a report that the job ran well.
type BeatRequest struct {
	// FailCode, when not 0, says that the job failed with this exit code
	// (1 to 255): the check's next run fails with it.
	FailCode int `json:"fail_code,omitempty"`
	// Message says how it failed; it goes to the heat log.
	Message string `json:"message,omitempty"`
}

// BeatReply is the answer to POST /v1/beat/NAME: the report was taken.
type BeatReply struct {
	// Check is the heartbeat check that took it.
	Check string `json:"check"`
}

// PauseRequest is the body of POST /v1/pause.
type PauseRequest struct {
	// Checks are the names of the checks to pause; with All, none.
	Checks []string `json:"checks,omitempty"`
	// All pauses every check.
	All bool `json:"all,omitempty"`
	// ForSeconds, when above 0, ends the pause by itself that long after
	// it began; otherwise it lasts until a resume.
	ForSeconds float64 `json:"for_seconds,omitempty"`
	// Reason is the operator's note, in the check_paused event, the heat
	// log and the status.
	Reason string `json:"reason,omitempty"`
}

// PauseReply is the answer to POST /v1/pause.
type PauseReply struct {
	// Checks are the checks paused, sorted.
	Checks []string `json:"checks"`
	// Until is when the pause ends by itself; null: at a resume.
	Until *time.Time `json:"until"`
}

// ResumeRequest is the body of POST /v1/resume.
type ResumeRequest struct {
	// Checks are the names of the checks to resume; with All, none.
	Checks []string `json:"checks,omitempty"`
	// All resumes every check.
	All bool `json:"all,omitempty"`
}

// ResumeReply is the answer to POST /v1/resume.
type ResumeReply struct {
	// Checks are the checks named (or all of them), sorted: each is
	// neither paused nor given up now.
	Checks []string `json:"checks"`
}

// RunReply is the answer to POST /v1/run/NAME: the run's result.
type RunReply struct {
	// Check is the check that ran.
	Check string `json:"check"`
	// Result is "ok", "failed", "timeout" (a failure too) or "run_error"
	// (heatd could not start it: Error says why).
	Result string `json:"result"`
	// ExitCode is the run's code (0: ok).
	ExitCode int `json:"exit_code"`
	// Output is the first line of the run's stderr.
	Output string `json:"output,omitempty"`
	// Error, for a run_error, says why the run could not start.
	Error string `json:"error,omitempty"`
}

// ErrorReply is the body of every other answer that is not a success.
type ErrorReply struct {
	// Error says what went wrong, in a sentence for a person.
	Error string `json:"error"`
	// Unknown lists, for GET /v1/status, the names asked for that no
	// check has (sorted). Absent otherwise.
	Unknown []string `json:"unknown,omitempty"`
}

// timePrecision is what the wire keeps of a timestamp: the nanoseconds of
// the monotonic clock's reading are noise to a reader.
const timePrecision = time.Millisecond

// statusOf is s as the wire has it.
func statusOf(s *check.Status) CheckStatus {
	c := CheckStatus{
		Name:                s.Name,
		State:               s.Health().String(),
		ConsecutiveFailures: s.State.Streak,
		LastRun:             timeOrNull(s.LastRun),
		NextRun:             timeOrNull(s.NextRun),
		IntervalSeconds:     s.Interval.Seconds(),
		Runs:                s.Runs,
		Failures:            s.FailedRuns,
		Timeouts:            s.TimeoutRuns,
		RunErrors:           s.RunErrors,
		Recoveries:          s.Recoveries,
		RecoveryAttempt:     attempt(s.State),
		Signals: SignalCounts{
			Failure: s.Signals[check.SignalFailure],
			Fault:   s.Signals[check.SignalFault],
			Success: s.Signals[check.SignalSuccess],
		},
	}
	if p := s.Pause; p != nil {
		c.Pause = &PauseStatus{Since: *timeOrNull(p.Since), Until: timeOrNull(p.Until), Reason: p.Reason, UID: p.UID}
	}
	if s.BlockedBy != "" {
		by := s.BlockedBy
		c.BlockedBy = &by
	}
	if s.LastResult != "" {
		result, code, took := s.LastResult, s.LastCode, s.LastTook.Seconds()
		c.LastResult, c.LastExitCode, c.LastDurationSeconds = &result, &code, &took
	}
	return c
}

// attempt is the recovery attempt under way or next in state st. The state
// counts the attempts begun: while it waits to begin one (RecoveryDue) that
// count is the attempts already made, so the one to come is the next.
func attempt(st check.State) int {
	switch st.Mode {
	case check.RecoveryDue:
		return st.Attempt + 1
	case check.Verifying:
		return st.Attempt
	}
	return 0
}

// timeOrNull is t on the wire: null when t is the zero time.
func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.Round(0).Truncate(timePrecision)
	return &t
}
