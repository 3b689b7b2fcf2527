package check

import (
	"fmt"
	"time"

	"github.com/heatd/heatd/action"
)

// A check's loop says what it is doing and by when it must be done, so a
// supervisor can tell a loop that works from one that is wedged: the
// watchdog pings systemd only while every loop is live.

// StallSlack is how far past its deadline a loop may be before it counts as
// wedged. A timer fires late on a loaded host, and a killed process takes a
// moment to be reaped; ten seconds past every bound is none of those.
const StallSlack = 10 * time.Second

// actionBound bounds a step that starts no process: writing a heat log,
// sending a signal.
const actionBound = 10 * time.Second

// phase is what a loop is doing and the time it must be done by; a zero
// deadline has no bound (waiting for a slot, or a heat run with no timeout).
type phase struct {
	what     string
	deadline time.Time
}

// enter records that the loop starts what, bounded by d from now (0: no
// bound).
func (c *Check) enter(what string, d time.Duration) {
	p := phase{what: what}
	if d > 0 {
		p.deadline = time.Now().Add(d)
	}
	c.mu.Lock()
	c.phase = p
	c.mu.Unlock()
}

// waitFor records that the check sleeps until next, and shows next in its
// status; c.mu is held.
func (c *Check) waitFor(next time.Time) {
	c.phase = phase{what: "waiting for its next run", deadline: next}
	c.status.NextRun = time.Now().Round(0).Add(time.Until(next))
}

// processBound is how long a process with this timeout may take before the
// loop is wedged: the timeout, then SIGTERM to SIGKILL.
func processBound(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 0
	}
	return timeout + action.KillDelay
}

// Stalled reports a loop that is past its deadline by more than
// StallSlack: the timer that should have woken it did not, or a process
// outlived its timeout and its kill.
func (c *Check) Stalled(now time.Time) error {
	c.mu.Lock()
	p := c.phase
	c.mu.Unlock()
	if p.deadline.IsZero() {
		return nil
	}
	if late := now.Sub(p.deadline); late > StallSlack {
		return fmt.Errorf("check %q is stuck %s: %s past its deadline", c.name, p.what, late.Round(time.Millisecond))
	}
	return nil
}
