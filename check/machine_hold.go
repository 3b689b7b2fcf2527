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
