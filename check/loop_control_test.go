package check

import (
	"context"
	"slices"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/action"
)

// Exact timelines of heatctl pause and resume, in fake time.

// startCheck runs a check of spec against w until the test's cleanup.
func startCheck(t *testing.T, spec Spec, w *world, o Options) (*Check, *observer.ObservedLogs, func()) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	o.Doer, o.Log = w, zap.New(core)
	c := New(&spec, o)
	stop, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(stop, context.Background()) }()
	return c, logs, func() { cancel(); <-done }
}

// A pause during a recovery script lets the script finish, and nothing
// follows it: no verification at once, no more attempt; the check runs on
// every interval, on the slots it had before the recovery, its failures
// counted with no step. The resume, with the count past the threshold,
// starts a recovery at once.
func TestPauseDuringARecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.history = true
		w.scriptFor = 5 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 2, Recovery: "/r", Signal: syscall.SIGHUP}
		c, logs, stop := startCheck(t, spec, w, Options{})
		time.Sleep(12 * time.Second) // the recovery script runs from 10 s to 15 s
		c.Pause(Pause{Since: time.Now(), Reason: "deploy", UID: 1000})
		if h := c.Health(); h != Paused {
			t.Errorf("paused: %s", h)
		}
		time.Sleep(30 * time.Second)
		if !c.Resume(0) {
			t.Error("Resume found no pause")
		}
		time.Sleep(6 * time.Second)
		stop()
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"", "0s signal HUP",
			"10s run 2 -> 1", "10s heat log \"error 2\"", "10s signal HUP",
			"10s recovery script 1",
			"12s heat log \"paused by uid 1000: deploy\"",
			// the script ends at 15 s, and no verification follows it: the
			// next run is a normal one, at the check's next slot, with no step
			"20s run 3 -> 1", "20s heat log \"error 3\"",
			"30s run 4 -> 1", "30s heat log \"error 4\"",
			"40s run 5 -> 1", "40s heat log \"error 5\"",
			"42s heat log \"resumed by uid 0\"",
			"42s recovery script 2", "47s run 6 -> 1", "47s heat log \"error 6\"",
		})
		if e := logs.FilterMessage("check_failed").All(); len(e) != 6 || e[4].ContextMap()["consecutive_failures"] != int64(5) {
			t.Errorf("check_failed: %d events; the count goes on while paused", len(e))
		}
		p := logs.FilterMessage("check_paused").All()
		if len(p) != 1 || p[0].ContextMap()["uid"] != int64(1000) || p[0].ContextMap()["reason"] != "deploy" {
			t.Errorf("check_paused %+v", p)
		}
		r := logs.FilterMessage("check_resumed").All()
		if len(r) != 1 || r[0].ContextMap()["uid"] != int64(0) || r[0].ContextMap()["consecutive_failures"] != int64(5) {
			t.Errorf("check_resumed %+v", r)
		}
	})
}

// A pause while idle with a recovery due (its timer set) holds it; ok runs
// while paused end the streak as always, and a resume then starts nothing.
func TestPausedChecksRunAndHeal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 1, 0))
		w.history = true
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 3, Recovery: "/r"}
		c, _, stop := startCheck(t, spec, w, Options{})
		time.Sleep(5 * time.Second)
		c.Pause(Pause{Since: time.Now(), UID: 0, Until: time.Now().Add(time.Hour)})
		time.Sleep(30 * time.Second)
		if st := c.Status(); st.Health() != Paused || st.Pause == nil || st.State.Streak != 0 {
			t.Errorf("status while paused: %s, %+v, count %d", st.Health(), st.Pause, st.State.Streak)
		}
		c.EndPause()
		time.Sleep(time.Second)
		if st := c.Status(); st.Health() != Healthy || st.Pause != nil {
			t.Errorf("status after the pause: %s, %+v", st.Health(), st.Pause)
		}
		stop()
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "0s heat log \"error 1\"",
			// synctest's clock starts at midnight UTC, 1 January 2000
			"5s heat log \"paused by uid 0 until 2000-01-01T01:00:05Z\"",
			"10s run 2 -> 1", "10s heat log \"error 2\"",
			"20s run 3 -> 0",
			"30s run 4 -> 0",
			"35s heat log \"resumed: the pause ended\"",
		})
	})
}

// A check starts as heatd remembered it: paused, given up, with its recent
// attempts counting against recovery_limit; and it tells OnMemory of each
// change: an attempt when it starts, giving up, a resume.
func TestMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			RecoveryLimit: 2, RecoveryLimitWindow: time.Hour}
		before := time.Now().Add(-time.Minute)
		var told []Memory
		c, _, stop := startCheck(t, spec, w, Options{
			Memory:   &Memory{Attempts: []time.Time{before}},
			OnMemory: func(m Memory) { told = append(told, m) },
		})
		time.Sleep(15 * time.Second)
		if h := c.Health(); h != GaveUp {
			t.Errorf("one attempt remembered, one made, limit 2: %s, want gave_up", h)
		}
		stop()
		if len(told) != 2 || len(told[0].Attempts) != 2 || !told[0].Attempts[0].Equal(before) || !told[0].GaveUp.IsZero() ||
			told[1].GaveUp.IsZero() {
			t.Errorf("told %+v; want the attempt, then giving up", told)
		}
		check(t, w.lines(), []string{"0s run 1 -> 1", "0s heat log \"error 1\"", "0s recovery script 1",
			"0s run 2 -> 1", "0s heat log \"error 2\""})

		w = newWorld(codes(1))
		told = nil
		c, _, stop = startCheck(t, spec, w, Options{
			Memory:   &Memory{GaveUp: before, Pause: &Pause{Since: before, Reason: "why"}},
			OnMemory: func(m Memory) { told = append(told, m) },
		})
		time.Sleep(5 * time.Second)
		if st := c.Status(); st.Health() != Paused || st.State.Mode != GivenUp || st.Pause.Reason != "why" {
			t.Errorf("remembered pause and giving up: %s %s %+v", st.Health(), st.State.Mode, st.Pause)
		}
		c.Resume(0)
		time.Sleep(time.Second)
		stop()
		if len(told) != 2 || told[0].Pause != nil || !told[0].GaveUp.IsZero() || len(told[1].Attempts) != 1 {
			t.Errorf("told %+v; want the resume, then the attempt it started", told)
		}
		if n := slices.Index(w.lines(), "5s recovery script 1"); n < 0 {
			t.Errorf("the resume at the threshold starts no recovery: %v", w.lines())
		}
	})
}

// A pause and a resume within one run: both are told, in order, and the
// run's steps follow as if neither had come.
func TestPauseAndResumeDuringARun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.history = true
		w.runFor = 4 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Fail: "/f"}
		c, logs, stop := startCheck(t, spec, w, Options{})
		time.Sleep(time.Second)
		c.Pause(Pause{Since: time.Now()})
		time.Sleep(time.Second)
		if !c.Resume(0) {
			t.Error("Resume found no pause")
		}
		time.Sleep(3 * time.Second)
		stop()
		check(t, w.lines(), []string{"0s run 1 -> 1", "1s heat log \"paused by uid 0\"", "4s heat log \"error 1\"",
			"4s fail script 0", "4s heat log \"resumed by uid 0\""})
		if n := logs.FilterMessage("check_resumed").Len(); n != 1 {
			t.Errorf("%d check_resumed, want 1", n)
		}
	})
}

// A pause during a run holds the steps that would follow it.
func TestPauseDuringARun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.runFor = 4 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Fail: "/f", Signal: syscall.SIGHUP, Threshold: 1, Recovery: "/r"}
		c, _, stop := startCheck(t, spec, w, Options{})
		time.Sleep(time.Second)
		c.Pause(Pause{Since: time.Now()})
		time.Sleep(15 * time.Second)
		stop()
		check(t, w.lines(), []string{"0s run 1 -> 1", "4s heat log \"error 1\"", "10s run 2 -> 1", "14s heat log \"error 2\""})
	})
}

// depends_on: a child is blocked from the moment its parent fails, its
// failures counted with no step, and unblocked the moment the parent is ok
// again, when a child past its threshold starts its recovery at once.
func TestBlockedByAParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pw := newWorld(codes(1, 1, 1, 0))
		pw.runFor = time.Second
		parent, _, stopParent := startCheck(t, Spec{Name: "net", Interval: 10 * time.Second}, pw, Options{Delay: 5 * time.Second})
		cw := newWorld(codes(1))
		child, logs, stopChild := startCheck(t, Spec{Name: "web", Interval: 4 * time.Second, Threshold: 2, Recovery: "/r",
			Fail: "/f", DependsOn: []string{"net"}}, cw, Options{Delay: time.Second})
		child.DependOn([]*Check{parent})
		parent.Link([]*Check{child})
		time.Sleep(37 * time.Second)
		stopChild()
		stopParent()
		// net fails at 5 s (seen at 6 s), 15 s, 25 s, and is ok at 35 s (seen at 36 s)
		check(t, cw.lines(), []string{
			"1s run 1 -> 1", "1s heat log \"error 1\"", "1s fail script 0",
			"5s run 2 -> 1", "5s heat log \"error 2\"", "5s fail script 0", "5s recovery script 1",
			"5s run 3 -> 1", "5s heat log \"error 3\"",
			// verification ends at 9 s, blocked: no next attempt
			"9s run 4 -> 1", "9s heat log \"error 4\"",
			"13s run 5 -> 1", "13s heat log \"error 5\"",
			"17s run 6 -> 1", "17s heat log \"error 6\"",
			"21s run 7 -> 1", "21s heat log \"error 7\"",
			"25s run 8 -> 1", "25s heat log \"error 8\"",
			"29s run 9 -> 1", "29s heat log \"error 9\"",
			"33s run 10 -> 1", "33s heat log \"error 10\"",
			"36s recovery script 2", "36s run 11 -> 1", "36s heat log \"error 11\"",
		})
		b := logs.FilterMessage("check_blocked").All()
		u := logs.FilterMessage("check_unblocked").All()
		epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // synctest's clock starts here
		if len(b) != 1 || b[0].ContextMap()["parent"] != "net" || b[0].Time.Sub(epoch) != 6*time.Second ||
			len(u) != 1 || u[0].Time.Sub(epoch) != 36*time.Second {
			t.Errorf("check_blocked %v, check_unblocked %v", b, u)
		}
	})
}

// A pause and a resume change what the steps do, never when runs start:
// runs stay on the check's grid, every interval from its first, across
// both. A pause during the fail script of the run that reached the
// threshold holds the recovery due at once, and the next run is the next
// slot, not an interval after the script; a resume during a run starts
// nothing, and moves nothing. Only a resume at the threshold moves the
// schedule: its recovery starts at once, and the schedule goes on from it.
func TestPauseKeepsTheSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 1, 1, 1, 1, 0))
		w.history = true
		w.runFor = 4 * time.Second
		w.scriptFor = 2 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r", Fail: "/f"}
		c, _, stop := startCheck(t, spec, w, Options{})
		time.Sleep(5 * time.Second) // the fail script runs from 4 s to 6 s
		c.Pause(Pause{Since: time.Now()})
		time.Sleep(7 * time.Second) // run 2 is under way, from 10 s to 14 s
		c.Resume(0)
		c.Pause(Pause{Since: time.Now()})
		time.Sleep(14 * time.Second) // idle, at 26 s, the count at the threshold
		c.Resume(0)
		time.Sleep(20 * time.Second)
		stop()
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "4s heat log \"error 1\"", "4s fail script 0",
			"5s heat log \"paused by uid 0\"",
			// the resume during run 2 is taken (and told) as the run ends,
			// the pause after it at once; the pause holds the recovery the
			// resume would start, and the next run is at its slot
			"10s run 2 -> 1", "12s heat log \"paused by uid 0\"",
			"14s heat log \"error 2\"", "14s heat log \"resumed by uid 0\"",
			"20s run 3 -> 1", "24s heat log \"error 3\"",
			// the one exception: the recovery the resume starts at once
			"26s heat log \"resumed by uid 0\"", "26s recovery script 1",
			"28s run 4 -> 1", "32s heat log \"error 4\"",
			"32s heat log \"recovery failed (attempt 1): no verification run was ok\"",
			"38s recovery script 2", "40s run 5 -> 1", "44s heat log \"error 5\"",
			"44s heat log \"recovery failed (attempt 2): no verification run was ok\"",
		})
	})
}

// A pause that comes while a recovery due at once waits for its slot
// (max_parallel) cannot hold the step, which has begun: the step is a run,
// late for the slot the recovery was due in, and the runs after it keep
// the check's grid, none skipped.
func TestPauseWhileWaitingForASlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		w.history = true
		w.runFor = 2 * time.Second
		slots := action.NewLimiter(1)
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r"}
		c, _, stop := startCheck(t, spec, w, Options{Slots: slots})
		time.Sleep(time.Second)
		held := make(chan struct{})
		go func() {
			// queued behind run 1, which ends at 2 s: the recovery due
			// then waits behind this
			if _, err := slots.Acquire(context.Background()); err != nil {
				t.Error(err)
			}
			close(held)
		}()
		time.Sleep(4 * time.Second)
		<-held
		c.Pause(Pause{Since: time.Now()})
		time.Sleep(12 * time.Second)
		slots.Release() // at 17 s
		time.Sleep(18 * time.Second)
		stop()
		check(t, w.lines(), []string{
			"0s run 1 -> 1", "2s heat log \"error 1\"",
			"5s heat log \"paused by uid 0\"",
			"17s run 2 -> 1", "19s heat log \"error 2\"",
			"20s run 3 -> 1", "22s heat log \"error 3\"",
			"30s run 4 -> 1", "32s heat log \"error 4\"",
		})
	})
}
