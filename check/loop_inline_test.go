package check

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/action"
)

// inWorld is a world whose runs start no process, as a native probe's:
// its steps take a slot of max_parallel only for a script.
type inWorld struct{ *world }

func (inWorld) spawnsNothing() bool { return true }

// startHeld starts a process check whose first run takes the only slot of
// slots for d, or until stop ends.
func startHeld(t *testing.T, slots *action.Limiter, stop context.Context, d time.Duration) *world {
	t.Helper()
	long := newWorld(codes(0))
	long.runFor = d
	c := New(&Spec{Name: "long", Interval: 24 * time.Hour}, Options{Doer: long, Log: zap.NewNop(), Slots: slots})
	c.Start(stop, stop) // the stop cuts its run short
	synctest.Wait()
	return long
}

// A native probe's runs take no slot: with every slot held by a long
// process, a probe due runs on time.
func TestInProcessRunWhileSlotsAreFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slots := action.NewLimiter(1)
		stop, cancel := context.WithCancel(context.Background())
		long := startHeld(t, slots, stop, time.Hour)
		w := newWorld(codes(0))
		c := New(&Spec{Name: "probe", Interval: time.Second},
			Options{Doer: inWorld{w}, Log: zap.NewNop(), Slots: slots, Delay: time.Second / 2})
		c.Start(stop, context.Background())
		time.Sleep(3 * time.Second)
		check(t, w.lines(), []string{"0.5s run 1 -> 0", "1.5s run 2 -> 0", "2.5s run 3 -> 0"})
		check(t, long.lines(), []string{"0s run 1 -> 0"})
		cancel()
		<-c.Done()
	})
}

// A native probe's step takes a slot for each script it comes to: with the
// only slot held by a long process, its fail script, or its recovery
// script, waits until the slot is free, then runs, and the probe's runs
// wait behind it (steps never overlap), on their schedule's grid after.
func TestInProcessScriptWaitsForASlot(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
		want []string
	}{
		{"fail script", Spec{Fail: "/f"}, []string{
			"2s run 1 -> 1", `2s heat log "error 1"`, "10s fail script 0",
			"10s run 2 -> 1", `10s heat log "error 2"`, "10s fail script 0",
			"11s run 3 -> 1", `11s heat log "error 3"`, "11s fail script 0",
		}},
		{"recovery script", Spec{Threshold: 1, Recovery: "/r", RecoveryTimeout: time.Minute}, []string{
			"2s run 1 -> 1", `2s heat log "error 1"`, "10s recovery script 1",
			"10s run 2 -> 1", `10s heat log "error 2"`,
			"11s run 3 -> 1", `11s heat log "error 3"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				slots := action.NewLimiter(1)
				stop, cancel := context.WithCancel(context.Background())
				startHeld(t, slots, stop, 10*time.Second)
				w := newWorld(codes(1))
				spec := tc.spec
				spec.Name, spec.Interval = "probe", time.Second
				core, logs := observer.New(zapcore.InfoLevel)
				c := New(&spec, Options{Doer: inWorld{w}, Log: zap.New(core), Slots: slots, Delay: 2 * time.Second})
				c.Start(stop, context.Background())
				time.Sleep(11*time.Second + time.Second/2)
				cancel()
				<-c.Done()
				check(t, w.lines(), tc.want)
				// The script's event says how long it waited.
				done := logs.FilterMessageSnippet("script_done").All()
				if len(done) == 0 || done[0].ContextMap()["queued"] != 8*time.Second {
					t.Errorf("script_done events %v, want the first queued 8s", done)
				}
				// Every slot the probe took is given back.
				synctest.Wait()
				slotGivenBack(t, slots)
			})
		})
	}
}

// A stop that comes while a probe's fail script waits for its slot ends the
// check: no script runs.
func TestInProcessStopWhileScriptWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slots := action.NewLimiter(1)
		stop, cancel := context.WithCancel(context.Background())
		startHeld(t, slots, stop, time.Hour)
		w := newWorld(codes(1))
		c := New(&Spec{Name: "probe", Interval: time.Second, Fail: "/f"},
			Options{Doer: inWorld{w}, Log: zap.NewNop(), Slots: slots, Delay: time.Second})
		c.Start(stop, context.Background())
		time.Sleep(5 * time.Second)
		cancel()
		<-c.Done()
		check(t, w.lines(), []string{"1s run 1 -> 1", `1s heat log "error 1"`})
	})
}

// The first runs that Start makes due at once queue for slots whatever the
// kind: heatd starts its checks in one loop, the slots held, and ten
// thousand probes' first runs must not run one after another in it. The
// slots see them end (WhenIdle: the first runs' burst is over).
func TestInProcessFirstRunsQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slots := action.NewLimiter(2)
		slots.Hold()
		stop, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := newWorld(codes(0))
		w.runFor = time.Second
		const n = 50
		for range n {
			c := New(&Spec{Name: "probe", Interval: time.Hour}, Options{Doer: inWorld{w}, Log: zap.NewNop(), Slots: slots})
			c.Start(stop, context.Background())
		}
		if len(w.lines()) != 0 {
			t.Fatalf("first runs ran as their checks started: %v", w.lines())
		}
		idle := make(chan time.Duration, 1)
		t0 := time.Now()
		slots.WhenIdle(func() { idle <- time.Since(t0) })
		slots.Unhold()
		// Two at a time, a second each.
		if d := <-idle; d != n/2*time.Second {
			t.Errorf("the first runs' burst ended after %s, want %s", d, n/2*time.Second)
		}
		if got := len(w.lines()); got != n {
			t.Errorf("%d first runs, want %d", got, n)
		}
	})
}

// scriptPanics is an in-process world whose second script panics, as a bug
// would, holding the slot it took.
type scriptPanics struct {
	*world
	scripts int
}

func (*scriptPanics) spawnsNothing() bool { return true }

func (p *scriptPanics) Script(ctx context.Context, kind ScriptKind, attempt int, env []string) (action.Outcome, error) {
	p.scripts++ // steps never overlap
	if p.scripts == 2 {
		p.note("script 2 panics")
		panic("a bug")
	}
	return p.world.Script(ctx, kind, attempt, env)
}

// A panic in a probe's step gives back the slot its script took, and the
// check starts again a second later.
func TestInProcessPanicGivesTheSlotBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1))
		slots := action.NewLimiter(1)
		c := New(&Spec{Name: "probe", Interval: 10 * time.Second, Fail: "/f"},
			Options{Doer: &scriptPanics{world: w}, Log: zap.NewNop(), Slots: slots, Delay: time.Second})
		stop, cancel := context.WithCancel(context.Background())
		c.Start(stop, context.Background())
		time.Sleep(15 * time.Second)
		check(t, w.lines(), []string{
			"1s run 1 -> 1", `1s heat log "error 1"`, "1s fail script 0",
			"11s run 2 -> 1", `11s heat log "error 2"`, "11s script 2 panics",
			"12s run 3 -> 1", `12s heat log "error 3"`, "12s fail script 0",
		})
		if s := c.Status(); s.Panics != 1 {
			t.Errorf("%d panics", s.Panics)
		}
		cancel()
		<-c.Done()
		slotGivenBack(t, slots)
	})
}

// crowdProbe is a crowd's check whose runs are in-process: they fail at
// once and count as no process; its scripts count as the crowd's.
type crowdProbe struct{ *crowd }

func (crowdProbe) spawnsNothing() bool { return true }

func (p crowdProbe) Check(context.Context) Result {
	start := time.Now()
	p.mu.Lock()
	p.runs++
	p.mu.Unlock()
	return Result{Start: start, Unix: start.Unix(), Code: 22}
}

// Probes and process checks share max_parallel: one slot, failing probes
// with fail and recovery scripts beside failing process checks, heatctl's
// verbs meanwhile, never two processes at once, and every check goes on.
// Run with -race, it finds what the probes' steps, on their timers'
// goroutines, share with the rest unguarded.
func TestInProcessScriptsShareTheSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &crowd{}
		slots := action.NewLimiter(1)
		stop, cancel := context.WithCancel(context.Background())
		var checks []*Check
		for i, name := range []string{"a", "b", "c", "d", "e"} {
			spec := &Spec{Name: name, Interval: 5 * time.Second, Threshold: 2, Fail: "/f", Recovery: "/r"}
			var d Doer = w
			if i < 3 {
				d = crowdProbe{w}
			}
			c := New(spec, Options{Doer: d, Log: zap.NewNop(), Slots: slots, Delay: time.Duration(i) * time.Second})
			c.Start(stop, context.Background())
			checks = append(checks, c)
		}
		var wg sync.WaitGroup
		for _, c := range checks {
			wg.Go(func() {
				for range 5 {
					time.Sleep(3 * time.Second)
					c.Pause(Pause{UID: 1})
					time.Sleep(time.Second)
					c.Resume(1)
					c.RunNow(context.Background())
				}
			})
		}
		time.Sleep(time.Minute)
		wg.Wait()
		cancel()
		for _, c := range checks {
			<-c.Done()
		}
		if w.most != 1 {
			t.Errorf("%d processes at once under max_parallel = 1", w.most)
		}
		if w.runs < 5*3 {
			t.Errorf("%d runs in a minute: the checks did not go on", w.runs)
		}
	})
}

// The kinds whose runs start no process are the native probes, process
// and heartbeat checks: their checks' timers take their steps.
func TestKindsThatRunInline(t *testing.T) {
	for _, tc := range []struct {
		probe  Probe
		inline bool
	}{
		{Command("/bin/true"), false},
		{Script("/bin/true"), false},
		{HTTPProbe{URL: "http://127.0.0.1:1/"}, true},
		{TCPProbe{Addr: "127.0.0.1:1"}, true},
		{ProcessProbe{MaxFDs: 10}, true},
		{HeartbeatProbe{Every: time.Minute}, true},
	} {
		spec := &Spec{Name: "a", Interval: time.Second, Probe: tc.probe}
		r, _ := NewRunner(spec, nil, nil)
		c := New(spec, Options{Doer: r, Log: zap.NewNop()})
		if c.runsInline != tc.inline {
			t.Errorf("%s check: runs inline %v, want %v", tc.probe.Kind(), c.runsInline, tc.inline)
		}
		r.Close()
	}
}
