package check

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Exact timelines of the bounds of remediation (SPEC 12), in fake time.

func TestBackoffWaitsWithRunsGoingOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			RecoveryBackoff: 25 * time.Second, RecoveryBackoffMax: 40 * time.Second}
		logs := runFor(t, spec, w, 66*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			"0s recovery script 1", "0s run 2 -> 1", "0s heat log \"error 2\"",
			// attempt 2 waits 25 s; the check runs every interval meanwhile
			"10s run 3 -> 1", "10s heat log \"error 3\"",
			"20s run 4 -> 1", "20s heat log \"error 4\"",
			"25s recovery script 2", "25s run 5 -> 1", "25s heat log \"error 5\"",
			// attempt 3 waits 50 s, capped at 40 s
			"35s run 6 -> 1", "35s heat log \"error 6\"",
			"45s run 7 -> 1", "45s heat log \"error 7\"",
			"55s run 8 -> 1", "55s heat log \"error 8\"",
			"65s recovery script 3", "65s run 9 -> 1", "65s heat log \"error 9\"",
		})
		var waits []float64
		for _, e := range logs.FilterMessage("recovery_backoff").All() {
			waits = append(waits, seconds(e.ContextMap()["wait"]))
		}
		if want := []float64{25, 40, 40}; !slices.Equal(waits, want) {
			t.Errorf("recovery_backoff waits %v, want %v", waits, want)
		}
	})
}

// A service that comes back by itself during a wait is seen, and the
// recovery ends as verified, with no more attempts.
func TestBackoffSeesASelfHealedService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 1, 1, 0))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			SuccessSignal: syscall.SIGUSR2, RecoveryBackoff: time.Minute, RecoveryBackoffMax: time.Hour}
		logs := runFor(t, spec, w, 35*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			"0s recovery script 1", "0s run 2 -> 1", "0s heat log \"error 2\"",
			"10s run 3 -> 1", "10s heat log \"error 3\"",
			"20s run 4 -> 0", "20s signal USR2",
			"30s run 5 -> 0",
		})
		if n := logs.FilterMessage("recovered").Len(); n != 1 {
			t.Errorf("%d recovered events, want 1", n)
		}
	})
}

func TestGivingUpAndResuming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.history = true
		core, logs := observer.New(zapcore.DebugLevel)
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			RecoveryLimit: 2, RecoveryLimitWindow: time.Hour}
		c := New(&spec, Options{Doer: w, Log: zap.New(core)})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(25 * time.Second)
		if h := c.Health(); h != GaveUp {
			t.Errorf("at 25 s: %s, want gave_up", h)
		}
		if !c.Resume(0) {
			t.Error("Resume of a check that gave up reported nothing to resume")
		}
		if c.Resume(0) {
			t.Error("a second Resume found the check given up")
		}
		time.Sleep(45 * time.Second)
		if h := c.Health(); h != GaveUp || !c.Resume(0) {
			t.Errorf("at 70 s: %s, and Resume did not end it", h)
		}
		time.Sleep(time.Second)
		cancel()
		<-done
		const gaveUp = "heat log \"gave up after 2 recovery attempts within 1h0m0s: no more until the check is ok by itself, heatctl resume, or a changed check\""
		failed := func(at string, attempt int) string {
			return at + " heat log \"recovery failed (attempt " + strconv.Itoa(attempt) + "): no verification run was ok\""
		}
		got := w.lines()
		want := []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			"0s recovery script 1", "0s run 2 -> 1", "0s heat log \"error 2\"", failed("0s", 1),
			"10s recovery script 2", "10s run 3 -> 1", "10s heat log \"error 3\"", failed("10s", 2),
			"20s " + gaveUp,
			// resumed at 25 s with the count at the threshold: a recovery at once
			"25s heat log \"resumed after giving up, by uid 0\"",
			"25s recovery script 3", "25s run 4 -> 1", "25s heat log \"error 4\"", failed("25s", 3),
			"35s recovery script 4", "35s run 5 -> 1", "35s heat log \"error 5\"", failed("35s", 4),
			"45s " + gaveUp,
			// gave up again: runs go on every interval, with no step
			"55s run 6 -> 1", "55s heat log \"error 6\"",
			"65s run 7 -> 1", "65s heat log \"error 7\"",
			"70s heat log \"resumed after giving up, by uid 0\"",
			"70s recovery script 5", "70s run 8 -> 1", "70s heat log \"error 8\"", failed("70s", 5),
		}
		check(t, got, want)
		e := logs.FilterMessage("recovery_gave_up").All()
		if len(e) != 2 || e[0].Level != zapcore.ErrorLevel || e[0].ContextMap()["attempts"] != int64(2) ||
			seconds(e[0].ContextMap()["window"]) != 3600 || e[0].ContextMap()["check"] != "a" {
			t.Errorf("recovery_gave_up events %v", e)
		}
		if n := logs.FilterMessage("check_resumed").Len(); n != 2 {
			t.Errorf("%d check_resumed events, want 2", n)
		}
	})
}

// seconds reads a duration field of an event, a time.Duration or a number
// of seconds.
func seconds(v any) float64 {
	switch v := v.(type) {
	case time.Duration:
		return v.Seconds()
	case float64:
		return v
	}
	return -1
}

// A 30 s check confirms a failure in seconds: runs every retry_interval
// while failing, every interval again once ok.
func TestRetryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0, 1, 1, 1, 0))
		spec := Spec{Name: "a", Interval: 30 * time.Second, RetryInterval: 5 * time.Second, Threshold: 3}
		runFor(t, spec, w, 75*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 0",
			"30s run 2 -> 1", "30s heat log \"error 2\"",
			"35s run 3 -> 1", "35s heat log \"error 3\"",
			"40s run 4 -> 1", "40s heat log \"error 4\"",
			// verification at once, then every interval
			"40s run 5 -> 0",
			"70s run 6 -> 0",
		})
	})
}

// Failures while the check starts are logged and take no step; the first
// failure once start_period has passed is a failure like any.
func TestStartPeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 1, 1, 1, 0))
		core, logs := observer.New(zapcore.DebugLevel)
		spec := Spec{Name: "a", Interval: 10 * time.Second, StartPeriod: 25 * time.Second,
			Signal: syscall.SIGHUP, Fail: "/f", Threshold: 1, Recovery: "/r"}
		c := New(&spec, Options{Doer: w, Log: zap.New(core)})
		if h := c.Health(); h != Starting {
			t.Errorf("before its first run: %s, want starting", h)
		}
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(15 * time.Second)
		if h := c.Health(); h != Starting {
			t.Errorf("at 15 s: %s, want starting", h)
		}
		time.Sleep(20 * time.Second)
		cancel()
		<-done
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			"10s run 2 -> 1", "10s heat log \"error 2\"",
			"20s run 3 -> 1", "20s heat log \"error 3\"",
			"30s run 4 -> 1", "30s heat log \"error 4\"", "30s signal HUP", "30s fail script 0",
			"30s recovery script 1", "30s run 5 -> 0",
		})
		var marks []bool
		for _, e := range logs.FilterMessage("check_failed").All() {
			_, ok := e.ContextMap()["starting"]
			marks = append(marks, ok && e.ContextMap()["starting"] == true)
		}
		if want := []bool{true, true, true, false}; !slices.Equal(marks, want) {
			t.Errorf("check_failed starting marks %v, want %v", marks, want)
		}
	})
}

// The first ok run ends the start period at once.
func TestStartPeriodEndsAtTheFirstOK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 0, 1))
		spec := Spec{Name: "a", Interval: 10 * time.Second, StartPeriod: time.Hour, Signal: syscall.SIGHUP}
		runFor(t, spec, w, 25*time.Second)
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			"10s run 2 -> 0",
			"20s run 3 -> 1", "20s heat log \"error 3\"", "20s signal HUP",
		})
	})
}

// Alternating results make the check flap at the 21st result: from then
// its failures take no step. Once failures are steady, the score falls to
// flap_low (at the 39th run) and, the count being past the threshold,
// recovery starts at once.
func TestFlappingHoldsActions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(func(n int) int {
			if n <= 22 {
				return n % 2
			}
			return 1
		})
		w.history = true
		core, logs := observer.New(zapcore.DebugLevel)
		spec := Spec{Name: "a", Interval: time.Second, Signal: syscall.SIGHUP, Threshold: 3, Recovery: "/r",
			FlapDetection: true, FlapLow: 20, FlapHigh: 30}
		c := New(&spec, Options{Doer: w, Log: zap.New(core)})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(30 * time.Second)
		if h := c.Health(); h != Flapping {
			t.Errorf("at 30 s: %s, want flapping", h)
		}
		time.Sleep(8500 * time.Millisecond)
		cancel()
		<-done
		var signals, notes []string
		for _, l := range w.lines() {
			if strings.HasSuffix(l, "signal HUP") || strings.Contains(l, "recovery script") {
				signals = append(signals, l)
			}
			if strings.Contains(l, "flapping") {
				notes = append(notes, l)
			}
		}
		want := []string{"0s signal HUP", "2s signal HUP", "4s signal HUP", "6s signal HUP", "8s signal HUP",
			"10s signal HUP", "12s signal HUP", "14s signal HUP", "16s signal HUP", "18s signal HUP",
			// run 21 at 20 s: flapping; no step until run 39 at 38 s
			"38s signal HUP", "38s recovery script 1"}
		check(t, signals, want)
		check(t, notes, []string{"20s heat log \"flapping started (score 100.0%): no action until it stops\"",
			"38s heat log \"flapping stopped (score 15.8%)\""})
		if got := messages(logs.Filter(func(e observer.LoggedEntry) bool {
			return strings.HasPrefix(e.Message, "flapping")
		})); !slices.Equal(got, []string{"flapping_started", "flapping_stopped"}) {
			t.Errorf("flapping events %v", got)
		}
		if e := logs.FilterMessage("flapping_started").All(); len(e) != 1 || e[0].Level != zapcore.WarnLevel ||
			e[0].ContextMap()["score"] != 100.0 {
			t.Errorf("flapping_started %v", e)
		}
		if s := c.Status(); s.State.Streak != 18 {
			t.Errorf("failed runs while flapping are counted: %d, want 18", s.State.Streak)
		}
	})
}

// A check that gave up and comes back by itself leaves gave_up after
// success_threshold ok runs: recovered with after_giving_up, and no
// success_signal, since heatd did not fix it.
func TestRecoveredAfterGivingUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 1, 1, 0))
		w.history = true
		core, logs := observer.New(zapcore.DebugLevel)
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			SuccessSignal: syscall.SIGUSR2, SuccessThreshold: 2, RecoveryLimit: 1, RecoveryLimitWindow: time.Hour}
		c := New(&spec, Options{Doer: w, Log: zap.New(core)})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		var healths []Health
		time.Sleep(5 * time.Second)
		for range 5 {
			time.Sleep(10 * time.Second)
			healths = append(healths, c.Health())
		}
		cancel()
		<-done
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			"0s recovery script 1", "0s run 2 -> 1", "0s heat log \"error 2\"",
			"0s heat log \"recovery failed (attempt 1): no verification run was ok\"",
			"10s heat log \"gave up after 1 recovery attempt within 1h0m0s: no more until the check is ok by itself, heatctl resume, or a changed check\"",
			"20s run 3 -> 1", "20s heat log \"error 3\"",
			"30s run 4 -> 0",
			"40s run 5 -> 0", "40s heat log \"ok again after giving up\"",
			"50s run 6 -> 0",
		})
		// at 15, 25, 35 (one ok run of two), 45 and 55 s
		if want := []Health{GaveUp, GaveUp, GaveUp, Healthy, Healthy}; !slices.Equal(healths, want) {
			t.Errorf("states %v, want %v", healths, want)
		}
		e := logs.FilterMessage("recovered").All()
		if len(e) != 1 || e[0].ContextMap()["after_giving_up"] != true {
			t.Errorf("recovered events %v", e)
		}
		if s := c.Status(); s.Recoveries != 0 {
			t.Errorf("%d recoveries counted, want 0: heatd did not fix it", s.Recoveries)
		}
	})
}

// A resume that comes while a run is under way takes effect when the run
// is done, never beside it: its heat log line comes before the recovery it
// makes due at once.
func TestResumeDuringARun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.history = true
		w.runFor = 4 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			RecoveryLimit: 1, RecoveryLimitWindow: time.Hour}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop()})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(26 * time.Second) // run 3 is under way, from 24 s to 28 s
		if !c.Resume(0) {
			t.Error("Resume found nothing to resume")
		}
		time.Sleep(10 * time.Second)
		cancel()
		<-done
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "4s heat log \"error 1\"",
			"4s recovery script 1", "4s run 2 -> 1", "8s heat log \"error 2\"",
			"8s heat log \"recovery failed (attempt 1): no verification run was ok\"",
			// verification ran at 4 s: its rhythm goes on
			"14s heat log \"gave up after 1 recovery attempt within 1h0m0s: no more until the check is ok by itself, heatctl resume, or a changed check\"",
			"24s run 3 -> 1", "28s heat log \"error 3\"",
			"28s heat log \"resumed after giving up, by uid 0\"",
			"28s recovery script 2", "28s run 4 -> 1", "32s heat log \"error 4\"",
			"32s heat log \"recovery failed (attempt 2): no verification run was ok\"",
		})
	})
}

// A resume's heat log line comes before the recovery it starts at once,
// however long the line takes to write: the recovery waits for it, whether
// the resume came during a run or while the check was idle.
func TestResumeIsLoggedBeforeItsRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.history = true
		w.slow = "resumed"
		w.runFor = 4 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			RecoveryLimit: 1, RecoveryLimitWindow: time.Hour}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop()})
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.Run(stop, context.Background()) }()
		time.Sleep(26 * time.Second) // run 3 is under way, from 24 s to 28 s
		if !c.Resume(0) {
			t.Error("Resume found nothing to resume")
		}
		time.Sleep(17 * time.Second) // attempt 2 fails at 33 s; the check gives up at 39 s
		c.Pause(Pause{Since: time.Now()})
		time.Sleep(time.Second) // idle until 49 s
		if !c.Resume(0) {
			t.Error("Resume found nothing to resume")
		}
		time.Sleep(2 * time.Second)
		cancel()
		<-done
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "4s heat log \"error 1\"",
			"4s recovery script 1", "4s run 2 -> 1", "8s heat log \"error 2\"",
			"8s heat log \"recovery failed (attempt 1): no verification run was ok\"",
			"14s heat log \"gave up after 1 recovery attempt within 1h0m0s: no more until the check is ok by itself, heatctl resume, or a changed check\"",
			"24s run 3 -> 1", "28s heat log \"error 3\"",
			// the line takes a second to write; the recovery follows it
			"28s heat log \"resumed after giving up, by uid 0\"",
			"29s recovery script 2", "29s run 4 -> 1", "33s heat log \"error 4\"",
			"33s heat log \"recovery failed (attempt 2): no verification run was ok\"",
			"39s heat log \"gave up after 1 recovery attempt within 1h0m0s: no more until the check is ok by itself, heatctl resume, or a changed check\"",
			"43s heat log \"paused by uid 0\"",
			"44s heat log \"resumed after giving up, by uid 0\"",
			"45s recovery script 3", "45s run 5 -> 1", "49s heat log \"error 5\"",
		})
	})
}
