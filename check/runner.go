package check

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"time"

	"github.com/heatd/heatd/action"
)

// Runner is the Doer that runs a Spec for real: the check's runs through
// its kind's Prober, signals to its target, scripts into its heat log.
type Runner struct {
	processes
	aim *action.Aim
	// prober runs the check, made once by its kind so that what it keeps
	// (an idle connection) serves the next run.
	prober Prober
	// systemd restarts spec's RecoveryUnit: heatd's one connection, shared
	// by every check.
	systemd *action.Systemd

	watchMu sync.Mutex
	watch   *action.Watch // of the target's current process; nil: none
	unwatch bool          // UnwatchTarget came: no more watches
}

// NewRunner prepares spec's runs in the environment base; systemd is
// heatd's connection for a RecoveryUnit's restarts (nil when nothing can
// set one, as in heat). The Runner is always usable; missing reports a pid
// target that is not alive now (the target_missing warning: the service
// may be down).
func NewRunner(spec *Spec, base []string, systemd *action.Systemd) (r *Runner, missing error) {
	r = &Runner{
		processes: processes{spec: spec, base: base},
		prober:    nothingToRun{},
		systemd:   systemd,
	}
	if spec.Probe != nil {
		r.prober = spec.Probe.Prepare(spec, base)
	}
	if spec.Target.IsSet() {
		r.aim, missing = action.OpenTarget(spec.Target)
	}
	return r, missing
}

// spawnsNothing reports whether the check's runs start no process.
func (r *Runner) spawnsNothing() bool {
	_, ok := r.prober.(inProcess)
	return ok
}

// heatLog is the check's heat log, made at each use from its settings:
// ten thousand Runners need not keep a copy of what their Specs hold.
func (r *Runner) heatLog() action.HeatLog {
	return action.HeatLog{Path: r.spec.HeatLog, Strict: r.spec.StrictLog}
}

// Close releases what the Runner holds (the target's pidfd and its watch,
// a probe's idle connection).
func (r *Runner) Close() error {
	r.prober.Close()
	r.UnwatchTarget()
	if r.aim == nil {
		return nil
	}
	return r.aim.Close()
}

// Check runs the check once. Its result is named: the prober's is copied
// into it as it comes, with no copy of its own in between (a Result is
// 144 bytes, and this frame lies under every run).
func (r *Runner) Check(ctx context.Context) (res Result) {
	res = r.prober.Run(ctx)
	return res
}

// WatchTarget watches the target's current process.
func (r *Runner) WatchTarget(died func(pid int)) {
	if r.aim == nil {
		return
	}
	r.watchMu.Lock()
	defer r.watchMu.Unlock()
	if r.unwatch {
		return
	}
	// A target not running now has nothing to watch; its check says so.
	r.watch, _ = r.aim.Watch(r.watch, died)
}

// UnwatchTarget ends the watch, for good.
func (r *Runner) UnwatchTarget() {
	r.watchMu.Lock()
	defer r.watchMu.Unlock()
	r.unwatch = true
	r.watch.Close()
	r.watch = nil
}

// Signal sends sig to the check's target.
func (r *Runner) Signal(sig syscall.Signal) (int, error) {
	if r.aim == nil {
		return 0, errNoTarget
	}
	return r.aim.Send(sig)
}

// Script runs the fail or recovery script; with a RecoveryUnit, the
// recovery step restarts that unit instead, its Outcome carrying systemd's
// result, so the loop and the rules take it as they take a script.
func (r *Runner) Script(ctx context.Context, kind ScriptKind, attempt int, env []string) (action.Outcome, error) {
	if kind == RecoveryScript && r.spec.RecoveryUnit != "" {
		return action.RestartUnit(ctx, action.UnitRestart{
			Unit:    r.spec.RecoveryUnit,
			Attempt: attempt,
			Timeout: r.spec.ScriptTimeout,
			Log:     r.heatLog(),
			Systemd: r.systemd,
		})
	}
	path := r.spec.Fail
	if kind == RecoveryScript {
		path = r.spec.Recovery
	}
	return action.RunScript(ctx, action.Script{
		Kind:    kind.String(),
		Attempt: attempt,
		Path:    path,
		Env:     r.environ(env...),
		Dir:     r.spec.Dir,
		Timeout: r.spec.ScriptTimeout,
		Log:     r.heatLog(),
	})
}

// ErrNotHeartbeat is a beat for a check whose kind takes none.
var ErrNotHeartbeat = errors.New("not a heartbeat check")

// Beat hands a job's report to the check; ErrNotHeartbeat when its kind
// takes no reports.
func (r *Runner) Beat(b Beat) error {
	p, ok := r.prober.(Reported)
	if !ok {
		return ErrNotHeartbeat
	}
	p.Beat(b)
	return nil
}

// Inherit gives the check what its kind keeps when a reload changes its
// settings (a heartbeat's last beat) from old, the Runner of the check's
// instance before. It is called before the check's first run.
func (r *Runner) Inherit(old *Runner) {
	if k, ok := r.prober.(keeper); ok {
		k.keep(old.prober)
	}
}

// HeatLog appends heatd's line, then text (a run's stderr), to the heat
// log in one write.
func (r *Runner) HeatLog(unix int64, line string, text []byte) error {
	return r.heatLog().Record(unix, line, text)
}

// errNothingToRun is a Spec with no Probe: the config loader never makes
// one, so this is heatd's fault, a run_error.
var errNothingToRun = errors.New("the check has nothing to run")

// nothingToRun is the Prober of a Spec with no Probe: the config loader
// never makes one, so each run is heatd's fault, a run_error.
type nothingToRun struct{}

// Run reports the run_error.
func (nothingToRun) Run(context.Context) Result {
	start := time.Now()
	return Result{Start: start, Unix: start.Unix(), Err: errNothingToRun}
}

// Close has nothing to release.
func (nothingToRun) Close() {}
