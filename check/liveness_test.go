package check

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/action"
)

// wedged is a Doer whose runs never end, whatever they are told, until the
// test releases them: a process stuck in the kernel, or a runner bug.
type wedged struct {
	world
	release chan struct{}
}

func (w *wedged) Check(ctx context.Context) Result {
	<-w.release
	return Result{Start: time.Now(), Unix: time.Now().Unix()}
}

func TestStalledLoops(t *testing.T) {
	for _, c := range []struct {
		name      string
		spec      Spec
		doer      func(release chan struct{}) Doer
		fine      time.Duration // still live after this long
		stuck     time.Duration // wedged after this long
		wantWhere string
	}{
		{"a run past its timeout and kill", Spec{Name: "a", Interval: time.Minute, Timeout: 30 * time.Second},
			func(r chan struct{}) Doer { return &wedged{release: r} }, 42 * time.Second, 43 * time.Second, "running"},
		{"a fail script past script_timeout", Spec{Name: "a", Interval: time.Minute, Timeout: time.Second,
			Fail: "/f", ScriptTimeout: time.Minute}, func(r chan struct{}) Doer { return &failsThenWedges{release: r} }, 72 * time.Second, 73 * time.Second,
			"running its fail script"},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				chk := New(&c.spec, Options{Doer: c.doer(release), Log: zap.NewNop()})
				stop, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { defer close(done); chk.Run(stop, context.Background()) }()
				time.Sleep(c.fine)
				synctest.Wait()
				if err := chk.Stalled(time.Now()); err != nil {
					t.Errorf("stalled after %v: %v", c.fine, err)
				}
				time.Sleep(c.stuck - c.fine)
				synctest.Wait()
				err := chk.Stalled(time.Now())
				if err == nil || !strings.Contains(err.Error(), c.wantWhere) {
					t.Errorf("after %v: %v, want stuck %s", c.stuck, err, c.wantWhere)
				}
				cancel()
				close(release)
				<-done
			})
		})
	}
}

// failsThenWedges fails its runs at once and never finishes a script
// until released.
type failsThenWedges struct {
	release chan struct{}
}

func (w *failsThenWedges) Check(ctx context.Context) Result {
	return Result{Start: time.Now(), Unix: time.Now().Unix(), Code: 1}
}
func (w *failsThenWedges) Signal(syscall.Signal) (int, error)  { return 0, nil }
func (w *failsThenWedges) HeatLog(int64, string, []byte) error { return nil }
func (w *failsThenWedges) Script(ctx context.Context, kind ScriptKind, attempt int, env []string) (action.Outcome, error) {
	<-w.release
	return action.Outcome{}, nil
}

func TestLiveLoopsAreNotStalled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Sleeping a long interval, and a run with no timeout at all (heat
		// without --timeout), are both live however long they take.
		w := newWorld(codes(0))
		w.runFor = 3 * time.Hour
		long := New(&Spec{Name: "a", Interval: time.Hour}, Options{Doer: w, Log: zap.NewNop()})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); long.Run(stop, context.Background()) }()
		for range 10 {
			time.Sleep(20 * time.Minute)
			synctest.Wait()
			if err := long.Stalled(time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
		<-done
	})
}
