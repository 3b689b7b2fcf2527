package check

import (
	"slices"
	"time"
)

// The rules that bound remediation (SPEC 12): the backoff between
// attempts, giving up, and resuming. Pure, as the rest of machine.go.

// waitRun is what follows a run during a backoff wait that did not end
// the recovery, s and next changed in place: the next run one interval on,
// or the next attempt when the wait ends before it. A row of ok runs holds
// the attempt back (the service may be coming back by itself), and
// flapping holds it until it stops.
func waitRun(s *State, next *time.Time) {
	switch {
	case s.held():
		s.Mode = Normal
	case s.OKRow == 0 && !next.Before(s.RetryAt):
		s.Mode = RecoveryDue
		*next = s.RetryAt // past already when a row of ok runs held it: at once
	}
}

// maxDoublings bounds the doubling of the backoff: 2^40 times any positive
// duration is past what time.Duration holds, so the cap applies long before.
const maxDoublings = 40

// backoff is the wait before attempt k ≥ 2 of a streak:
// recovery_backoff × 2^(k−2), at most recovery_backoff_max, and never less
// than one interval (the wait HEAT's rule gives).
func backoff(p Policy, k int) time.Duration {
	wait := p.Backoff
	for range min(max(k-2, 0), maxDoublings) {
		if p.BackoffMax > 0 && wait >= p.BackoffMax {
			break
		}
		wait *= 2
	}
	if p.BackoffMax > 0 && wait > p.BackoffMax {
		wait = p.BackoffMax
	}
	return max(wait, p.Interval)
}

// Attempts are the start times of a check's recent recovery attempts,
// oldest first, for recovery_limit. An Attempts is never changed once
// made, so a State holding one is copied as freely as the rules' purity
// needs; nil is none.
type Attempts struct{ at []time.Time }

// Within is how many of the attempts started within window before now.
func (a *Attempts) Within(now time.Time, window time.Duration) int {
	if a == nil {
		return 0
	}
	n := 0
	for _, t := range a.at {
		if now.Sub(t) < window {
			n++
		}
	}
	return n
}

// Times are the start times, oldest first.
func (a *Attempts) Times() []time.Time {
	if a == nil {
		return nil
	}
	return slices.Clone(a.at)
}

// add is a with an attempt started at now, less those too old to count
// and those beyond the last keep (no more can matter).
func (a *Attempts) add(now time.Time, window time.Duration, keep int) *Attempts {
	var at []time.Time
	if a != nil {
		for _, t := range a.at {
			if now.Sub(t) < window {
				at = append(at, t)
			}
		}
	}
	at = append(at, now)
	if len(at) > keep {
		at = at[len(at)-keep:]
	}
	return &Attempts{at: at}
}

// Resume ends a pause and a gave_up (heatctl resume): the attempts counted
// by the limit are forgotten, and when the count is at the threshold a
// recovery starts at once (unless something else holds the check). The
// streak goes on, and so does its count of attempts. It reports whether s
// was paused or had given up.
func Resume(p Policy, s State) (State, bool) {
	if s.Mode != GivenUp && !s.Paused {
		return s, false
	}
	s.Paused = false
	if s.Mode == GivenUp {
		s.Mode, s.OKRow, s.Recent = Normal, 0, nil
	}
	if s.Mode == Normal && thresholdReached(p.Threshold, s.Streak) && !held(s) {
		s.Mode = RecoveryDue
	}
	return s, true
}
