package check

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"

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
	Script(ctx context.Context, kind string, attempt int, env []string) (out action.Outcome, logErr error)
	// HeatLog appends a failed run's output to the heat log.
	HeatLog(unix int64, text []byte) error
}

// Check is one named check and its loop.
type Check struct {
	name   string
	policy Policy
	doer   Doer
	log    *zap.Logger

	// OnResult, when set, sees every check run's result (verification
	// runs too) before its steps are taken: heat prints HEAT's lines here.
	onResult func(Result)
	delay    time.Duration // before the first run
	slots    *action.Limiter

	timeout       time.Duration // of a check run
	scriptTimeout time.Duration // of a fail or recovery script

	mu     sync.Mutex
	status Status
	phase  phase // for Stalled
}

// Options are what a Check needs besides its Spec.
type Options struct {
	Doer     Doer
	Log      *zap.Logger     // events; the check field is added here
	Delay    time.Duration   // before the first run (splay)
	Slots    *action.Limiter // bounds processes at once (max_parallel); nil: no bound
	OnResult func(Result)
}

// New makes the check of spec, ready to Run.
func New(spec *Spec, o Options) *Check {
	c := &Check{
		name:     spec.Name,
		policy:   PolicyOf(spec),
		doer:     o.Doer,
		log:      o.Log.With(zap.String("check", spec.Name)),
		onResult: o.OnResult,
		delay:    o.Delay,
		slots:    o.Slots,

		timeout:       spec.Timeout,
		scriptTimeout: spec.ScriptTimeout,
	}
	c.status.Name, c.status.Interval = spec.Name, spec.Interval
	c.status.Signals = make(map[SignalKind]uint64)
	return c
}

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
		Recovery:        spec.Recovery != "",
	}
}

// Run runs the check until stop ends: at once (or after the splay delay),
// then on schedule. A stop lets the run or script under way finish; kill
// ending cuts it short. Run returns when the check is idle.
func (c *Check) Run(stop, kill context.Context) {
	defer c.enter("ended", 0)
	first := time.Now().Add(c.delay)
	for !c.loop(stop, kill, first) {
		// The loop panicked: a bug, logged with its stack. The check starts
		// again from a clean state after a pause, so that a panic that
		// repeats costs a line a second, not a core; no other check notices.
		first = time.Now().Add(panicPause)
		c.mu.Lock()
		c.status.Panics++
		c.mu.Unlock()
	}
}

// panicPause is how long a check whose loop panicked waits to start again.
const panicPause = time.Second

// loop runs the check from its first run at first until stop ends (true),
// or until it panics (false).
func (c *Check) loop(stop, kill context.Context, first time.Time) (ended bool) {
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("check_panic", zap.Any("panic", v), zap.StackSkip("stack", 2))
			ended = stop.Err() != nil
		}
	}()
	var st State
	next := first
	for {
		c.setNext(st, next)
		c.waitUntil(next)
		if !sleepUntil(stop, next) {
			return true
		}
		sched := next
		if st.Mode == RecoveryDue {
			prev := st
			var steps []Step
			st, steps = Recover(c.policy, st)
			c.perform(stop, kill, prev, st, steps, Result{})
			if stop.Err() != nil {
				return true
			}
			st, next = Recovered(st, time.Now())
			continue
		}

		c.enter("waiting for a slot", 0)
		waited, err := c.slots.Acquire(stop)
		if err != nil {
			return true // stopped while waiting for a slot: no new run
		}
		c.enter("running", processBound(c.timeout))
		r := c.check(kill)
		r.Waited = waited
		if c.onResult != nil {
			c.onResult(r)
		}
		if stop.Err() != nil || r.Interrupted {
			c.stopped(r)
			return true
		}
		d := Observe(c.policy, st, r, sched)
		c.record(r, d.State)
		c.perform(stop, kill, st, d.State, d.Steps, r)
		if stop.Err() != nil {
			return true
		}
		st = d.State
		next = NextStart(d.Next, time.Now())
	}
}

// sleepUntil waits for t on the monotonic clock; false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// stopped reports the run that was under way when heatd began to stop: its
// result is logged, and no action follows it.
func (c *Check) stopped(r Result) {
	switch {
	case r.Interrupted:
		c.log.Warn("check_interrupted", zap.String("run", "check"), zap.Int("pid", r.PID),
			zap.Duration("duration", r.Duration))
	case r.Err != nil:
		c.log.Error("run_error", zap.Error(r.Err))
	case r.Code == 0:
		c.log.Debug("check_ok", zap.Duration("duration", r.Duration))
	default:
		c.log.Warn("check_failed", zap.Int("exit_code", r.Code), zap.Duration("duration", r.Duration),
			zap.String("output", firstLine(r.Output)), zap.Bool("stopping", true))
		c.heatLog(r)
	}
}

// perform takes the steps in order. prev is the state before them, st the
// state they lead to; r the run they follow (zero for a recovery). Once stop
// has ended no new process starts; the events still go out.
func (c *Check) perform(stop, kill context.Context, prev, st State, steps []Step, r Result) {
	for _, s := range steps {
		switch s.Kind {
		case StepOK:
			c.log.Debug("check_ok", zap.Int("exit_code", 0), zap.Duration("duration", r.Duration),
				zap.Int("pid", r.PID), queued(r.Waited))
		case StepRunError:
			c.log.Error("run_error", zap.Error(r.Err))
		case StepTimeout:
			c.log.Warn("check_timeout", zap.Duration("duration", r.Duration), zap.Int("pid", r.PID))
		case StepFailed:
			c.log.Warn("check_failed", zap.Int("exit_code", r.Code), zap.Duration("duration", r.Duration),
				zap.Int("consecutive_failures", st.Failures), zap.String("output", firstLine(r.Output)),
				zap.Int("pid", r.PID), zap.Bool("verifying", prev.Mode == Verifying), queued(r.Waited))
		case StepHeatLog:
			c.enter("writing its heat log", actionBound)
			c.heatLog(r)
		case StepSignal:
			c.enter("sending a signal", actionBound)
			c.signal(s)
		case StepFailScript:
			if stop.Err() != nil {
				return
			}
			c.script(stop, kill, "fail", 0, FailEnv(c.policy, r))
		case StepRecoveryStarted:
			c.log.Warn("recovery_started", zap.Int("attempt", st.Attempt),
				zap.Int("consecutive_failures", st.Failures))
		case StepRecoveryScript:
			if stop.Err() != nil {
				return
			}
			c.script(stop, kill, "recovery", st.Attempt, RecoveryEnv(c.policy, st))
		case StepRecovered:
			c.log.Info("recovered", zap.Int("attempts", prev.Attempt))
			c.mu.Lock()
			c.status.Recoveries++
			c.mu.Unlock()
		case StepRecoveryFailed:
			c.log.Warn("recovery_failed", zap.Int("attempt", st.Attempt),
				zap.Int("consecutive_failures", st.Failures))
		}
	}
	c.mu.Lock()
	c.status.State = st
	c.mu.Unlock()
}

func (c *Check) heatLog(r Result) {
	if len(r.Output) == 0 {
		return
	}
	if err := c.doer.HeatLog(r.Unix, r.Output); err != nil {
		c.log.Error("heat_log_failed", zap.Error(err))
	}
}

func (c *Check) signal(s Step) {
	name := action.SignalName(s.Signal)
	pid, err := c.doer.Signal(s.Signal)
	if err != nil {
		c.log.Warn("signal_failed", zap.String("signal", name), zap.String("kind", string(s.Why)),
			zap.Error(err))
		return
	}
	c.mu.Lock()
	c.status.Signals[s.Why]++
	c.mu.Unlock()
	c.log.Info("signal_sent", zap.String("signal", name), zap.String("kind", string(s.Why)),
		zap.Int("pid", pid))
}

func (c *Check) script(stop, kill context.Context, kind string, attempt int, env []string) {
	c.enter("waiting for a slot", 0)
	waited, err := c.slots.Acquire(stop)
	if err != nil {
		return // stopped while waiting for a slot: no new process
	}
	c.enter("running its "+kind+" script", processBound(c.scriptTimeout))
	out, logErr := c.runScript(kill, kind, attempt, env)
	if logErr != nil {
		c.log.Error("heat_log_failed", zap.String("script", kind), zap.Error(logErr))
	}
	fields := []zap.Field{zap.Int("exit_code", out.Code), zap.Duration("duration", out.Duration),
		zap.Int("pid", out.PID), queued(waited)}
	if kind == "recovery" {
		fields = append(fields, zap.Int("attempt", attempt))
	}
	switch {
	case out.StartErr != nil:
		c.log.Error("run_error", zap.String("script", kind), zap.Error(out.StartErr))
	case out.Interrupted:
		c.log.Warn("check_interrupted", append(fields, zap.String("run", kind+" script"))...)
	default:
		if out.TimedOut {
			fields = append(fields, zap.Bool("timed_out", true))
		}
		c.log.Info(kind+"_script_done", fields...)
	}
}

// check runs the check in the slot it holds, which it gives back however
// the run ends.
func (c *Check) check(kill context.Context) Result {
	defer c.slots.Release()
	return c.doer.Check(kill)
}

// runScript runs a script in the slot it holds, which it gives back however
// the script ends.
func (c *Check) runScript(kill context.Context, kind string, attempt int, env []string) (action.Outcome, error) {
	defer c.slots.Release()
	return c.doer.Script(kill, kind, attempt, env)
}

// queued is the time a run waited for a slot (max_parallel), when it did.
func queued(d time.Duration) zap.Field {
	if d <= 0 {
		return zap.Skip()
	}
	return zap.Duration("queued", d)
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
