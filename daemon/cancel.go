package daemon

import (
	"context"
	"sync"
	"time"
)

// cancelSignal is a context that ends when cancel is called: a check's stop
// or kill. context.WithCancel would do, at a cost that ten thousand checks
// multiply: its CancelFunc, and a map of children that the first
// context.AfterFunc on it makes (the check's own, at its start) and that
// stays. A cancelSignal keeps its AfterFunc callbacks in a list instead
// (a slice's header would make it 48 bytes, not 32; a check has a few at
// most), which the context package uses for any context that has an AfterFunc
// method. A kill's channel is made with it, before any run, so that none is
// made amid a burst of first runs' garbage (every run's context is made
// from the kill, and asks for it); a stop's, when first asked for: the
// check asks a stop only its Err and AfterFunc, and its channel would be
// one more object kept for nothing by each idle check.
type cancelSignal struct {
	mu    sync.Mutex
	done  chan struct{} // nil until Done when not made at once
	ended bool          // cancel came: Err is context.Canceled (a bool, not the error)
	hooks *hook         // the AfterFunc callbacks not yet run or stopped, the latest first
}

// hook is one AfterFunc callback of a cancelSignal.
type hook struct {
	s    *cancelSignal
	f    func()
	next *hook // the one before it
}

// A zero cancelSignal makes its channel when Done is first called (a
// stop's); makeDone makes it at once (a kill's).

// newCancelSignal makes a cancelSignal and its channel.
func newCancelSignal() *cancelSignal {
	s := &cancelSignal{}
	s.makeDone()
	return s
}

// makeDone makes the channel of a cancelSignal not yet used.
func (s *cancelSignal) makeDone() { s.done = make(chan struct{}) }

// cancel ends the context, once: Done is closed, Err is context.Canceled,
// and the AfterFunc callbacks run, each on a goroutine of its own.
func (s *cancelSignal) cancel() {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	if s.done != nil {
		close(s.done)
	}
	hooks := s.hooks
	s.hooks = nil
	s.mu.Unlock()
	for h := hooks; h != nil; h = h.next {
		go h.f()
	}
}

// AfterFunc arranges for f to run once the context has ended, as
// context.AfterFunc says; stop keeps it from running, and reports whether
// it did.
func (s *cancelSignal) AfterFunc(f func()) (stop func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		go f()
		return func() bool { return false }
	}
	h := &hook{s: s, f: f, next: s.hooks}
	s.hooks = h
	return h.stop
}

// stop takes h out of its context's callbacks; false when it has run.
func (h *hook) stop() bool {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for at := &s.hooks; *at != nil; at = &(*at).next {
		if *at == h {
			*at = h.next
			return true
		}
	}
	return false
}

// Deadline is context.Context's: none.
func (s *cancelSignal) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done is closed by cancel.
func (s *cancelSignal) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		s.done = make(chan struct{})
		if s.ended {
			close(s.done)
		}
	}
	return s.done
}

// Err is nil until cancel, then context.Canceled.
func (s *cancelSignal) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return context.Canceled
	}
	return nil
}

// Value is context.Context's: a cancelSignal carries no values.
func (s *cancelSignal) Value(any) any { return nil }
