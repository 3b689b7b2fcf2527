package check

import (
	"context"
	"syscall"

	"github.com/heatd/heatd/action"
)

// Runner is the Doer that runs a Spec for real: processes for a command or
// a script, signals to its target, scripts into its heat log.
type Runner struct {
	spec *Spec
	base []string // heatd's environment, shared by every check
	aim  *action.Aim
	log  action.HeatLog

	// probe is an http or tcp check, built once so that its connection
	// serves the next run; nil for a command or a script.
	probe prober
	// argv is a command with no shell syntax, run without the shell; nil
	// when the command needs a shell. pwd is the PWD the shell would have
	// exported to it.
	argv []string
	pwd  string
}

// NewRunner prepares spec's runs in the environment base. The Runner is
// always usable; missing reports a pid target that is not alive now (the
// target_missing warning: the service may be down).
func NewRunner(spec *Spec, base []string) (r *Runner, missing error) {
	r = &Runner{
		spec:  spec,
		base:  base,
		log:   action.HeatLog{Path: spec.HeatLog},
		probe: newProber(spec),
	}
	if spec.Command != "" {
		if argv, ok := directArgv(spec.Command); ok {
			r.argv, r.pwd = argv, shellPWD(r.environ(), spec.Dir)
		}
	}
	if spec.Target.IsSet() {
		r.aim, missing = action.OpenTarget(spec.Target)
	}
	return r, missing
}

// Close releases what the Runner holds (the target's pidfd, a probe's
// idle connection).
func (r *Runner) Close() error {
	if r.probe != nil {
		r.probe.close()
	}
	if r.aim == nil {
		return nil
	}
	return r.aim.Close()
}

// Check runs the check once.
func (r *Runner) Check(ctx context.Context) Result {
	switch {
	case r.argv != nil:
		env := r.environ()
		if path := lookPath(r.argv[0], env, r.spec.Dir); path != "" {
			out := r.run(ctx, path, r.argv, withPWD(env, r.pwd))
			if out.StartErr == nil || !shellWouldRetry(out.StartErr) {
				return result(out)
			}
		}
		fallthrough // the shell says what is wrong, as it would have
	case r.spec.Command != "":
		// "--": a command starting with - or + is not an option of sh.
		return result(r.run(ctx, "/bin/sh", []string{"sh", "-c", "--", r.spec.Command}, r.environ()))
	case r.spec.Script != "":
		return result(r.run(ctx, r.spec.Script, []string{r.spec.Script}, r.environ()))
	}
	return runProbe(ctx, r.probe, r.spec.Timeout)
}

func (r *Runner) run(ctx context.Context, path string, argv, env []string) action.Outcome {
	return action.Run(ctx, action.Process{Path: path, Args: argv, Env: env, Dir: r.spec.Dir,
		Timeout: r.spec.Timeout})
}

// environ is a run's environment, made for each run: ten thousand checks
// need not keep ten thousand copies of heatd's environment between runs.
func (r *Runner) environ(extra ...string) []string {
	return action.Environ(r.base, r.spec.Env, r.spec.Name, extra...)
}

// result is a process's outcome as a check's result.
func result(out action.Outcome) Result {
	return Result{
		Start:       out.Start,
		Unix:        out.Start.Unix(),
		Code:        out.Code,
		PID:         out.PID,
		TimedOut:    out.TimedOut,
		Err:         out.StartErr,
		Duration:    out.Duration,
		Output:      out.Stderr,
		Interrupted: out.Interrupted,
	}
}

// Signal sends sig to the check's target.
func (r *Runner) Signal(sig syscall.Signal) (int, error) {
	if r.aim == nil {
		return 0, errNoTarget
	}
	return r.aim.Send(sig)
}

// Script runs the fail or recovery script.
func (r *Runner) Script(ctx context.Context, kind string, attempt int, env []string) (action.Outcome, error) {
	path := r.spec.Fail
	if kind == "recovery" {
		path = r.spec.Recovery
	}
	return action.RunScript(ctx, action.Script{
		Kind:    kind,
		Attempt: attempt,
		Path:    path,
		Env:     r.environ(env...),
		Dir:     r.spec.Dir,
		Timeout: r.spec.ScriptTimeout,
		Log:     r.log,
	})
}

// HeatLog appends a failed run's output to the heat log.
func (r *Runner) HeatLog(unix int64, text []byte) error {
	return r.log.Append(unix, text)
}
