package state

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// pausedAt is a pause as an operator gives it, with a monotonic reading
// and a local zone, as time.Now gives.
func pausedAt(now time.Time, reason string) func(*Entry) {
	return func(e *Entry) {
		e.Pause = &Pause{Since: now, Until: now.Add(time.Hour), Reason: reason, UID: 0}
	}
}

// TestRestartKeepsDecisions: what is kept before a restart is what the
// next start finds, and the file is the versioned JSON the contract
// describes.
func TestRestartKeepsDecisions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, logs := open(t, path, false)
	now := time.Now()
	s.Update("web", pausedAt(now, "deploy"))
	s.Update("db", func(e *Entry) { e.GaveUp = now })
	s.Update("db", func(e *Entry) {
		e.AddAttempt(now.Add(-2*time.Hour), time.Hour)
		e.AddAttempt(now.Add(-time.Minute), time.Hour)
		e.AddAttempt(now, time.Hour)
	})
	want := map[string]Entry{"web": s.Check("web"), "db": s.Check("db")}
	if got := want["db"].Attempts; len(got) != 2 {
		t.Errorf("attempts kept: %v, want the 2 within the window", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if e := events(logs); len(e) != 0 {
		t.Errorf("events %v, want none", e)
	}

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Version int                                   `json:"version"`
		Checks  map[string]map[string]json.RawMessage `json:"checks"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if raw.Version != 1 || len(raw.Checks) != 2 || raw.Checks["web"]["paused"] == nil || raw.Checks["db"]["gave_up"] == nil {
		t.Errorf("file is %s", b)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != fileMode {
		t.Errorf("mode %v, want %v", fi.Mode().Perm(), os.FileMode(fileMode))
	}

	again, logs := open(t, path, false)
	for name, w := range want {
		if got := again.Check(name); !reflect.DeepEqual(got, w) {
			t.Errorf("after a restart %s is %+v, want %+v", name, got, w)
		}
	}
	if got := again.Check("web").Pause; got == nil || !got.Since.Equal(now) || got.Reason != "deploy" {
		t.Errorf("pause %+v, want since %v for deploy", got, now)
	}
	if e := events(logs); len(e) != 0 {
		t.Errorf("events %v, want none", e)
	}
}

// TestFirstStart: no file and no folder is a first start, silently, and
// the first write makes the folder.
func TestFirstStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lib", "heatd", "state.json")
	s, logs := open(t, path, false)
	if e := s.Check("web"); !e.IsZero() {
		t.Errorf("a first start has %+v", e)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("opening wrote the file: %v", err)
	}
	s.Update("web", func(e *Entry) { e.GaveUp = time.Now() })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
	if e := events(logs); len(e) != 0 {
		t.Errorf("events %v, want none", e)
	}
}

// TestIgnored: a file heatd cannot use is a warning and a fresh start,
// and the next write replaces it.
func TestIgnored(t *testing.T) {
	cases := map[string]func(path string) error{
		"garbage": func(p string) error { return os.WriteFile(p, []byte("\x00\x01 not json"), 0o600) },
		"cut short": func(p string) error {
			return os.WriteFile(p, []byte(`{"version":1,"checks":{"web":{"gave_up":"20`), 0o600)
		},
		"empty":         func(p string) error { return os.WriteFile(p, nil, 0o600) },
		"no version":    func(p string) error { return os.WriteFile(p, []byte(`{"checks":{}}`), 0o600) },
		"later version": func(p string) error { return os.WriteFile(p, []byte(`{"version":2,"checks":{"web":{}}}`), 0o600) },
		"wrong types": func(p string) error {
			return os.WriteFile(p, []byte(`{"version":1,"checks":{"web":{"gave_up":7}}}`), 0o600)
		},
		"a folder": func(p string) error { return os.Mkdir(p, 0o700) },
		"a symlink": func(p string) error {
			real := p + ".real"
			if err := os.WriteFile(real, []byte(`{"version":1,"checks":{"web":{"gave_up":"2026-01-02T03:04:05Z"}}}`), 0o600); err != nil {
				return err
			}
			return os.Symlink(real, p)
		},
	}
	for name, make := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := make(path); err != nil {
				t.Fatal(err)
			}
			s, logs := open(t, path, false)
			if got := events(logs); !slices.Equal(got, []string{"state_file_ignored"}) {
				t.Fatalf("events %v, want state_file_ignored", got)
			}
			if r := logs.All()[0].ContextMap()["reason"]; r == "" || r == nil {
				t.Errorf("state_file_ignored has no reason: %v", logs.All()[0].ContextMap())
			}
			if e := s.Check("web"); !e.IsZero() {
				t.Errorf("kept %+v from a file it ignored", e)
			}
			s.Update("web", func(e *Entry) { e.GaveUp = time.Now() })
			err := s.Close()
			if name == "a folder" {
				// A folder is not replaced by a rename: said once, kept in memory.
				if err == nil || !slices.Contains(events(logs), "state_file_failed") {
					t.Errorf("Close: %v, events %v: want state_file_failed", err, events(logs))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := decode(b); err != nil {
				t.Errorf("the next write left %q: %v", b, err)
			}
		})
	}
}

// TestPrune: entries of checks no longer configured are dropped, from
// the file too.
func TestPrune(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, _ := open(t, path, false)
	for _, name := range []string{"web", "db", "net"} {
		s.Update(name, func(e *Entry) { e.GaveUp = time.Now() })
	}
	s.Prune([]string{"db", "cache"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again, _ := open(t, path, false)
	for name, kept := range map[string]bool{"web": false, "db": true, "net": false, "cache": false} {
		if e := again.Check(name); e.IsZero() == kept {
			t.Errorf("%s: %+v, want kept %v", name, e, kept)
		}
	}
}

// TestEmptyEntryForgotten: an entry that keeps nothing is dropped, and an
// update that changes nothing writes nothing.
func TestEmptyEntryForgotten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, _ := open(t, path, false)
	now := time.Now()
	s.Update("web", pausedAt(now, "x"))
	s.Update("web", func(e *Entry) { e.Pause = nil })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"version":1,"checks":{}}`+"\n" {
		t.Errorf("file %s, want no checks", b)
	}
}

// TestOff: an empty path keeps the state in memory and writes nothing.
func TestOff(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s, logs := open(t, "", false)
	s.Update("web", func(e *Entry) { e.GaveUp = time.Now() })
	if e := s.Check("web"); e.GaveUp.IsZero() {
		t.Error("an off store forgot an update")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 || len(logs.All()) != 0 {
		t.Errorf("an off store left %v and said %v", ents, events(logs))
	}
}

// TestCheckIsACopy: what Check returns is the caller's own.
func TestCheckIsACopy(t *testing.T) {
	s, _ := open(t, "", false)
	s.Update("web", func(e *Entry) { e.AddAttempt(time.Now(), time.Hour); e.Pause = &Pause{Reason: "a"} })
	e := s.Check("web")
	e.Pause.Reason = "b"
	e.Attempts[0] = time.Time{}
	if got := s.Check("web"); got.Pause.Reason != "a" || got.Attempts[0].IsZero() {
		t.Errorf("changing a copy changed the store: %+v", got)
	}
}

// TestConcurrent: updates, reads and prunes from many goroutines (run
// with -race), and the file at the end holds every change.
func TestConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, _ := open(t, path, false)
	var wg sync.WaitGroup
	names := make([]string, 50)
	for i := range names {
		names[i] = fmt.Sprintf("c%d", i)
	}
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				name := names[(g*200+i)%len(names)]
				s.Update(name, func(e *Entry) { e.AddAttempt(time.Now(), time.Hour) })
				s.Check(names[i%len(names)])
				if i%50 == 0 {
					s.Prune(names)
				}
			}
		})
	}
	wg.Wait()
	want := map[string]int{}
	for _, n := range names {
		want[n] = len(s.Check(n).Attempts)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again, _ := open(t, path, false)
	total := 0
	for _, n := range names {
		got := len(again.Check(n).Attempts)
		total += got
		if got != want[n] {
			t.Errorf("%s: %d attempts after a restart, want %d", n, got, want[n])
		}
	}
	if total != 8*200 {
		t.Errorf("%d attempts in all, want %d", total, 8*200)
	}
}

// MoveTo carries what a store keeps to the next one, over what that held,
// and a change made through the old store after the move (by whoever took
// it before) reaches the next store and its file, not the old one alone.
func TestMoveToKeepsLaterChanges(t *testing.T) {
	dir := t.TempDir()
	oldPath, nextPath := filepath.Join(dir, "old.json"), filepath.Join(dir, "next.json")
	old, _ := open(t, oldPath, false)
	next, _ := open(t, nextPath, false)
	now := time.Now()
	old.Update("web", pausedAt(now, "deploy"))
	next.Update("gone", func(e *Entry) { e.GaveUp = now })
	old.MoveTo(next)
	old.Update("db", func(e *Entry) { e.AddAttempt(now, time.Hour) })
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	if err := next.Close(); err != nil {
		t.Fatal(err)
	}
	again, _ := open(t, nextPath, false)
	got := again.Snapshot()
	if len(got) != 2 || got["web"].Pause == nil || len(got["db"].Attempts) != 1 {
		t.Errorf("the next file keeps %+v; want web's pause and db's attempt, made after the move", got)
	}
	before, _ := open(t, oldPath, false)
	if got := before.Snapshot(); len(got) != 1 || got["web"].Pause == nil {
		t.Errorf("the old file keeps %+v; want what it held at the move", got)
	}
}
