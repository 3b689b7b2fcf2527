package daemon

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/state"
)

// A check tells its memory (an attempt's start, giving up) through the
// store it took, with no engine lock: a reload that moves state_file at
// that moment must not leave the change in the old store alone. Here the
// check's two moves, taking the store and changing it, are made by hand
// on either side of the move.
func TestMoveKeepsAChangeMadeThroughTheOldStore(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	old := state.Open(filepath.Join(dir, "a.json"), false, zap.NewNop())
	e.Remember(old)
	taken := e.storeOf() // as a check's memory takes it
	nextPath := filepath.Join(dir, "b.json")
	next := state.Open(nextPath, false, zap.NewNop())
	e.Move(next).Close()
	now := time.Now()
	taken.Update("web", func(en *state.Entry) { en.GaveUp = now; en.AddAttempt(now, time.Hour) })
	e.Stop(time.Second)
	next.Close()
	again := state.Open(nextPath, false, zap.NewNop())
	defer again.Close()
	if en := again.Check("web"); en.GaveUp.IsZero() || len(en.Attempts) != 1 {
		t.Errorf("the new state file keeps %+v; want the giving up and the attempt", en)
	}
}

// Many checks start their recovery attempts and give up while reloads
// move state_file back and forth between two files; the file in use at
// the end keeps every check's attempts and its giving up.
func TestMovesLoseNoMemory(t *testing.T) {
	dir := t.TempDir()
	paths := []string{filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")}
	e := NewEngine(zap.NewNop(), nil)
	store := state.Open(paths[0], false, zap.NewNop())
	e.Remember(store)
	const checks, limit = 100, 3
	var specs []check.Spec
	for i := range checks {
		// a heartbeat never beaten fails each run, with no process
		s := beatSpec(dir, fmt.Sprintf("c%03d", i), time.Nanosecond, 2*time.Millisecond)
		s.Threshold, s.RecoveryLimit, s.RecoveryLimitWindow = 1, limit, time.Hour
		specs = append(specs, s)
	}
	e.Apply(specs, Settings{Grace: time.Second})

	stop := make(chan struct{})
	last := paths[0]
	var moving sync.WaitGroup
	moving.Go(func() {
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			next := state.Open(paths[n%2], false, zap.NewNop())
			e.Move(next).Close()
			store, last = next, paths[n%2]
		}
	})
	waitFor(t, "every check to give up", func() bool {
		for _, s := range specs {
			if status(e, s.Name).State.Mode != check.GivenUp {
				return false
			}
		}
		return true
	})
	close(stop)
	moving.Wait()
	e.Stop(time.Second)
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	final := state.Open(last, false, zap.NewNop())
	defer final.Close()
	lost := 0
	for _, s := range specs {
		if en := final.Check(s.Name); en.GaveUp.IsZero() || len(en.Attempts) != limit {
			lost++
			if lost <= 3 {
				t.Errorf("%s: the state file keeps %+v; want its %d attempts and its giving up", s.Name, en, limit)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d checks of %d lost a change", lost, checks)
	}
}
