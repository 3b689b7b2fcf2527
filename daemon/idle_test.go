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
// holds about 1,670 bytes: its Check (640 with its size class and the
// header Go puts before it: the Status, whose State is the loop's between
// steps, the schedule, the phase and the callbacks), the engine's instance
// (416: its own copy of the Spec, 320, its stop and kill), the Runner (96)
// and its kind's prober (48), the kill's channel (96), the timer (112), the
// callbacks the check keeps (about 160: OnResult, OnEnd and OnMemory as the
// instance's methods, OnAlarms' closure, the timer's and the stop's, with
// the stop's hook) and the engine's map entry. What few checks use (a
// pause, a heatctl run, giving up, recovery attempts, a failed run for the
// alarms, a done channel, depends_on's links) is made when used.
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
	if per > 1700 {
		t.Errorf("an idle check costs the engine %d bytes, want at most 1700", per)
	}
}

// liveHeap is the heap's live bytes after a collection.
func liveHeap() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
