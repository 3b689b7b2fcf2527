package state

import (
	"maps"
	"time"

	"go.uber.org/zap"
)

// The writer retries a failed write by itself, so that a folder made
// writable again (space freed, a mount fixed) gets the state without
// waiting for the next change: first after retryMin, doubling up to
// retryMax, which bounds both the load on a broken disk and how stale the
// file stays once it is fixed.
const (
	retryMin = time.Second
	retryMax = time.Minute
)

// writer is the goroutine that writes the state file.
type writer struct {
	s       *Store
	failing bool // the last write failed, and said so
}

// run writes the file at each change until the Store closes, then once
// more. Changes that come while it writes are written together by the
// next write: a burst of a thousand changes is a handful of writes.
func (w *writer) run() {
	defer close(w.s.done)
	var retry *time.Timer
	delay := retryMin
	for {
		var fire <-chan time.Time
		if retry != nil {
			fire = retry.C
		}
		select {
		case <-w.s.nudge:
		case <-fire:
		case <-w.s.quit:
			if retry != nil {
				retry.Stop()
			}
			w.flush()
			return
		}
		if w.flush() {
			delay = retryMin
			if retry != nil {
				retry.Stop()
				retry = nil
			}
			continue
		}
		if retry == nil {
			retry = time.NewTimer(delay)
		} else {
			retry.Reset(delay)
		}
		delay = min(2*delay, retryMax)
	}
}

// flush writes the entries when the file lacks a change; ok is false when
// that write failed. A failure is said once (state_file_failed, warn)
// until a write succeeds again, which is said once too
// (state_file_written); nothing is lost meanwhile, since every write
// carries every entry.
func (w *writer) flush() (ok bool) {
	s := w.s
	s.mu.Lock()
	if !s.dirty {
		s.mu.Unlock()
		return true
	}
	// A copy of the map is enough: a stored entry is never changed in
	// place. Encoding 10,000 paused checks takes some 50 ms, which no
	// Update then waits for.
	entries := maps.Clone(s.entries)
	s.dirty = false
	s.mu.Unlock()
	data, err := encode(entries)
	if err == nil {
		err = s.f.write(data)
	}
	if err != nil {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
		if !w.failing {
			w.failing = true
			s.log.Warn("state_file_failed", zap.String("path", s.f.path), zap.Error(err))
		}
		return false
	}
	if w.failing {
		w.failing = false
		s.log.Info("state_file_written", zap.String("path", s.f.path))
	}
	return true
}
