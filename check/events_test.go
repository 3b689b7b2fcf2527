package check

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/action"
)

// runDoer runs a check of spec against d for dur of fake time, then stops
// it, and returns its events.
func runDoer(t *testing.T, spec Spec, d Doer, dur time.Duration) *observer.ObservedLogs {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	c := New(&spec, Options{Doer: d, Log: zap.New(core)})
	stop, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(stop, context.Background())
	}()
	time.Sleep(dur)
	cancel()
	<-done
	return logs
}

// probeWorld is a world whose runs are native probes: no process, PID 0.
type probeWorld struct{ *world }

func (p probeWorld) Check(ctx context.Context) Result {
	r := p.world.Check(ctx)
	r.PID = 0
	return r
}

// failingScripts is a world whose fail and recovery scripts exit with 3.
type failingScripts struct{ *world }

func (f failingScripts) Script(ctx context.Context, kind ScriptKind, attempt int, env []string) (action.Outcome, error) {
	out, err := f.world.Script(ctx, kind, attempt, env)
	out.Code = 3
	return out, err
}

func TestProbeEventsHaveNoPID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(124, 1, 0))
		logs := runDoer(t, Spec{Name: "a", Interval: 10 * time.Second, Timeout: 5 * time.Second},
			probeWorld{w}, 25*time.Second)
		if logs.Len() == 0 {
			t.Fatal("no events")
		}
		for _, e := range logs.All() {
			if _, ok := e.ContextMap()["pid"]; ok {
				t.Errorf("%s has a pid: %v", e.Message, e.ContextMap())
			}
		}
	})
}

func TestTimeoutEventSaysTheTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(124, 0))
		logs := runFor(t, Spec{Name: "a", Interval: 10 * time.Second, Timeout: 30 * time.Second}, w, 5*time.Second)
		all := logs.FilterMessage("check_timeout").All()
		if len(all) != 1 {
			t.Fatalf("events %v", messages(logs))
		}
		if got := all[0].ContextMap()["timeout"]; got != 30*time.Second {
			t.Errorf("check_timeout timeout = %v, want 30s: %v", got, all[0].ContextMap())
		}
	})
}

func TestFailedScriptIsAWarning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 1, 0))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Fail: "/f", Recovery: "/r", Threshold: 2}
		logs := runDoer(t, spec, failingScripts{w}, 15*time.Second)
		for _, name := range []string{"fail_script_done", "recovery_script_done"} {
			all := logs.FilterMessage(name).All()
			if len(all) == 0 {
				t.Fatalf("no %s in %v", name, messages(logs))
			}
			for _, e := range all {
				if e.Level.String() != "warn" || e.ContextMap()["exit_code"] != int64(3) {
					t.Errorf("%s at %s with %v, want warn with exit_code 3", name, e.Level, e.ContextMap())
				}
			}
		}
	})
}
