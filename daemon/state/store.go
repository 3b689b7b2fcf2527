// Package state keeps what an operator or heatd decided about each check
// (a pause, giving up, the recent recovery attempts) in a file, so that a
// restart of heatd (an upgrade, a watchdog kill) does not undo it. The
// file is written by a goroutine of its own when such a fact changes,
// never by the check that changed it, and always atomically.
package state

import (
	"errors"
	"maps"
	"reflect"
	"sync"

	"go.uber.org/zap"
)

// Store is the state of every check, in memory and in its file. Its
// methods are safe for concurrent use.
type Store struct {
	f   file
	log *zap.Logger

	mu      sync.Mutex
	entries map[string]Entry // each stored entry is never changed in place
	dirty   bool             // entries has changes the file lacks
	closed  bool
	// moved is the store MoveTo moved the entries to, which the methods
	// use from then on; nil: this one.
	moved *Store

	nudge chan struct{} // a change to write; holds one, so a burst is one wake-up
	quit  chan struct{}
	done  chan struct{} // closed when the writer has ended
	once  sync.Once
}

// Open reads the state file at path and starts the goroutine that writes
// it. A missing file (or folder) is a first start. A file that cannot be
// read, or is not a state file this heatd knows, is event
// state_file_ignored (warn) and a fresh start: heatd never refuses to run
// for it, and the next write replaces it. An empty path keeps the state
// in memory only. Strict (as root, with strict_permissions), the file and
// its folder follow the rules of the files heatd writes: reached through
// no link another user could have placed, in a folder of root's that
// others may not write, and the file root's own.
func Open(path string, strict bool, log *zap.Logger) *Store {
	s := &Store{f: file{path: path, strict: strict}, log: log, entries: map[string]Entry{}}
	if path == "" {
		return s
	}
	entries, err := s.f.read()
	switch {
	case errors.Is(err, errMissing):
	case err != nil:
		log.Warn("state_file_ignored", zap.String("path", path), zap.String("reason", err.Error()))
	default:
		s.entries = entries
	}
	s.nudge = make(chan struct{}, 1)
	s.quit = make(chan struct{})
	s.done = make(chan struct{})
	w := writer{s: s}
	go w.run()
	return s
}

// MoveTo makes next keep what s keeps, over what next kept (a reload that
// moves state_file), and has every later call of s's methods act on next:
// a change made through s by whoever took s before the move (a check
// telling its memory as the reload comes) reaches next, whichever comes
// first, and is never left in s alone. The move and such a change are
// ordered by s's lock. s's owner closes it as before: its file gets what
// it kept, a last time.
func (s *Store) MoveTo(next *Store) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries := maps.Clone(s.entries) // a stored entry is never changed in place
	next.mu.Lock()
	next.entries, next.moved = entries, nil
	next.changed()
	next.mu.Unlock()
	s.moved = next
}

// lock locks the store whose entries are s's now (MoveTo), and returns it.
func (s *Store) lock() *Store {
	for {
		s.mu.Lock()
		next := s.moved
		if next == nil {
			return s
		}
		s.mu.Unlock()
		s = next
	}
}

// Check is what is kept of the check name; the zero Entry when nothing is.
// The Entry is the caller's own copy.
func (s *Store) Check(name string) Entry {
	s = s.lock()
	defer s.mu.Unlock()
	return s.entries[name].clone()
}

// Update changes what is kept of the check name: change is given a copy
// of its entry and may change it at will. A change is written to the file
// soon after, by the writer; Update does not wait for it. change runs
// with the store locked, so it must not call the Store.
func (s *Store) Update(name string, change func(*Entry)) {
	s = s.lock()
	defer s.mu.Unlock()
	old, had := s.entries[name]
	e := old.clone()
	change(&e)
	e = e.normal()
	switch {
	case e.IsZero() && !had:
		return
	case e.IsZero():
		delete(s.entries, name)
	case had && reflect.DeepEqual(e, old):
		return
	default:
		s.entries[name] = e
	}
	s.changed()
}

// Snapshot is what is kept of every check, by name: the caller's own
// copy.
func (s *Store) Snapshot() map[string]Entry {
	s = s.lock()
	defer s.mu.Unlock()
	all := make(map[string]Entry, len(s.entries))
	for name, e := range s.entries {
		all[name] = e.clone()
	}
	return all
}

// Prune forgets the checks not among names: those no longer in the
// configuration.
func (s *Store) Prune(names []string) {
	keep := make(map[string]bool, len(names))
	for _, n := range names {
		keep[n] = true
	}
	s = s.lock()
	defer s.mu.Unlock()
	pruned := false
	for name := range s.entries {
		if !keep[name] {
			delete(s.entries, name)
			pruned = true
		}
	}
	if pruned {
		s.changed()
	}
}

// changed marks the entries as unwritten and wakes the writer. s.mu is
// held.
func (s *Store) changed() {
	s.dirty = true
	if s.nudge == nil || s.closed {
		return
	}
	select {
	case s.nudge <- struct{}{}:
	default: // a wake-up is pending already; it writes this change too
	}
}

// Close writes what the file still lacks and stops the writer. Changes
// made after Close are kept in memory only. It returns the last write's
// error, if that write failed.
func (s *Store) Close() error {
	if s.quit == nil {
		return nil
	}
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.quit)
	})
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirty {
		return errUnwritten
	}
	return nil
}

// errUnwritten is Close's answer when the file could not be brought up to
// date.
var errUnwritten = errors.New("the state file could not be written: see state_file_failed")
