package check

// What holds a check's steps besides flapping (SPEC 13): an operator's
// pause and a parent that is not healthy. A held check goes on running; its
// failed runs are logged and counted, and take no step: no signal, no fail
// script, no recovery. Pure, as the rest of machine.go.

import "time"

// held reports whether s takes no step after a failed run.
func held(s State) bool {
	return s.Flapping || s.Paused || s.Blocked
}

// held reports whether s takes no step after a failed run, read where it
// lies rather than copied.
func (s *State) held() bool {
	return s.Flapping || s.Paused || s.Blocked
}

// Suspend holds s (heatctl pause), taken between steps at now, the loop
// due to wake at next: a recovery due does not start, and one whose script
// has run stops there, without its verification or backoff: its runs are
// normal runs from then on, counted, the next at its slot (a wake due now,
// for the recovery or its first verification run, moves to the next slot).
// A check that gave up stays given up (and paused). Its streak and its
// attempts go on, so that a resume at the threshold starts the next
// attempt at once.
func Suspend(p Policy, s State, next, now time.Time) (State, time.Time) {
	s.Paused = true
	switch s.Mode {
	case RecoveryDue, Verifying, BackingOff:
		s.Mode, s.Verified, s.OKRow, s.RetryAt = Normal, 0, 0, time.Time{}
		if !next.After(now) {
			next = nextSlot(next, now, period(p, s))
		}
	}
	return s, next
}

// Block holds s while a check it depends on is not healthy, as flapping
// holds it: its failures are counted with no step; a recovery under way
// goes on to its verification, and what would follow a failed one waits.
func Block(s State) State {
	s.Blocked = true
	return s
}

// Unblock ends Block: when the count is at the threshold and nothing else
// holds s, a recovery starts at once.
func Unblock(p Policy, s State) State {
	s.Blocked = false
	if s.Mode == Normal && thresholdReached(p.Threshold, s.Streak) && !held(s) {
		s.Mode = RecoveryDue
	}
	return s
}

// Unhealthy reports whether a check in state s makes the checks that
// depend on it blocked (SPEC 13): its count ≥ 1, recovering, given up or
// flapping. A pause or a block of its own does not count: a paused parent
// counts by its own results.
func Unhealthy(s State) bool {
	return s.Streak > 0 || s.Mode != Normal || s.Flapping
}
