package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
)

// alarmCalls writes down what the engine's alarm listener hears.
type alarmCalls struct {
	mu    sync.Mutex
	calls []string
}

func (a *alarmCalls) hear(name string, from, to check.Alarms, last check.Result) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, fmt.Sprintf("%s %s->%s", name, from, to))
}

func (a *alarmCalls) got() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls)
}

// since is what was heard after the first n calls.
func (a *alarmCalls) since(n int) []string {
	return a.got()[min(n, len(a.got())):]
}

// recovering is a check that fails at once into a recovery that never
// works, and so stays recovering.
func recovering(dir, name, command string) check.Spec {
	s := spec(dir, name, command, 50*time.Millisecond)
	s.Threshold, s.Recovery = 1, filepath.Join(dir, "nothing")
	return s
}

// TestReloadResolvesWhatRetiredChecksFired: a removed check's alarms turn
// off at the reload, and a changed one's too, its new instance starting
// clean and turning them on again by its own runs; a stop turns nothing
// off, and a retired instance's later steps are heard no more.
func TestReloadResolvesWhatRetiredChecksFired(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nothing"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	heard := &alarmCalls{}
	e := NewEngine(zap.NewNop(), nil)
	e.WatchAlarms(heard.hear)
	set := Settings{Grace: time.Second}
	e.Apply([]check.Spec{recovering(dir, "gone", "exit 3"), recovering(dir, "changed", "exit 4"),
		recovering(dir, "kept", "exit 5")}, set)
	on := func(name string) bool { return slices.Contains(heard.got(), name+" none->recovering") }
	waitFor(t, "every check recovering", func() bool { return on("gone") && on("changed") && on("kept") })

	e.Apply([]check.Spec{recovering(dir, "changed", "exit 6"), recovering(dir, "kept", "exit 5")}, set)
	if got := heard.since(3); !slices.Equal(got, []string{"gone recovering->none", "changed recovering->none"}) &&
		!slices.Equal(got, []string{"changed recovering->none", "gone recovering->none"}) {
		t.Errorf("at the reload the listener heard %q, want the removed and the changed check resolved", got)
	}
	waitFor(t, "the changed check's new instance recovering", func() bool {
		return slices.Contains(heard.since(5), "changed none->recovering")
	})

	e.Stop(time.Second)
	after := heard.got()
	time.Sleep(200 * time.Millisecond)
	if got := heard.got(); !slices.Equal(got, after) {
		t.Errorf("heard after the stop: %q", got[len(after):])
	}
	for _, c := range heard.since(5) {
		if c != "changed none->recovering" {
			t.Errorf("after the reload the listener heard %q; want only the changed check's new instance", c)
		}
	}
}
