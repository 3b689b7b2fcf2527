package check

import (
	"maps"
	"time"
)

// Status is a check's state as an operator sees it.
type Status struct {
	Name     string
	Interval time.Duration
	State    State

	Runs        uint64 // check runs that completed, ok or failed
	FailedRuns  uint64 // of which failed (timeouts included)
	TimeoutRuns uint64 // of which were ended by their timeout
	RunErrors   uint64 // runs that could not start (run_error)
	Panics      uint64 // times the loop panicked and started again
	Recoveries  uint64 // verified recoveries
	Signals     map[SignalKind]uint64

	// Counted as they happen, not read off the state at a scrape: a
	// recovery that starts and is verified within 40 ms would never be
	// seen between two scrapes a second apart.
	RecoveryAttempts uint64                // recovery scripts or unit restarts started
	RecoveriesFailed uint64                // attempts whose verification found no ok run
	SignalsFailed    map[SignalKind]uint64 // signals that could not be sent, by occasion

	LastResult string        // "ok", "failed", "timeout" or "run_error"; "" before the first run
	LastCode   int           // exit code of the latest run
	LastRun    time.Time     // start of the latest run (wall clock)
	LastOK     time.Time     // start of the latest ok run (wall clock)
	LastTook   time.Duration // how long the latest run took
	NextRun    time.Time     // when the loop wakes next (wall clock)

	// Pause is the operator's pause in force; nil: none. Never changed
	// in place.
	Pause *Pause
	// BlockedBy is the check it depends on that blocks it; "": none.
	BlockedBy string
}

// Health is the check's state as an operator sees it. A check whose
// latest run could not start is failing: run_error counts no failure, but a
// check that cannot run is not known to be healthy.
func (s *Status) Health() Health {
	if s.Pause != nil {
		return Paused // at once, though the rules take the pause after the step under way
	}
	h := healthOf(s.State)
	if h == Healthy && s.LastResult == "run_error" {
		return Failing
	}
	return h
}

// Health is the check's health now, as Status().Health() but cheaper.
func (c *Check) Health() Health {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status.Health()
}

// Status is a copy of the check's current status.
func (c *Check) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.status
	s.Signals = maps.Clone(c.status.Signals)
	if s.Signals == nil {
		s.Signals = map[SignalKind]uint64{}
	}
	s.SignalsFailed = maps.Clone(c.status.SignalsFailed)
	return s
}

// recoveryStarted counts a recovery script or unit restart about to start.
func (c *Check) recoveryStarted() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.RecoveryAttempts++
}

// recoveryFailed counts a recovery attempt whose verification failed.
func (c *Check) recoveryFailed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.RecoveriesFailed++
}

// signalFailed counts a signal of occasion why that was not sent.
func (c *Check) signalFailed(why SignalKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status.SignalsFailed == nil {
		c.status.SignalsFailed = make(map[SignalKind]uint64) // most checks never signal
	}
	c.status.SignalsFailed[why]++
}

// record counts a completed run.
func (c *Check) record(r *Result, st *State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Err != nil {
		c.status.RunErrors++
		// No process ran: no exit code (-1, as os.ProcessState says) and
		// no duration, but the attempt's time.
		c.status.LastResult, c.status.LastCode, c.status.LastTook = "run_error", -1, 0
		c.status.LastRun = r.Start.Round(0)
		return
	}
	c.status.Runs++
	c.status.LastResult = "ok"
	if r.Code != 0 {
		c.status.FailedRuns++
		c.status.LastResult = "failed"
	}
	if r.TimedOut {
		c.status.TimeoutRuns++
		c.status.LastResult = "timeout"
	}
	c.status.LastCode = r.Code
	c.status.LastRun = r.Start.Round(0)
	if r.Code == 0 {
		c.status.LastOK = c.status.LastRun
	}
	c.status.LastTook = r.Duration
	c.status.State = *st
}
