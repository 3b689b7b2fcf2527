package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/action"
)

// world is a Doer whose check results follow a script, and which writes
// down, with the fake clock's offset from the start, everything asked of it.
type world struct {
	t0 time.Time

	mu    sync.Mutex
	runs  int
	trace []string

	// result decides run n's (from 1) code; runFor and scriptFor are how
	// long a run and a script take.
	result    func(n int) int
	runFor    time.Duration
	scriptFor time.Duration
	// fix, when set, makes every later run ok once a recovery script ran.
	fix bool
	// fixed is set by the recovery script when fix is.
	fixed bool
	env   map[string][]string // the latest env each script kind got
	// history, when set, notes heatd's own lines of the heat log too (a
	// line with no stderr after it), for the timelines they belong to.
	history bool
	// slow, when set, makes heatd's lines that begin with it take a
	// second to write: such a line lands in the trace once written, with
	// the time it was asked for, so that what another goroutine does
	// meanwhile comes before it.
	slow string
}

func newWorld(result func(n int) int) *world {
	return &world{t0: time.Now(), result: result, env: map[string][]string{}}
}

func (w *world) at() string { return fmt.Sprintf("%gs", time.Since(w.t0).Seconds()) }

func (w *world) note(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.trace = append(w.trace, w.at()+" "+fmt.Sprintf(format, args...))
}

func (w *world) Check(ctx context.Context) Result {
	w.mu.Lock()
	w.runs++
	n := w.runs
	code := w.result(n)
	if w.fixed {
		code = 0
	}
	w.mu.Unlock()
	start := time.Now()
	r := Result{Start: start, Unix: start.Unix(), Code: code, PID: 1000 + n}
	if code == -1 {
		w.note("run %d cannot start", n)
		return Result{Start: start, Unix: start.Unix(), Err: errors.New("no processes")}
	}
	w.note("run %d -> %d", n, code)
	select {
	case <-time.After(w.runFor):
	case <-ctx.Done():
		r.Interrupted, r.Code = true, 128+int(syscall.SIGKILL)
	}
	if code == 124 {
		r.TimedOut = true
	}
	if code != 0 {
		r.Output = []byte(fmt.Sprintf("error %d\nmore\n", n))
	}
	r.Duration = time.Since(start)
	return r
}

func (w *world) Signal(sig syscall.Signal) (int, error) {
	w.note("signal %s", action.SignalName(sig))
	return 4242, nil
}

func (w *world) Script(ctx context.Context, kind ScriptKind, attempt int, env []string) (action.Outcome, error) {
	w.note("%s script %d", kind, attempt)
	w.mu.Lock()
	w.env[kind.String()] = env
	if kind == RecoveryScript && w.fix {
		w.fixed = true
	}
	w.mu.Unlock()
	start := time.Now()
	select {
	case <-time.After(w.scriptFor):
	case <-ctx.Done():
		return action.Outcome{Start: start, Interrupted: true, Code: 137}, nil
	}
	return action.Outcome{Start: start, Duration: time.Since(start), PID: 7}, nil
}

// HeatLog notes a failed run's first line of stderr, and heatd's own lines
// when w.history is set; their words are tested in history_test.go.
func (w *world) HeatLog(unix int64, line string, text []byte) error {
	if len(text) == 0 {
		if w.history && line != "" {
			at := w.at()
			if w.slow != "" && strings.HasPrefix(line, w.slow) {
				time.Sleep(time.Second)
			}
			w.mu.Lock()
			w.trace = append(w.trace, at+" "+fmt.Sprintf("heat log %q", line))
			w.mu.Unlock()
		}
		return nil
	}
	w.note("heat log %q", strings.SplitN(string(text), "\n", 2)[0])
	return nil
}

func (w *world) lines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.trace)
}

// runFor runs a check of spec against w for d of fake time, then stops it.
func runFor(t *testing.T, spec Spec, w *world, d time.Duration) *observer.ObservedLogs {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	c := New(&spec, Options{Doer: w, Log: zap.New(core)})
	stop, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(stop, context.Background())
	}()
	time.Sleep(d)
	cancel()
	<-done
	return logs
}

func check(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("trace:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func codes(c ...int) func(int) int {
	return func(n int) int {
		if n <= len(c) {
			return c[n-1]
		}
		return c[len(c)-1]
	}
}

func TestIntervalIsStartToStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0))
		w.runFor = 3 * time.Second
		runFor(t, Spec{Name: "a", Interval: 10 * time.Second}, w, 35*time.Second)
		check(t, w.lines(), []string{"0s run 1 -> 0", "10s run 2 -> 0", "20s run 3 -> 0", "30s run 4 -> 0"})
	})
}

func TestOverrunDelaysWithoutBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0))
		w.runFor = 25 * time.Second
		runFor(t, Spec{Name: "a", Interval: 10 * time.Second}, w, 60*time.Second)
		check(t, w.lines(), []string{"0s run 1 -> 0", "25s run 2 -> 0", "50s run 3 -> 0"})
	})
}

func TestFailureActionsInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(7, 7, 0, 3))
		w.runFor = time.Second
		w.scriptFor = 2 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Signal: syscall.SIGUSR1, Fail: "/f"}
		logs := runFor(t, spec, w, 35*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 7", "1s heat log \"error 1\"", "1s signal USR1", "1s fail script 0",
			"10s run 2 -> 7", "11s heat log \"error 2\"", "11s signal USR1", "11s fail script 0",
			"20s run 3 -> 0",
			"30s run 4 -> 3", "31s heat log \"error 4\"", "31s signal USR1", "31s fail script 0",
		})
		// The count went back to 0 on run 3.
		var counts []int64
		for _, e := range logs.FilterMessage("check_failed").All() {
			counts = append(counts, e.ContextMap()["consecutive_failures"].(int64))
		}
		if want := []int64{1, 2, 1}; !slices.Equal(counts, want) {
			t.Errorf("consecutive_failures %v, want %v", counts, want)
		}
		wantEnv := []string{"HEAT_FAIL_CODE=3", "HEAT_FAIL_TIME=" + fmt.Sprint(w.t0.Unix()+30),
			"HEAT_FAIL_INTERVAL=10", "HEAT_FAIL_PID=1004"}
		check(t, w.env["fail"], wantEnv)
	})
}

func TestRecoveryByCountSucceeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0, 7, 7, 7))
		w.fix = true
		w.scriptFor = 2 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 3, Recovery: "/r", Fail: "/f",
			Signal: syscall.SIGHUP, FaultSignal: syscall.SIGUSR1, SuccessSignal: syscall.SIGUSR2}
		logs := runFor(t, spec, w, 50*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 0",
			"10s run 2 -> 7", "10s heat log \"error 2\"", "10s signal HUP", "10s fail script 0",
			"20s run 3 -> 7", "20s heat log \"error 3\"", "20s signal HUP", "20s fail script 0",
			"30s run 4 -> 7", "30s heat log \"error 4\"", "30s signal HUP", "30s fail script 0",
			// recovery at once after the third failure's own actions
			"32s signal USR1", "32s recovery script 1",
			// verification at once after the script, then normal mode
			"34s run 5 -> 0", "34s signal USR2",
			"44s run 6 -> 0",
		})
		base := w.t0.Unix()
		check(t, w.env["recovery"], []string{"HEAT_FAIL_CODE=7",
			fmt.Sprintf("HEAT_FAIL_TIME=%d", base+10), fmt.Sprintf("HEAT_FAIL_TIME_LAST=%d", base+30),
			"HEAT_FAIL_INTERVAL=10", "HEAT_FAIL_PID=1004", "HEAT_FAIL_CNT=3"})
		if r := logs.FilterMessage("recovered").All(); len(r) != 1 || r[0].ContextMap()["attempts"] != int64(1) {
			t.Errorf("recovered events %v, want one after 1 attempt", r)
		}
		if got := verifying(logs); !slices.Equal(got, []bool{false, false, false}) {
			t.Errorf("verifying %v", got)
		}
		if n := logs.FilterMessage("recovery_started").Len(); n != 1 {
			t.Errorf("%d recovery_started events, want 1", n)
		}
	})
}

func TestRecoveryByCountRepeats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Failing for good: threshold 2 means 2 verification runs an attempt,
		// no per-failure action while verifying, and one interval's wait
		// before the next attempt.
		w := newWorld(codes(5))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 2, Recovery: "/r", Fail: "/f",
			Signal: syscall.SIGHUP}
		logs := runFor(t, spec, w, 75*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 5", "0s heat log \"error 1\"", "0s signal HUP", "0s fail script 0",
			"10s run 2 -> 5", "10s heat log \"error 2\"", "10s signal HUP", "10s fail script 0",
			"10s recovery script 1",
			"10s run 3 -> 5", "10s heat log \"error 3\"",
			"20s run 4 -> 5", "20s heat log \"error 4\"",
			"30s recovery script 2",
			"30s run 5 -> 5", "30s heat log \"error 5\"",
			"40s run 6 -> 5", "40s heat log \"error 6\"",
			"50s recovery script 3",
			"50s run 7 -> 5", "50s heat log \"error 7\"",
			"60s run 8 -> 5", "60s heat log \"error 8\"",
			"70s recovery script 4",
			"70s run 9 -> 5", "70s heat log \"error 9\"",
		})
		// HEAT_FAIL_CNT counts failed runs only: 8 before the 4th attempt.
		if got := w.env["recovery"][5]; got != "HEAT_FAIL_CNT=8" {
			t.Errorf("got %s, want HEAT_FAIL_CNT=8", got)
		}
		if got := verifying(logs); !slices.Equal(got, []bool{false, false, true, true, true, true, true, true, true}) {
			t.Errorf("verifying %v", got)
		}
		var attempts []int64
		for _, e := range logs.FilterMessage("recovery_failed").All() {
			attempts = append(attempts, e.ContextMap()["attempt"].(int64))
		}
		if want := []int64{1, 2, 3}; !slices.Equal(attempts, want) {
			t.Errorf("recovery_failed attempts %v, want %v", attempts, want)
		}
	})
}

func TestRecoveryWindowIsInclusive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.scriptFor = time.Second
		// Window 9s at a 3s interval: runs 0, 3, 6 and 9 s after the script.
		spec := Spec{Name: "a", Interval: 3 * time.Second, Threshold: 1, Recovery: "/r",
			RecoveryTimeout: 9 * time.Second}
		runFor(t, spec, w, 26500*time.Millisecond)
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			"0s recovery script 1",
			"1s run 2 -> 1", "1s heat log \"error 2\"",
			"4s run 3 -> 1", "4s heat log \"error 3\"",
			"7s run 4 -> 1", "7s heat log \"error 4\"",
			"10s run 5 -> 1", "10s heat log \"error 5\"",
			// 13 s is 12 s after the script ended: outside the window, so
			// the next attempt comes one interval after the last run
			"13s recovery script 2",
			"14s run 6 -> 1", "14s heat log \"error 6\"",
			"17s run 7 -> 1", "17s heat log \"error 7\"",
			"20s run 8 -> 1", "20s heat log \"error 8\"",
			"23s run 9 -> 1", "23s heat log \"error 9\"",
			"26s recovery script 3",
		})
	})
}

func TestRecoveryWindowRunsAtLeastOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			RecoveryTimeout: time.Second}
		runFor(t, spec, w, 25*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"", "0s recovery script 1",
			"0s run 2 -> 1", "0s heat log \"error 2\"",
			"10s recovery script 2", "10s run 3 -> 1", "10s heat log \"error 3\"",
			"20s recovery script 3", "20s run 4 -> 1", "20s heat log \"error 4\"",
		})
	})
}

func TestThresholdWithoutRecoveryScript(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 1, 0))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 2,
			FaultSignal: syscall.SIGUSR1, SuccessSignal: syscall.SIGUSR2}
		logs := runFor(t, spec, w, 25*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			"10s run 2 -> 1", "10s heat log \"error 2\"",
			"10s signal USR1",
			"10s run 3 -> 0", "10s signal USR2",
			"20s run 4 -> 0",
		})
		if n := logs.FilterMessage("recovered").Len(); n != 1 {
			t.Errorf("%d recovered events, want 1", n)
		}
	})
}

func TestRunErrorIsNotAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(-1, -1, 1, -1, 1))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 2, Recovery: "/r", Fail: "/f"}
		logs := runFor(t, spec, w, 45*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 cannot start", "10s run 2 cannot start",
			"20s run 3 -> 1", "20s heat log \"error 3\"", "20s fail script 0",
			"30s run 4 cannot start",
			"40s run 5 -> 1", "40s heat log \"error 5\"", "40s fail script 0",
			"40s recovery script 1", "40s run 6 -> 1", "40s heat log \"error 6\"",
		})
		if n := logs.FilterMessage("run_error").Len(); n != 3 {
			t.Errorf("%d run_error events, want 3", n)
		}
	})
}

func TestTimeoutIsAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(124, 0))
		logs := runFor(t, Spec{Name: "a", Interval: 10 * time.Second}, w, 5*time.Second)
		if logs.FilterMessage("check_timeout").Len() != 1 || logs.FilterMessage("check_failed").Len() != 1 {
			t.Errorf("events %v", messages(logs))
		}
		e := logs.FilterMessage("check_failed").All()[0].ContextMap()
		if e["exit_code"] != int64(124) || e["check"] != "a" || e["output"] != "error 1" {
			t.Errorf("check_failed fields %v", e)
		}
	})
}

func TestStopLetsTheRunFinishWithoutActions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.runFor = 5 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Fail: "/f", Signal: syscall.SIGHUP}
		logs := runFor(t, spec, w, 2*time.Second) // stop 2 s into run 1
		check(t, w.lines(), []string{"0s run 1 -> 1", "5s heat log \"error 1\""})
		if logs.FilterMessage("check_failed").Len() != 1 {
			t.Errorf("events %v", messages(logs))
		}
	})
}

func TestKillInterruptsTheRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0))
		w.runFor = time.Hour
		core, logs := observer.New(zapcore.DebugLevel)
		spec := Spec{Name: "a", Interval: 10 * time.Second, Fail: "/f"}
		c := New(&spec, Options{Doer: w, Log: zap.New(core)})
		stop, cancelStop := context.WithCancel(context.Background())
		kill, cancelKill := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, kill) }()
		time.Sleep(time.Second)
		cancelStop()
		time.Sleep(3 * time.Second) // the grace
		cancelKill()
		<-done
		if got := messages(logs); !slices.Equal(got, []string{"check_interrupted"}) {
			t.Errorf("events %v, want [check_interrupted]", got)
		}
		check(t, w.lines(), []string{"0s run 1 -> 0"})
	})
}

func TestStopWhileIdleReturnsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0))
		spec := Spec{Name: "a", Interval: time.Hour}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop(), Delay: 30 * time.Minute})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(time.Minute)
		cancel()
		<-done
		if d := time.Since(w.t0); d != time.Minute {
			t.Errorf("stopped after %v, want 1m", d)
		}
		if len(w.lines()) != 0 {
			t.Errorf("ran before its delay: %v", w.lines())
		}
	})
}

func TestStatusFollowsTheCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0, 3, 3, 0))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 2}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop()})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()

		want := []struct {
			health       Health
			runs, failed uint64
			recoveries   uint64
		}{
			{Healthy, 1, 0, 0}, // 5 s
			{Failing, 2, 1, 0}, // 15 s
			{Healthy, 4, 2, 1}, // 25 s: failed at 20, recovered at once by run 4
			{Healthy, 5, 2, 1}, // 35 s
		}
		time.Sleep(5 * time.Second)
		for i, w := range want {
			s := c.Status()
			if s.Health() != w.health || s.Runs != w.runs || s.FailedRuns != w.failed || s.Recoveries != w.recoveries {
				t.Errorf("at step %d: %s runs=%d failed=%d recoveries=%d, want %+v",
					i, s.Health(), s.Runs, s.FailedRuns, s.Recoveries, w)
			}
			time.Sleep(10 * time.Second)
		}
		cancel()
		<-done
	})
}

func messages(logs *observer.ObservedLogs) []string {
	var m []string
	for _, e := range logs.All() {
		m = append(m, e.Message)
	}
	return m
}

// verifying lists the verifying field of each check_failed event.
func verifying(logs *observer.ObservedLogs) []bool {
	var v []bool
	for _, e := range logs.FilterMessage("check_failed").All() {
		v = append(v, e.ContextMap()["verifying"].(bool))
	}
	return v
}

// panicky is a world whose third run panics, as a bug in a runner would.
type panicky struct{ *world }

func (p panicky) Check(ctx context.Context) Result {
	p.mu.Lock()
	n := p.runs
	p.mu.Unlock()
	if n == 2 {
		p.mu.Lock()
		p.runs++
		p.mu.Unlock()
		p.note("run 3 panics")
		panic("a bug")
	}
	return p.world.Check(ctx)
}

func TestPanicRestartsTheCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		core, logs := observer.New(zapcore.DebugLevel)
		slots := action.NewLimiter(1)
		spec := Spec{Name: "a", Interval: 10 * time.Second, Fail: "/f"}
		c := New(&spec, Options{Doer: panicky{w}, Log: zap.New(core), Slots: slots})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(25 * time.Second)
		cancel()
		<-done
		// A second after the panic it starts afresh: its count starts over.
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"", "0s fail script 0",
			"10s run 2 -> 1", "10s heat log \"error 2\"", "10s fail script 0",
			"20s run 3 panics",
			"21s run 4 -> 1", "21s heat log \"error 4\"", "21s fail script 0",
		})
		p := logs.FilterMessage("check_panic").All()
		if len(p) != 1 || p[0].ContextMap()["panic"] != "a bug" || p[0].ContextMap()["check"] != "a" ||
			!strings.Contains(p[0].ContextMap()["stack"].(string), "panicky") {
			t.Errorf("check_panic events %v", p)
		}
		if s := c.Status(); s.Panics != 1 || s.State.Streak != 1 {
			t.Errorf("status after the panic: %+v", s)
		}
		// The panicking run gave its slot back.
		slotGivenBack(t, slots)
	})
}

// A run that starts late (the host was suspended, heatd was stopped with
// SIGSTOP, or the run waited for a slot) by more than an interval is one
// run: the slots it missed are skipped, and the next run comes at the
// check's next slot, not at once after it.
func TestLateStartSkipsMissedSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0))
		slots := action.NewLimiter(1)
		spec := Spec{Name: "a", Interval: 10 * time.Second}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop(), Slots: slots})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()

		// From 5 s to 25 s the loop cannot run: run 2, due at 10 s,
		// starts at 25 s.
		time.Sleep(5 * time.Second)
		if _, err := slots.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Second)
		slots.Release()
		time.Sleep(20 * time.Second)
		cancel()
		<-done
		check(t, w.lines(), []string{"0s run 1 -> 0", "25s run 2 -> 0", "30s run 3 -> 0", "40s run 4 -> 0"})
	})
}

// slotGivenBack fails t unless a slot of slots is free within a second (of
// the bubble's time): the step that held it gave it back. The slot it
// takes is kept.
func slotGivenBack(t *testing.T, slots *action.Limiter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := slots.Acquire(ctx); err != nil {
		t.Errorf("the slot was not given back: %v", err)
	}
}
