package check

import (
	"context"
	"strconv"

	"github.com/heatd/heatd/action"
)

// processes starts a check's processes (its runs, when it is a command or
// a script, and its fail and recovery scripts) in the check's environment,
// folder and timeout.
type processes struct {
	spec *Spec
	base []string // heatd's environment, shared by every check
}

// environ is a process's environment, made for each run: ten thousand
// checks need not keep ten thousand copies of heatd's environment between
// runs.
func (p processes) environ(extra ...string) []string {
	return action.Environ(p.base, p.spec.Env, p.spec.Name, extra...)
}

// run runs path as a check run, within the check's timeout.
func (p processes) run(ctx context.Context, path string, argv, env []string) action.Outcome {
	return action.Run(ctx, action.Process{Path: path, Args: argv, Env: env, Dir: p.spec.Dir,
		Timeout: p.spec.Timeout})
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
		Reason:      killedBy(out),
	}
}

// killedBy is the heat log's reason for a process that a signal ended,
// short of its timeout (which the loop words itself).
func killedBy(out action.Outcome) string {
	if out.Signal == 0 || out.TimedOut {
		return ""
	}
	return "killed by signal " + strconv.Itoa(int(out.Signal))
}
