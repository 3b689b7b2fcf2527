package state

import (
	"slices"
	"time"
)

// Entry is what heatd keeps of one check across its restarts: what an
// operator or heatd decided about it. Counts and schedules are not kept:
// they start afresh, as after a changed check. Times are wall-clock
// times (a monotonic reading means nothing to the next process), in UTC.
type Entry struct {
	// Pause is the check's pause; nil: it is not paused.
	Pause *Pause `json:"paused,omitempty"`
	// GaveUp is when heatd gave up recovering the check; zero: it has not.
	GaveUp time.Time `json:"gave_up,omitzero"`
	// Attempts are the start times of the check's recent recovery
	// attempts, oldest first, for recovery_limit (AddAttempt).
	Attempts []time.Time `json:"recovery_attempts,omitempty"`
	// Settings is a digest of the check's settings when GaveUp and
	// Attempts were kept: a check changed while heatd was down starts
	// afresh, as one a reload changes does. Alone, it keeps nothing.
	Settings string `json:"settings,omitempty"`
}

// Pause is an operator's pause of a check.
type Pause struct {
	Since time.Time `json:"since"`
	// Until is when the pause ends by itself; zero: at a resume.
	Until  time.Time `json:"until,omitzero"`
	Reason string    `json:"reason,omitempty"`
	// UID is the user who paused the check, as the control socket saw
	// the caller (SO_PEERCRED).
	UID int `json:"uid"`
}

// AddAttempt records a recovery attempt started at start, and forgets
// those that started more than window before it: they no longer count
// against recovery_limit, and the file stays as small as the limit.
func (e *Entry) AddAttempt(start time.Time, window time.Duration) {
	start = wall(start)
	cut := start.Add(-window)
	e.Attempts = slices.DeleteFunc(e.Attempts, func(t time.Time) bool { return t.Before(cut) })
	e.Attempts = append(e.Attempts, start)
}

// IsZero reports whether e keeps nothing: such an entry is not stored.
func (e Entry) IsZero() bool {
	return e.Pause == nil && e.GaveUp.IsZero() && len(e.Attempts) == 0
}

// Decided is e less what the check decided (gave_up, attempts) when those
// were kept for other settings than settings: the check changed since.
func (e Entry) Decided(settings string) Entry {
	if e.Settings != settings {
		e.GaveUp, e.Attempts = time.Time{}, nil
	}
	return e
}

// clone is a deep copy of e: a stored entry is never changed in place, so
// a snapshot of the map is a snapshot of the entries.
func (e Entry) clone() Entry {
	if e.Pause != nil {
		p := *e.Pause
		e.Pause = &p
	}
	e.Attempts = slices.Clone(e.Attempts)
	return e
}

// normal is e with every time as the file keeps it, so that what is in
// memory equals what a later start reads, and an unchanged entry is seen
// to be unchanged.
func (e Entry) normal() Entry {
	if e.Pause != nil {
		e.Pause.Since, e.Pause.Until = wall(e.Pause.Since), wall(e.Pause.Until)
	}
	e.GaveUp = wall(e.GaveUp)
	for i, t := range e.Attempts {
		e.Attempts[i] = wall(t)
	}
	if len(e.Attempts) == 0 {
		e.Attempts = nil
	}
	return e
}

// wall is t in UTC without its monotonic reading; the zero time stays
// zero.
func wall(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}
