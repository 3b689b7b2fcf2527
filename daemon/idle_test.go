package daemon

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
)

// An idle check costs the engine little memory: ten thousand of them must
// leave heatd within its budget (BENCHMARKS.md: 40 MiB for 10,000 idle
// checks, the runtime and the binary's own pages included). An idle check
// holds about 1,960 bytes: its Check (896 with its size class: the loop's
// state and the status's copy of it, 168 bytes each, the Status's counters
// and times), the engine's instance (448: its own copy of the Spec, 336, its
// stop and kill), the Runner and its kind's prober (96 each), the timer
// (112), the callbacks the check keeps (about 130: OnResult, OnEnd,
// OnMemory's closure, the timer's and the stop's) and the engine's map
// entry. What few checks use (a pause, a heatctl run, giving up, recovery
// attempts, alarms, depends_on's links) is made when used.
func TestIdleCheckBytes(t *testing.T) {
	const checks = 2000
	dir := t.TempDir()
	specs := make([]check.Spec, checks)
	for i := range specs {
		specs[i] = spec(dir, fmt.Sprintf("c%05d", i), "true", time.Hour)
	}
	before := liveHeap()
	e := NewEngine(zap.NewNop(), func(string, check.Result) {})
	// heatd listens to every check's alarms, alerting on or not.
	e.WatchAlarms(func(string, check.Alarms, check.Alarms, check.Result) {})
	e.Hold()
	// A splay of the whole interval: every check waits for its first run.
	e.Apply(specs, Settings{Grace: time.Second, Splay: time.Hour})
	e.Release()
	per := (liveHeap() - before) / checks
	runtime.KeepAlive(specs)
	e.Stop(time.Second)
	t.Logf("%d bytes an idle check", per)
	if per > 2000 {
		t.Errorf("an idle check costs the engine %d bytes, want at most 2000", per)
	}
}

// liveHeap is the heap's live bytes after a collection.
func liveHeap() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
