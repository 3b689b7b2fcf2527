package check

import "time"

// Status is a check's state as an operator sees it.
type Status struct {
	Name     string
	Interval time.Duration
	State    State

	Runs       uint64 // check runs that completed, ok or failed
	Failed     uint64 // of which failed (timeouts included)
	TimedOut   uint64 // of which were ended by their timeout
	RunErrors  uint64 // runs that could not start (run_error)
	Panics     uint64 // times the loop panicked and started again
	Recoveries uint64 // verified recoveries
	Signals    map[SignalKind]uint64

	LastResult string        // "ok", "failed", "timeout" or "run_error"; "" before the first run
	LastCode   int           // exit code of the latest run
	LastRun    time.Time     // start of the latest run (wall clock)
	LastTook   time.Duration // how long the latest run took
	NextRun    time.Time     // when the loop wakes next (wall clock)
}

// Health names the state: "healthy", "failing" or "recovering". A check
// whose latest run could not start is "failing": run_error counts no
// failure, but a check that cannot run is not known to be healthy.
func (s *Status) Health() string {
	switch {
	case s.State.Mode != Normal:
		return "recovering"
	case s.State.Failures > 0, s.LastResult == "run_error":
		return "failing"
	}
	return "healthy"
}

// Health is the check's health now, as Status().Health() but cheaper.
func (c *Check) Health() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status.Health()
}

// Status is a copy of the check's current status.
func (c *Check) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.status
	s.Signals = make(map[SignalKind]uint64, len(c.status.Signals))
	for k, v := range c.status.Signals {
		s.Signals[k] = v
	}
	return s
}

// record counts a completed run.
func (c *Check) record(r Result, st State) {
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
		c.status.Failed++
		c.status.LastResult = "failed"
	}
	if r.TimedOut {
		c.status.TimedOut++
		c.status.LastResult = "timeout"
	}
	c.status.LastCode = r.Code
	c.status.LastRun = r.Start.Round(0)
	c.status.LastTook = r.Duration
	c.status.State = st
}
