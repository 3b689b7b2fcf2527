package daemon

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
)

// FirstRuns closes once every check released at start has ended its first
// run: not while one still runs, and whether or not anything observes the
// runs. Checks added by a later Apply are not counted (but while they run,
// no memory is given back: FirstRuns waits for every slot to be free).
func TestFirstRuns(t *testing.T) {
	dir := t.TempDir()
	gate := filepath.Join(dir, "gate")
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	set := Settings{Grace: time.Second}
	e.Hold()
	e.Apply([]check.Spec{
		spec(dir, "quick", "true", time.Hour),
		spec(dir, "slow", "while [ ! -e gate ]; do sleep 0.01; done", time.Hour),
	}, set)
	select {
	case <-e.FirstRuns():
		t.Fatal("FirstRuns closed before the release")
	default:
	}
	e.Release()
	waitFor(t, "the quick check's run", func() bool { return status(e, "quick").Runs == 1 })
	select {
	case <-e.FirstRuns():
		t.Fatal("FirstRuns closed while a first run goes on")
	case <-time.After(100 * time.Millisecond):
	}
	e.Apply([]check.Spec{
		spec(dir, "quick", "true", time.Hour),
		spec(dir, "slow", "while [ ! -e gate ]; do sleep 0.01; done", time.Hour),
		spec(dir, "later", "sleep 0.3", time.Hour),
	}, set)
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case <-e.FirstRuns():
	case <-time.After(10 * time.Second):
		t.Fatal("FirstRuns not closed once every first run ended")
	}
}

// A check stopped before its first run counts as done: a stop during the
// start does not leave FirstRuns open.
func TestFirstRunsStoppedBeforeTheirRun(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	e.Hold()
	e.Apply([]check.Spec{spec(dir, "a", "true", time.Hour)}, Settings{Grace: time.Second})
	e.Stop(time.Second)
	select {
	case <-e.FirstRuns():
	case <-time.After(10 * time.Second):
		t.Fatal("FirstRuns not closed by a stop")
	}
}

// FirstRuns waits for what follows a first run, not only for its result: a
// fail script still running is still the start's burst.
func TestFirstRunsWaitForTheirSteps(t *testing.T) {
	dir := t.TempDir()
	fail := filepath.Join(dir, "fail")
	if err := os.WriteFile(fail, []byte("#!/bin/sh\nsleep 0.3\ntouch fail-done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	failing := spec(dir, "failing", "exit 1", time.Hour)
	failing.Fail = fail
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	e.Hold()
	e.Apply([]check.Spec{failing}, Settings{Grace: time.Second})
	e.Release()
	select {
	case <-e.FirstRuns():
	case <-time.After(10 * time.Second):
		t.Fatal("FirstRuns not closed")
	}
	if _, err := os.Stat(filepath.Join(dir, "fail-done")); err != nil {
		t.Error("FirstRuns closed while the first run's fail script ran")
	}
}

// With a splay the first runs come spread, not in a burst: FirstRuns does
// not close, and heatd forces no collection amid a busy start.
func TestFirstRunsNotWithASplay(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	e.Hold()
	e.Apply([]check.Spec{spec(dir, "a", "true", time.Hour), spec(dir, "b", "true", time.Hour)},
		Settings{Grace: time.Second, Splay: 50 * time.Millisecond})
	e.Release()
	waitFor(t, "the first runs", func() bool { return status(e, "a").Runs == 1 && status(e, "b").Runs == 1 })
	select {
	case <-e.FirstRuns():
		t.Error("FirstRuns closed after first runs spread by a splay")
	case <-time.After(200 * time.Millisecond):
	}
}

// heatd lowers GOGC for a burst only when there is one: FirstRuns is nil
// after a first Release that started no check with its first run due at
// once, and a channel when it did.
func TestFirstRunsNilWithoutABurst(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		splay time.Duration
		burst bool
	}{{0, true}, {time.Hour, false}} {
		e := NewEngine(zap.NewNop(), nil)
		e.Hold()
		e.Apply([]check.Spec{spec(dir, "a", "true", time.Hour)}, Settings{Grace: time.Second, Splay: tc.splay})
		if e.FirstRuns() == nil {
			t.Errorf("splay %s: FirstRuns is nil before the release", tc.splay)
		}
		e.Release()
		if got := e.FirstRuns() != nil; got != tc.burst {
			t.Errorf("splay %s: FirstRuns is a channel: %v, want %v", tc.splay, got, tc.burst)
		}
		e.Stop(time.Second)
	}
}
