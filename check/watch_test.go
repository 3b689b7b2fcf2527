package check

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/action"
)

// watched is a world whose target's death the test decides.
type watched struct {
	*world
	mu        sync.Mutex
	died      func(pid int)
	watches   int
	unwatched bool
}

func (w *watched) WatchTarget(died func(pid int)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.died, w.watches = died, w.watches+1
}

func (w *watched) UnwatchTarget() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.died, w.unwatched = nil, true
}

// kill reports the target's death, as the pidfd watch does.
func (w *watched) kill() {
	w.mu.Lock()
	died := w.died
	w.mu.Unlock()
	w.note("target dies")
	if died != nil {
		died(4242)
	}
}

// The target's death runs the check at once, and the schedule goes on
// from that run; a death during a run changes nothing.
func TestTargetDeathRunsTheCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &watched{world: newWorld(codes(0, 0, 1, 1))}
		w.runFor = time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Target: action.Target{PID: 4242}}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop()})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(13 * time.Second)
		w.kill()                                          // idle: run 3 at once
		time.Sleep(10*time.Second + 500*time.Millisecond) // 23.5 s: run 4 under way
		w.kill()
		time.Sleep(10 * time.Second)
		cancel()
		<-done
		check(t, w.lines(), []string{
			"0s run 1 -> 0", "10s run 2 -> 0",
			"13s target dies", "13s run 3 -> 1", "14s heat log \"error 3\"",
			"23s run 4 -> 1", "23.5s target dies", "24s heat log \"error 4\"",
			"33s run 5 -> 1", "34s heat log \"error 5\"",
		})
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.watches != 4 || !w.unwatched {
			t.Errorf("%d watches (want one after each run the stop did not cut short: 4), unwatched at the end: %v", w.watches, w.unwatched)
		}
	})
}

// Without watch_target (and always for heat), the target is not watched.
func TestTargetNotWatched(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &watched{world: newWorld(codes(0))}
		spec := Spec{Name: "a", Interval: 10 * time.Second, Target: action.Target{PID: 4242}, NoWatch: true}
		runFor(t, spec, w.world, time.Second)
		c := New(&spec, Options{Doer: w, Log: zap.NewNop()})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(5 * time.Second)
		cancel()
		<-done
		if w.watches != 0 {
			t.Errorf("%d watches without watch_target", w.watches)
		}
	})
}

// A real target killed with SIGKILL: the check, due in an hour, runs
// within milliseconds, through the Runner's pidfd watch. (The test is the
// target's parent and does not reap it: dead, it is a zombie, which the
// check tells apart.)
func TestRealTargetDeathRunsTheCheck(t *testing.T) {
	target := exec.Command("/bin/sleep", "600")
	if err := target.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { target.Process.Kill(); target.Wait() }()
	spec := Spec{Name: "svc", Probe: Command("awk '$3 == \"Z\" { exit 1 }' /proc/" + strconv.Itoa(target.Process.Pid) + "/stat"),
		Interval: time.Hour, Timeout: 5 * time.Second, Target: action.Target{PID: target.Process.Pid},
		HeatLog: filepath.Join(t.TempDir(), "svc.log")}
	r, err := NewRunner(&spec, os.Environ(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	runs := make(chan Result, 4)
	c := New(&spec, Options{Doer: r, Log: zap.NewNop(), OnResult: func(res Result) { runs <- res }})
	stop, cancel := context.WithCancel(context.Background())
	c.Start(stop, context.Background())
	defer func() { cancel(); <-c.Done() }()
	if res := <-runs; res.Code != 0 {
		t.Fatalf("first run: %+v", res)
	}
	// The watch is armed once the first run's steps are done.
	for armed := false; !armed; time.Sleep(time.Millisecond) {
		r.watchMu.Lock()
		armed = r.watch != nil
		r.watchMu.Unlock()
	}
	killed := time.Now()
	target.Process.Signal(syscall.SIGKILL)
	select {
	case res := <-runs:
		took := res.Start.Sub(killed)
		t.Logf("the check ran %v after the SIGKILL", took)
		if res.Code == 0 || took > time.Second {
			t.Errorf("run after the death: code %d, %v after the kill", res.Code, took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the death did not run the check")
	}
}
