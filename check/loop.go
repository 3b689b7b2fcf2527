package check

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/heatd/heatd/action"
)

// Doer performs what the rules decide: the real one runs processes and
// sends signals (runner.go); tests give one of their own.
type Doer interface {
	// Check runs the check once. ctx ending kills the run (Interrupted).
	Check(ctx context.Context) Result
	// Signal sends sig to the check's target.
	Signal(sig syscall.Signal) (pid int, err error)
	// Script runs the fail or recovery script with env added to the
	// check's environment; logErr reports a heat log that failed.
	Script(ctx context.Context, kind ScriptKind, attempt int, env []string) (out action.Outcome, logErr error)
	// HeatLog appends to the heat log, in one write, heatd's own line
	// (none when empty) and then text, a run's stderr, each line as
	// "UNIX: line".
	HeatLog(unix int64, line string, text []byte) error
}

// Check is one named check and its loop.
type Check struct {
	name string
	// spec is the check's settings, read, not copied: its Policy is made
	// from it at each use (a Policy is 128 bytes, a step reads it a few
	// times), as its Runner reads it too.
	spec *Spec
	doer Doer
	log  *zap.Logger // heatd's: events() adds the check's name

	// OnResult, when set, sees every check run's result (verification
	// runs too) before its steps are taken: heat prints HEAT's lines here.
	onResult func(Result)
	delay    time.Duration // before the first run
	slots    *action.Limiter
	onEnd    func()
	onAlarms AlarmFunc // Options.OnAlarms: told when the alarms change; may be nil

	// The loop's own schedule, touched only by the step under way (steps
	// never overlap). Its state between steps is status.State: a step
	// works on a copy of its own and shows it when the rules say (record,
	// perform), so that a check keeps one State, not two.
	next time.Time // when the next step is due, on the monotonic clock

	stop, kill context.Context
	timer      *time.Timer

	mu     sync.Mutex
	status Status
	phase  phase  // for Stalled
	busy   bool   // a step is waiting for its slot or under way
	ended  bool   // done is closed
	alarms Alarms // as OnAlarms was last told; the step under way's (alarm.go)
	// watch: the Doer watches the target (a TargetWatcher, watch_target
	// on, a target set). A bool, not the interface again: 16 bytes a check.
	watch bool
	// runsInline: the check's runs start no process (the Doer is
	// spawnless), so its timer's goroutine takes its steps, which take a
	// slot of max_parallel only for a script (stepHere). Set by New.
	runsInline bool
	// slotted: the step under way holds a slot of max_parallel. Touched
	// only by that step, as next is.
	slotted bool

	// What the operator asked (loop_control.go), applied by the loop
	// between steps; under mu.
	paused   bool // paused now: from Pause until a resume
	rare     *rare
	onMemory func(Memory)
	// depends_on's links (loop_depends.go), made by the first link: most
	// checks have no parent and no child, and keep none.
	family atomic.Pointer[family]
}

// rare is what the operator's verbs and OnMemory leave with a check, under
// its mu, with its alarms' latest failed run and its done channel: most
// checks are never paused, resumed or run by hand, never fail, give up or
// attempt a recovery, and are waited for only as heatd stops or a reload
// replaces them; they hold none of it (an idle check's memory is ten
// thousand times itself).
type rare struct {
	resume   *resumer           // a resume not yet applied
	told     memory             // what OnMemory was last told
	gaveUpAt time.Time          // when the check gave up, for its Memory
	mem      Memory             // the latest Memory, which OnMemory is told
	telling  sync.Mutex         // one OnMemory call at a time
	asked    []chan<- runAnswer // heatctl run: waiting for the next run
	done     chan struct{}      // made by Done
	// failed: a run of the check has failed (or could not start), and
	// last is its latest run since, for OnAlarms (alarm.go). The step
	// under way's, not under mu.
	failed bool
	last   Result
}

// kept is the check's rare, made when first needed; c.mu is held.
func (c *Check) kept() *rare {
	if c.rare == nil {
		c.rare = &rare{}
	}
	return c.rare
}

// waiting is how many heatctl runs wait for the check's next run; c.mu is
// held.
func (c *Check) waiting() int {
	if c.rare == nil {
		return 0
	}
	return len(c.rare.asked)
}

// takeAsked returns the heatctl runs waiting and forgets them; c.mu is
// held.
func (c *Check) takeAsked() []chan<- runAnswer {
	if c.rare == nil {
		return nil
	}
	asked := c.rare.asked
	c.rare.asked = nil
	return asked
}

// Options are what a Check needs besides its Spec.
type Options struct {
	Doer     Doer
	Log      *zap.Logger     // events; the check field is added here
	Delay    time.Duration   // before the first run (splay)
	Slots    *action.Limiter // bounds processes at once (max_parallel); nil: no bound
	OnResult func(Result)
	OnEnd    func() // called once the check has ended, before Done is closed
	// Memory is what heatd kept of the check from before it started (a
	// restart, a reload that changed it): a pause, giving up, recent
	// attempts. nil: nothing.
	Memory *Memory
	// OnMemory, when set, is told the check's Memory each time it changes
	// (a pause, giving up, a recovery attempt), after the step that
	// changed it; never during a run.
	OnMemory func(Memory)
	// OnAlarms, when set, is told when the check's alarms change after a
	// step (AlarmFunc says how it is called).
	OnAlarms AlarmFunc
}

// New makes the check of spec, ready to Run. The check reads spec for its
// whole life: spec must not change meanwhile.
func New(spec *Spec, o Options) *Check {
	c := &Check{
		name:     spec.Name,
		spec:     spec,
		doer:     o.Doer,
		log:      o.Log,
		onResult: o.OnResult,
		delay:    o.Delay,
		slots:    o.Slots,
		onEnd:    o.OnEnd,
	}
	c.onAlarms = o.OnAlarms
	c.status.Name, c.status.Interval, c.status.State = spec.Name, spec.Interval, Begin(c.policy())
	c.onMemory = o.OnMemory
	if o.Memory != nil {
		c.remember(*o.Memory)
	}
	if s, ok := o.Doer.(spawnless); ok {
		c.runsInline = s.spawnsNothing()
	}
	_, c.watch = o.Doer.(TargetWatcher)
	c.watch = c.watch && !spec.NoWatch && spec.Target.IsSet()
	return c
}

// Doer is what performs the check's runs, signals and scripts
// (Options.Doer): heatd's engine reads its Runner here rather than keeping
// it twice.
func (c *Check) Doer() Doer { return c.doer }

// events is the check's logger, its name in every event. It is made for
// each event and not kept: a logger kept per check is ten thousand loggers
// (a quarter of a kilobyte each) for ten thousand checks, and one made at
// a check's first event (its first check_ok at debug level) lands amid
// the garbage of the first runs, where it keeps whole pages of heap from
// being given back. Making one costs less than encoding its event.
func (c *Check) events() *zap.Logger {
	return c.log.With(zap.String("check", c.name))
}

// policy is what the rules read of the check's settings.
func (c *Check) policy() Policy { return PolicyOf(c.spec) }

// PolicyOf is the part of spec that the rules read.
func PolicyOf(spec *Spec) Policy {
	return Policy{
		Interval:        spec.Interval,
		Threshold:       spec.Threshold,
		RecoveryTimeout: spec.RecoveryTimeout,
		Signal:          spec.Signal,
		FaultSignal:     spec.FaultSignal,
		SuccessSignal:   spec.SuccessSignal,
		Fail:            spec.Fail != "",
		Recovery:        spec.Recovery != "" || spec.RecoveryUnit != "",

		StartPeriod:      spec.StartPeriod,
		SuccessThreshold: spec.SuccessThreshold,
		RetryInterval:    spec.RetryInterval,
		Backoff:          spec.RecoveryBackoff,
		BackoffMax:       cmp.Or(spec.RecoveryBackoffMax, DefaultBackoffMax),
		Limit:            spec.RecoveryLimit,
		LimitWindow:      cmp.Or(spec.RecoveryLimitWindow, DefaultLimitWindow),
		Flap:             spec.FlapDetection,
		FlapLow:          cmp.Or(spec.FlapLow, DefaultFlapLow),
		FlapHigh:         cmp.Or(spec.FlapHigh, DefaultFlapHigh),
	}
}

// A check holds no goroutine while it waits: an idle check is a timer and
// its state, so ten thousand checks cost ten thousand timers, not ten
// thousand stacks. When the timer fires, the check queues for a slot of
// max_parallel, still holding no goroutine; once it has one, one goroutine
// takes the check's next step (a run and what follows it, or a recovery),
// gives the slot back, sets the timer for the step after, and ends. Steps
// never overlap: the next timer is set only once a step is done. The stop
// context is the check's whole life; its end halts the check wherever it is:
//
//	Start ─► idle ──timer fires──► waiting for a slot ──slot──► step
//	          ▲     (a timer)       (a queue entry)      (a goroutine
//	          │                                           and a slot)
//	          └───────────── timer set for the next step ◄────┘
//
//	stop ends: idle ─► ended; waiting ─► ended; step ─► (it finishes) ─► ended
//	ended: Done is closed, and nothing of the check runs.
//
// A check whose runs start no process (a native probe) skips the queue
// when its timer fires: the timer's own goroutine takes the step, with no
// slot until a script needs one (stepHere). Its first run due at Start
// still queues, as every check's does.

// Start begins the check's life: its first run at once (or after its splay
// delay), then on schedule, until stop ends. A stop lets the run or script
// under way finish; kill ending cuts it short. Start returns at once; Done
// is closed once the check has stopped and nothing of it runs.
func (c *Check) Start(stop, kill context.Context) {
	c.stop, c.kill = stop, kill
	c.next = time.Now().Add(c.delay)
	c.mu.Lock()
	c.waitFor(c.next)
	now := c.delay <= 0
	if now {
		// A first run due now is queued from here, and the timer waits
		// for the step after: a timer that fires starts a goroutine, ten
		// thousand checks started at once would be ten thousand goroutines
		// at once, and Go never frees a goroutine's record once made.
		c.timer = time.AfterFunc(time.Hour, c.wake)
		c.timer.Stop()
	} else {
		c.timer = time.AfterFunc(c.delay, c.wake)
	}
	c.mu.Unlock()
	action.AfterFunc(stop, c.halt)
	if now {
		c.queue()
	}
}

// Done is closed once the check has stopped and nothing of it runs. Its
// channel is made when first asked for, in the check's rare: a check is
// waited for when a reload replaces it or heatd stops, and ten thousand
// idle checks need not keep ten thousand channels, nor the Check a field
// for one, until then.
func (c *Check) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.kept()
	if k.done == nil {
		k.done = make(chan struct{})
		if c.ended {
			close(k.done)
		}
	}
	return k.done
}

// Run starts the check and waits until it is done, stop having ended.
func (c *Check) Run(stop, kill context.Context) {
	c.Start(stop, kill)
	<-c.Done()
}

// wake takes the check's next step; the timer calls it, on a goroutine of
// its own. A check whose runs start no process takes the step there
// (stepHere); any other queues it for a slot.
func (c *Check) wake() {
	if !c.awake() {
		return
	}
	if c.runsInline {
		c.stepHere()
		return
	}
	c.enter("waiting for a slot", 0)
	c.inSlot()
}

// queue queues the check's next step for a slot, whatever its kind: Start
// calls it for a first run due at once, on the caller's goroutine. heatd
// starts ten thousand checks in one loop: their first runs must wait in
// the slots' queue (and in its Hold), not run one after another in the
// loop, even those that start no process.
func (c *Check) queue() {
	if !c.awake() {
		return
	}
	c.enter("waiting for a slot", 0)
	c.inSlot()
}

// awake marks a step under way (busy), or ends the check when its stop
// came as it woke, and reports whether a step is to be taken.
func (c *Check) awake() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop.Err() != nil {
		c.end()
		return false
	}
	c.busy = true
	return true
}

// stepHere takes the step of a check whose runs start no process (a
// native probe, a heartbeat, a process check) on the goroutine its timer
// started, holding no slot of max_parallel: the slots bound processes
// (check and script processes), and such a run is none. Queued for a
// slot, the run would wait behind long processes and would cost a second
// goroutine, each start waking a thread: more than an HTTP probe's own
// work. A script the step comes to is a process, and takes a slot first
// (takeSlot); the step gives it back as it ends, however it ends.
func (c *Check) stepHere() {
	ended := func() bool {
		defer c.giveSlot()
		return c.protect(func() bool { return c.step(0) })
	}()
	c.settle(ended)
}

// inSlot takes the check's next step in a slot of max_parallel, the one
// place where a check takes a slot and gives it back. It waits holding no
// goroutine; once a slot is free, the step runs on a goroutine of its own
// and holds the slot until it ends, however it ends (a panic too). One slot
// is enough for a whole step: a step runs one process at a time (the check,
// then its fail script; or the recovery script). A stop that comes first
// ends the check with no new step.
func (c *Check) inSlot() {
	c.slots.Go(c.stop, func(waited time.Duration, err error) {
		if err != nil {
			c.settle(true)
			return
		}
		c.slotted = true
		ended := func() bool {
			defer c.giveSlot()
			return c.protect(func() bool { return c.step(waited) })
		}()
		c.settle(ended)
	})
}

// takeSlot takes a slot of max_parallel for a process the step is about to
// start (a fail or recovery script) unless the step holds one already. It
// reports how long it waited, and false when the stop came first: then no
// process starts. Only a step that took none at its start (stepHere)
// waits here.
func (c *Check) takeSlot() (waited time.Duration, ok bool) {
	if c.slotted {
		return 0, true
	}
	c.enter("waiting for a slot", 0)
	waited, err := c.slots.Acquire(c.stop)
	if err != nil {
		return waited, false
	}
	c.slotted = true
	return waited, true
}

// giveSlot gives back the slot the step holds, if any.
func (c *Check) giveSlot() {
	if c.slotted {
		c.slotted = false
		c.slots.Release()
	}
}

// step is the check's next step, after waited for its slot: a recovery
// when one is due, else a run. It reports whether the check has ended.
func (c *Check) step(waited time.Duration) (ended bool) {
	if c.stop.Err() != nil {
		return true // the slot came after the stop: no new step
	}
	// A recovery's script or unit restart is a process of the check's: a
	// step that holds no slot takes one before the recovery, as a step
	// queued for its slot waits before it looks (a recovery_unit's
	// restart takes one too: the loop does not tell a unit from a script,
	// and a rare restart's slot costs nothing worth the difference).
	if c.scriptDue() {
		w, ok := c.takeSlot()
		if !ok {
			return true
		}
		waited += w
	}
	// A pause that came while the step waited for its slot holds it: a
	// recovery due does not start.
	c.mu.Lock()
	report := c.sync()
	due := c.status.State.Mode == RecoveryDue
	c.mu.Unlock()
	report()
	if due {
		if c.spec.Recovery != "" || c.spec.RecoveryUnit != "" {
			w, ok := c.takeSlot() // a resume made it due just now
			if !ok {
				return true
			}
			waited += w
		}
		return c.recovery(waited)
	}
	return c.run(waited)
}

// scriptDue reports whether the step about to start, holding no slot, is
// a recovery with a script or a unit to restart, as the state stands
// before the operator's latest verbs apply.
func (c *Check) scriptDue() bool {
	if c.slotted || c.spec.Recovery == "" && c.spec.RecoveryUnit == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status.State.Mode == RecoveryDue
}

// settle ends a step: the check ends, or its timer is set for the next.
func (c *Check) settle(ended bool) {
	c.mu.Lock()
	if ended {
		c.busy = false
		c.end()
		c.mu.Unlock()
		return
	}
	c.rest()
}

// rest takes what the operator asked during a step (or now, c.busy having
// been set for it while the check was idle), reports it, and only then
// sets the timer for the next step: the check stays busy meanwhile, so no
// step starts before what came first is reported (a resume's heat log line
// before the recovery it makes due at once), and what comes while it is
// reported is taken in turn. A stop that came meanwhile ends the check.
// c.mu is held, and released.
func (c *Check) rest() {
	for {
		if c.stop.Err() != nil {
			c.busy = false
			c.end()
			c.mu.Unlock()
			return
		}
		events := c.take(true)
		if len(events) == 0 {
			break
		}
		c.mu.Unlock()
		for _, e := range events {
			e()
		}
		c.tellChildren()
		c.mu.Lock()
	}
	c.busy = false
	if c.waiting() > 0 {
		c.next = time.Now() // heatctl run came during the step: its run follows it
	}
	// A recovery due at once keeps the slot it was due in as c.next (ran),
	// past already: the wait, as the status and the watchdog see it, ends
	// now.
	c.waitFor(NextStart(c.next, time.Now()))
	c.timer.Reset(time.Until(c.next))
	c.mu.Unlock()
	c.tellChildren()
}

// halt is what the end of stop does: an idle check ends at once, a busy one
// once its step is done (settle), and one whose timer has just fired when
// it wakes.
func (c *Check) halt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.busy && c.timer.Stop() {
		c.end()
	}
}

// end marks the check ended, once; c.mu is held.
func (c *Check) end() {
	if c.ended {
		return
	}
	c.ended = true
	c.phase = phase{what: "ended"}
	for _, a := range c.takeAsked() {
		a <- runAnswer{err: ErrStopped}
	}
	if c.watch {
		c.doer.(TargetWatcher).UnwatchTarget()
	}
	if c.onEnd != nil {
		c.onEnd()
	}
	if c.rare != nil && c.rare.done != nil {
		close(c.rare.done)
	}
}

// panicPause is how long a check whose step panicked waits to start again.
const panicPause = time.Second

// protect takes a step and reports whether the check has ended. A panic is
// a bug: it is logged with its stack, and the check starts again from a
// clean state after a pause, so that a panic that repeats costs a line a
// second, not a core; no other check notices.
func (c *Check) protect(step func() (ended bool)) (ended bool) {
	defer func() {
		if v := recover(); v != nil {
			c.events().Error("check_panic", zap.Any("panic", v), zap.StackSkip("stack", 2))
			c.next = time.Now().Add(panicPause)
			ended = c.stop.Err() != nil
			c.mu.Lock()
			c.status.Panics++
			if !ended {
				c.status.State = State{} // the rules start again clean
			}
			c.mu.Unlock()
		}
	}()
	return step()
}

// recovery is the step of a recovery due: the fault signal and the
// recovery script, then verification at once. It reports whether the check
// has ended (a stop came).
func (c *Check) recovery(waited time.Duration) (ended bool) {
	c.mu.Lock()
	prev := c.status.State
	c.mu.Unlock()
	now := time.Now()
	st, steps := Recover(c.policy(), prev, now)
	// An attempt's start is kept before its script runs: a heatd killed
	// meanwhile still counts it against recovery_limit.
	c.mu.Lock()
	tell := c.memoryChanged(&st)
	c.mu.Unlock()
	if tell != nil {
		tell()
	}
	c.perform(c.stop, c.kill, &prev, &st, steps, &Result{Waited: waited})
	if c.stop.Err() != nil {
		return true
	}
	if st.Mode == GivenUp {
		// Its runs go on in the rhythm the attempt was due in.
		c.next = NextStart(nextSlot(c.next, now, c.policy().Interval), time.Now())
		return false
	}
	c.mu.Lock()
	if c.paused && !st.Paused {
		// A pause that came during the script stops the attempt there,
		// before its verification moves the schedule: the check's runs go
		// on at the slots the attempt was due in.
		st, c.next = Suspend(c.policy(), st, c.next, time.Now())
	} else {
		st, c.next = Recovered(st, time.Now())
	}
	c.status.State = st
	c.mu.Unlock()
	return false
}

// run is the step of a run, in the slot it holds after waited: the run,
// then what its result calls for. It reports whether the check has ended.
//
// A step's goroutine starts with the runtime's smallest stack, and the run
// itself (a process's spawn, a probe's connection) goes deep: what run
// keeps in its frame beneath it is the Result and little else, so that the
// step fits in the first size the stack grows to. What follows the run has
// frames of its own (ran, decide), made once the run has returned.
func (c *Check) run(waited time.Duration) (ended bool) {
	asked := c.begin()
	var r Result
	if rn, ok := c.doer.(*Runner); ok {
		// A Runner's prober runs from here: Runner.Check's frame, and the
		// Result in it, would lie between this one and the run.
		r = rn.prober.Run(c.kill)
	} else {
		r = c.doer.Check(c.kill)
	}
	return c.ran(&r, waited, asked)
}

// begin enters the phase of a run, and returns the heatctl runs that the
// run answers: those asked before it began.
//
//go:noinline
func (c *Check) begin() (asked []chan<- runAnswer) {
	c.mu.Lock()
	asked = c.takeAsked()
	c.mu.Unlock()
	c.enter("running", processBound(c.spec.Timeout))
	return asked
}

// ran takes what the result r of the run, in a slot waited for, calls
// for, answering asked first. It reports whether the check has ended. The
// run's scheduled start is c.next still: only a step sets it, and only
// once its run is done.
//
//go:noinline
func (c *Check) ran(r *Result, waited time.Duration, asked []chan<- runAnswer) (ended bool) {
	stop, sched := c.stop, c.next
	r.Waited, r.Late = waited, r.Start.Sub(sched)
	if c.onResult != nil {
		c.onResult(*r)
	}
	answer(asked, r)
	if stop.Err() != nil || r.Interrupted {
		c.stopped(r)
		return true
	}
	var st State
	var d Decision
	c.decide(&st, &d, r, sched)
	c.tellChildren() // at once: a parent's fail script must not delay its children's news
	c.perform(stop, c.kill, &st, &d.State, d.Steps, r)
	if stop.Err() != nil {
		return true
	}
	// A recovery due at once keeps the slot it is due in (past now): a
	// pause that holds it leaves the check's runs on that rhythm (take).
	c.next = d.Next
	if d.State.Mode != RecoveryDue {
		c.next = NextStart(d.Next, time.Now())
	}
	c.watchTarget()
	return false
}

// decide sets st to the check's state as the run ended, held by a pause or
// a parent's trouble that came during it, and d to what the result r of
// the run scheduled at sched leads to from there, and counts the run in
// the check's status. The rules take their State, Result and Policy by
// value: their copies live in this frame, only while it lasts.
//
//go:noinline
func (c *Check) decide(st *State, d *Decision, r *Result, sched time.Time) {
	c.mu.Lock()
	*st = c.status.State
	if c.paused && !st.Paused || c.blocker() != nil && !st.Blocked {
		c.hold(st)
	}
	c.mu.Unlock()
	p := c.policy()
	observe(&p, st, r, sched, d)
	c.record(r, &d.State)
}

// hold holds st after a pause or a parent's trouble that came during a
// run: what follows the run waits. c.mu is held.
//
//go:noinline
func (c *Check) hold(st *State) {
	if c.paused && !st.Paused {
		*st, _ = Suspend(c.policy(), *st, c.next, time.Now())
	}
	if c.blocker() != nil && !st.Blocked {
		*st = Block(*st)
	}
}

// stopped reports the run that was under way when heatd began to stop: its
// result is logged, and no action follows it.
func (c *Check) stopped(r *Result) {
	switch {
	case r.Interrupted:
		c.events().Warn("check_interrupted", zap.String("run", "check"), pidField(r.PID),
			zap.Duration("duration", r.Duration))
	case r.Err != nil:
		c.runError(r.Err)
	case r.Code == 0:
		if c.log.Core().Enabled(zapcore.DebugLevel) {
			c.events().Debug("check_ok", zap.Duration("duration", r.Duration))
		}
	default:
		c.events().Warn("check_failed", zap.Int("exit_code", r.Code), zap.Duration("duration", r.Duration),
			zap.String("output", firstLine(r.Output)), pidField(r.PID), zap.Bool("stopping", true))
		c.heatLog(r)
	}
}

// perform takes the steps in order. prev is the state before them, st the
// state they lead to; r the run they follow (zero for a recovery). Once stop
// has ended no new process starts; the events still go out.
//
// Each event is made in a method of its own: the fields of one event (64
// bytes each) would otherwise all sit in perform's frame, under every
// script it runs.
func (c *Check) perform(stop, kill context.Context, prev, st *State, steps []Step, r *Result) {
	for _, s := range steps {
		switch s.Kind {
		case StepOK:
			if c.log.Core().Enabled(zapcore.DebugLevel) {
				c.passed(r) // passing runs log at debug level only; most hosts never make the logger
			}
		case StepRunError:
			c.runError(r.Err)
		case StepTimeout:
			c.timedOut(r)
		case StepFailed:
			c.failed(prev, st, r)
		case StepHeatLog:
			c.heatLog(r)
		case StepSignal:
			c.enter("sending a signal", actionBound)
			c.signal(s)
		case StepFailScript:
			if stop.Err() != nil {
				return
			}
			waited, ok := c.takeSlot()
			if !ok {
				return // the stop came while it waited
			}
			c.failScript(kill, r, waited)
		case StepRecoveryStarted:
			c.attemptStarted(st)
		case StepRecoveryScript:
			if stop.Err() != nil {
				return
			}
			c.recoveryScript(kill, st, r.Waited)
		case StepRecovered:
			c.recovered(prev, r.Unix)
		case StepRecoveryFailed:
			c.recoveryFailed()
			c.attemptFailed(st)
			c.history(r.Unix, recoveryFailedLine(st.Attempt))
		case StepBackoff:
			c.backoff(s.Wait, st)
		case StepGaveUp:
			c.gaveUp(st)
		case StepFlappingStarted, StepFlappingStopped:
			c.flapping(s.Kind, st, r)
		}
	}
	c.mu.Lock()
	c.status.State = *st
	c.mu.Unlock()
	c.tellChildren()
	if c.onAlarms != nil { // tests and heat tell no one of their alarms
		c.afterSteps(st, r)
	}
}

// afterSteps tells the check's alarms of the state st that a step left,
// after its run r, from a frame of its own: alarmed takes both by value.
//
//go:noinline
func (c *Check) afterSteps(st *State, r *Result) {
	c.alarmed(*st, *r)
}

// passed is the check_ok event of the passing run r.
//
//go:noinline
func (c *Check) passed(r *Result) {
	c.events().Debug("check_ok", zap.Int("exit_code", 0), zap.Duration("duration", r.Duration),
		pidField(r.PID), zap.Duration("late", r.Late), queued(r.Waited))
}

// runError is the run_error event of a run that could not start.
//
//go:noinline
func (c *Check) runError(err error) {
	c.events().Error("run_error", zap.Error(err))
}

// timedOut is the check_timeout event of the run r.
//
//go:noinline
func (c *Check) timedOut(r *Result) {
	c.events().Warn("check_timeout", zap.Duration("timeout", c.spec.Timeout), zap.Duration("duration", r.Duration),
		pidField(r.PID))
}

// failed is the check_failed event of the failed run r, which took the
// check from prev to st.
//
//go:noinline
func (c *Check) failed(prev, st *State, r *Result) {
	c.events().Warn("check_failed", zap.Int("exit_code", r.Code), zap.Duration("duration", r.Duration),
		zap.Int("consecutive_failures", st.Streak), zap.String("output", firstLine(r.Output)),
		pidField(r.PID), zap.Bool("verifying", prev.Mode == Verifying), queued(r.Waited),
		starting(*st))
}

// attemptStarted is the recovery_started event of the attempt st is in.
//
//go:noinline
func (c *Check) attemptStarted(st *State) {
	c.events().Warn("recovery_started", zap.Int("attempt", st.Attempt), zap.Int("consecutive_failures", st.Streak))
}

// attemptFailed is the recovery_failed event of the attempt st is in.
//
//go:noinline
func (c *Check) attemptFailed(st *State) {
	c.events().Warn("recovery_failed", zap.Int("attempt", st.Attempt), zap.Int("consecutive_failures", st.Streak))
}

// backoff is the recovery_backoff event: the next attempt after st's
// waits wait.
//
//go:noinline
func (c *Check) backoff(wait time.Duration, st *State) {
	c.events().Info("recovery_backoff", zap.Duration("wait", wait), zap.Int("attempt", st.Attempt+1),
		zap.Int("consecutive_failures", st.Streak))
}

// failScript runs the fail script after the failed run r, waited being
// how long the step waited for a slot for it (a run that took none).
//
//go:noinline
func (c *Check) failScript(kill context.Context, r *Result, waited time.Duration) {
	c.script(kill, FailScript, 0, waited, FailEnv(c.policy(), *r))
}

// recoveryScript runs the recovery script of the attempt st is in, waited
// being how long the step waited for its slot.
//
//go:noinline
func (c *Check) recoveryScript(kill context.Context, st *State, waited time.Duration) {
	c.script(kill, RecoveryScript, st.Attempt, waited, RecoveryEnv(c.policy(), *st))
}

// heatLog writes a failed run to the heat log: its "failed" line, then its
// stderr.
func (c *Check) heatLog(r *Result) {
	c.writeHeatLog(r.Unix, failedLine(*r, c.spec.Timeout), r.Output)
}

// history writes one line of the check's story to its heat log (a
// recovery verified or failed, giving up, flapping, a pause), unix being
// the moment it tells of.
func (c *Check) history(unix int64, line string) {
	c.writeHeatLog(unix, line, nil)
}

// writeHeatLog is the one place the loop writes its heat log: a write that
// fails is an event, and the check goes on.
func (c *Check) writeHeatLog(unix int64, line string, text []byte) {
	c.enter("writing its heat log", actionBound)
	if err := c.doer.HeatLog(unix, line, text); err != nil {
		c.events().Error("heat_log_failed", zap.Error(err))
	}
}

func (c *Check) signal(s Step) {
	name := action.SignalName(s.Signal)
	pid, err := c.doer.Signal(s.Signal)
	if err != nil {
		c.signalFailed(s.Why)
		c.events().Warn("signal_failed", zap.String("signal", name), zap.String("kind", string(s.Why)),
			zap.Error(err))
		return
	}
	c.mu.Lock()
	if c.status.Signals == nil {
		c.status.Signals = make(map[SignalKind]uint64) // most checks never signal
	}
	c.status.Signals[s.Why]++
	c.mu.Unlock()
	c.events().Info("signal_sent", zap.String("signal", name), zap.String("kind", string(s.Why)),
		pidField(pid))
}

// script runs a fail or recovery script in the step's slot; waited is how
// long that slot was waited for, when the script is the step's first
// process (a recovery, or a fail script after a run that took no slot).
func (c *Check) script(kill context.Context, kind ScriptKind, attempt int, waited time.Duration, env []string) {
	c.enter("running its "+kind.String()+" script", processBound(c.spec.ScriptTimeout))
	if kind == RecoveryScript {
		c.recoveryStarted()
	}
	out, logErr := c.doer.Script(kill, kind, attempt, env)
	if logErr != nil {
		c.events().Error("heat_log_failed", zap.Stringer("script", kind), zap.Error(logErr))
	}
	fields := []zap.Field{zap.Int("exit_code", out.Code), zap.Duration("duration", out.Duration),
		pidField(out.PID), queued(waited)}
	if kind == RecoveryScript {
		fields = append(fields, zap.Int("attempt", attempt))
	}
	switch {
	case out.StartErr != nil:
		c.events().Error("run_error", zap.Stringer("script", kind), zap.Error(out.StartErr))
	case out.Interrupted:
		c.events().Warn("check_interrupted", append(fields, zap.String("run", kind.String()+" script"))...)
	case out.Unit != "":
		c.unitRestarted(out, fields) // recovery_unit: no script ran
	default:
		if out.TimedOut {
			fields = append(fields, zap.Bool("timed_out", true))
		}
		switch {
		case out.Code != 0 && kind == RecoveryScript:
			// A script that failed may have left the service as broken
			// as it found it: a warning, as check_failed is.
			c.events().Warn("recovery_script_done", fields...)
		case out.Code != 0:
			c.events().Warn("fail_script_done", fields...)
		case kind == RecoveryScript:
			c.events().Info("recovery_script_done", fields...)
		default:
			c.events().Info("fail_script_done", fields...)
		}
	}
}

// queued is the time a run waited for a slot (max_parallel), when it did.
func queued(d time.Duration) zap.Field {
	if d <= 0 {
		return zap.Skip()
	}
	return zap.Duration("queued", d)
}

// pidField is a process's pid; none for a native probe, which has no
// process (PID 0): a field that does not apply is left out.
func pidField(pid int) zap.Field {
	if pid == 0 {
		return zap.Skip()
	}
	return zap.Int("pid", pid)
}

// firstLine is the first line of a run's stderr, for the check_failed event.
func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	const max = 512 // an event is one line in a journal, not a dump
	if len(b) > max {
		b = b[:max]
	}
	return string(b)
}

// errNoTarget is a signal with nowhere to go; the config loader prevents it.
var errNoTarget = errors.New("no pid or pidfile is set")
