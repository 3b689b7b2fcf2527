package check

import (
	"bytes"
	"strings"
)

// Alarms are the conditions of a check that the fleet is told of (heatd's
// alerts to Alertmanager), one bit each. They follow conditions, not the
// one state heatctl shows: a check can be recovering and flapping at once,
// and while the state shows only the first, each condition has its alert.
type Alarms uint8

// The conditions, one bit each.
const (
	// AlarmRecovering: the check is in its recovery cycle (its Mode is not
	// Normal: a recovery due, verifying, or backing off), and heatd has not
	// given up on it.
	AlarmRecovering Alarms = 1 << iota
	// AlarmGaveUp: heatd gave up recovering the check (state gave_up, Mode
	// GivenUp). Giving up ends the recovery, so this bit holds in place of
	// AlarmRecovering.
	AlarmGaveUp
	// AlarmFlapping: the check is flapping (State.Flapping), whatever else
	// holds.
	AlarmFlapping
	// AlarmPaused: the check is paused (heatctl pause). No alert follows
	// it: a paused check fires nothing new, while what fired before the
	// pause goes on until it resolves.
	AlarmPaused
)

// alarmNames name the bits, lowest first, for events and tests.
var alarmNames = [...]string{"recovering", "gave_up", "flapping", "paused"}

// String names the alarms that hold, joined by "|"; "none" for none.
func (a Alarms) String() string {
	var names []string
	for i, n := range alarmNames {
		if a&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// alarmsOf are the conditions that hold of a check in state st.
func alarmsOf(st State) Alarms {
	var a Alarms
	switch {
	case st.Mode == GivenUp:
		a |= AlarmGaveUp
	case st.Mode != Normal:
		a |= AlarmRecovering
	}
	if st.Flapping {
		a |= AlarmFlapping
	}
	if st.Paused {
		a |= AlarmPaused
	}
	return a
}

// AlarmFunc is told of a check's alarms changing: name is the check's,
// from and to its alarms before and after the step, last its latest run
// (for the alert's exit code and output; its Output holds stderr's first
// line only). The loop calls it outside its locks, from the step's own
// goroutine, so it must not block: it holds up the check's next run.
type AlarmFunc func(name string, from, to Alarms, last Result)

// alarmed follows a step that left the check in state st, r being the
// step's run (zero for a recovery step, which shows the run before it),
// and tells OnAlarms when the alarms changed, with the latest run, its
// Output cut to the first line. A change made between steps (Resume
// ending a gave_up) is told after the next step, which comes at once when
// a recovery is due.
//
// The latest run is kept (in the check's rare) only once a run has
// failed: the one step that tells no run of its own, a recovery, comes
// only after a failed run, and a check whose runs have all been ok, most
// of them, keeps none (a Result is 144 bytes; ten thousand checks).
func (c *Check) alarmed(st State, r Result) {
	if c.onAlarms == nil {
		return
	}
	var k *rare
	if !r.Start.IsZero() {
		// Only the first line is kept: a check's alarms must not hold its
		// whole stderr between runs.
		out := r.Output
		if i := bytes.IndexAny(out, "\r\n"); i >= 0 {
			out = out[:i]
		}
		r.Output = bytes.Clone(out)
		c.mu.Lock()
		if c.rare != nil || r.Code != 0 || r.Err != nil {
			k = c.kept()
		}
		c.mu.Unlock()
		if k != nil {
			k.failed = k.failed || r.Code != 0 || r.Err != nil
			if k.failed {
				k.last = r
			}
		}
	} else {
		c.mu.Lock()
		k = c.rare
		c.mu.Unlock()
		r = Result{}
		if k != nil && k.failed {
			r = k.last
		}
	}
	to := alarmsOf(st)
	if to == c.alarms {
		return
	}
	from := c.alarms
	c.alarms = to
	c.onAlarms(c.name, from, to, r)
}
