package check

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/action"
)

// crowd is a Doer whose runs fail and whose scripts take time, counting the
// processes it has at once across every check that shares it.
type crowd struct {
	mu        sync.Mutex
	now, most int
	runs      int
}

func (w *crowd) busy(d time.Duration) {
	w.mu.Lock()
	w.now++
	w.most = max(w.most, w.now)
	w.mu.Unlock()
	time.Sleep(d)
	w.mu.Lock()
	w.now--
	w.mu.Unlock()
}

func (w *crowd) Check(context.Context) Result {
	start := time.Now()
	w.busy(time.Second)
	w.mu.Lock()
	w.runs++
	w.mu.Unlock()
	return Result{Start: start, Unix: start.Unix(), Code: 1, Duration: time.Second}
}

func (w *crowd) Script(context.Context, ScriptKind, int, []string) (action.Outcome, error) {
	w.busy(2 * time.Second)
	return action.Outcome{}, nil
}

func (w *crowd) Signal(syscall.Signal) (int, error)  { return 0, nil }
func (w *crowd) HeatLog(int64, string, []byte) error { return nil }

// max_parallel bounds check and script processes together: three failing
// checks with fail and recovery scripts, one slot, never two processes at
// once, and every check goes on running.
func TestSlotsBoundRunsAndScripts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &crowd{}
		slots := action.NewLimiter(1)
		stop, cancel := context.WithCancel(context.Background())
		var checks []*Check
		for _, name := range []string{"a", "b", "c"} {
			spec := &Spec{Name: name, Interval: 5 * time.Second, Threshold: 2, Fail: "/f", Recovery: "/r"}
			c := New(spec, Options{Doer: w, Log: zap.NewNop(), Slots: slots})
			c.Start(stop, context.Background())
			checks = append(checks, c)
		}
		time.Sleep(time.Minute)
		cancel()
		for _, c := range checks {
			<-c.Done()
		}
		if w.most != 1 {
			t.Errorf("%d processes at once under max_parallel = 1", w.most)
		}
		if w.runs < 3*3 {
			t.Errorf("%d runs in a minute: the checks did not go on", w.runs)
		}
	})
}

// A check whose stop comes while it waits for a slot ends without a run.
func TestStopWhileWaitingForASlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0))
		slots := action.NewLimiter(1)
		if _, err := slots.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		stop, cancel := context.WithCancel(context.Background())
		c := New(&Spec{Name: "a", Interval: time.Second}, Options{Doer: w, Log: zap.NewNop(), Slots: slots})
		c.Start(stop, context.Background())
		time.Sleep(5 * time.Second)
		cancel()
		<-c.Done()
		slots.Release()
		synctest.Wait()
		check(t, w.lines(), nil)
	})
}
