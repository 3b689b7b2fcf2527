package check

import (
	"context"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/action"
)

// quiet is a Doer whose runs pass at once and do nothing else.
type quiet struct {
	runs atomic.Int64
	at   int64 // the run that ends the benchmark
	stop context.CancelFunc
}

func (q *quiet) Check(context.Context) Result {
	if q.runs.Add(1) == q.at {
		q.stop()
	}
	now := time.Now()
	return Result{Start: now, Unix: now.Unix()}
}
func (q *quiet) Signal(syscall.Signal) (int, error) { return 0, nil }
func (q *quiet) Script(context.Context, ScriptKind, int, []string) (action.Outcome, error) {
	return action.Outcome{}, nil
}
func (q *quiet) HeatLog(int64, string, []byte) error { return nil }

// BenchmarkIdleChecks is what ten thousand checks cost while they wait for
// their next run: heap and goroutines per check.
func BenchmarkIdleChecks(b *testing.B) {
	const n = 10_000
	for i := range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		checks := make([]*Check, n)
		stops := make([]context.CancelFunc, n)
		for i := range checks {
			// A stop of its own for each check, as the engine gives them.
			stop, cancel := context.WithCancel(context.Background())
			spec := &Spec{Name: "idle", Interval: time.Hour}
			checks[i], stops[i] = New(spec, Options{Doer: &quiet{}, Log: zap.NewNop(), Delay: time.Hour}), cancel
			checks[i].Start(stop, context.Background())
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if i == 0 {
			// Later rounds would count what the runtime still holds of
			// this one's stopped timers.
			b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/n, "heap-B/check")
			b.ReportMetric(float64(runtime.NumGoroutine()-g0)/n, "goroutines/check")
		}
		for i, c := range checks {
			stops[i]()
			<-c.Done()
		}
	}
}

// BenchmarkRun is the loop's own cost of one run: the wake-up, the slot,
// the rules and the timer set for the next, with a run that costs nothing;
// for a check whose runs start a process and for one whose runs start none
// (a native probe's), with the goroutines each run starts.
func BenchmarkRun(b *testing.B) {
	for _, tc := range []struct {
		name string
		doer func(*quiet) Doer
	}{
		{"process", func(q *quiet) Doer { return q }},
		{"in-process", func(q *quiet) Doer { return quietProbe{q} }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			stop, cancel := context.WithCancel(context.Background())
			q := &quiet{at: int64(b.N), stop: cancel}
			spec := &Spec{Name: "busy", Interval: time.Nanosecond}
			c := New(spec, Options{Doer: tc.doer(q), Log: zap.NewNop(), Slots: action.NewLimiter(64)})
			g0 := goroutinesCreated()
			b.ResetTimer()
			c.Run(stop, context.Background())
			b.ReportMetric(float64(goroutinesCreated()-g0)/float64(b.N), "goroutines/op")
		})
	}
}

// quietProbe is a quiet Doer whose runs start no process.
type quietProbe struct{ *quiet }

func (quietProbe) spawnsNothing() bool { return true }
