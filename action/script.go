package action

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Script is one run of a fail or recovery script.
type Script struct {
	Kind    string // "fail" or "recovery", as the heat log names it
	Attempt int    // for a recovery: which run of the script in this streak
	Path    string
	Env     []string
	Dir     string
	Timeout time.Duration // script_timeout
	Log     HeatLog
}

// RunScript runs s with its stdout and stderr appended straight to s.Log
// (a file, never a pipe, so a daemon the script leaves running neither
// holds heatd up nor dies of SIGPIPE), between the lines
// "UNIX: recovery script started (attempt N)" (fail: "fail script started")
// and "UNIX: recovery script exited with code C" (or "timed out after D,
// killed (code 124)", "interrupted (code C)", "could not start: why"), UNIX
// being the script's start. logErr reports a heat log that could not be
// written; the script runs all the same, its output then going to /dev/null.
func RunScript(ctx context.Context, s Script) (out Outcome, logErr error) {
	start := time.Now()
	if ctx.Err() != nil {
		// Stopping: nothing will run, so the heat log gets no "started" line.
		return Run(ctx, Process{Path: s.Path}), nil
	}
	note := func(line string) {
		// Around the script's own output, which may end mid-line, heatd's
		// lines start lines of their own.
		if err := s.Log.appendLines(start.Unix(), []byte(line), true); err != nil && logErr == nil {
			logErr = err
		}
	}
	name := s.Kind + " script"
	if s.Kind == "recovery" {
		note(fmt.Sprintf("%s started (attempt %d)", name, s.Attempt))
	} else {
		note(name + " started")
	}

	output, err := s.Log.Open()
	if err != nil {
		if logErr == nil {
			logErr = err
		}
		// Still a file, not Run's stderr pipe: a daemon the script starts
		// must not hold a pipe of heatd's.
		output, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			out = Outcome{Start: start, StartErr: err}
			note(fmt.Sprintf("%s could not start: %v", name, err))
			return out, logErr
		}
	}
	out = Run(ctx, Process{
		Path:    s.Path,
		Args:    []string{s.Path},
		Env:     s.Env,
		Dir:     s.Dir,
		Timeout: s.Timeout,
		Output:  output,
	})
	output.Close()
	note(scriptEnd(name, s.Timeout, out))
	return out, logErr
}

// scriptEnd is the heat log line that closes a script's output.
func scriptEnd(name string, timeout time.Duration, out Outcome) string {
	switch {
	case out.StartErr != nil:
		return fmt.Sprintf("%s could not start: %v", name, out.StartErr)
	case out.TimedOut:
		return fmt.Sprintf("%s timed out after %s, killed (code %d)", name, timeout, out.Code)
	case out.Interrupted:
		return fmt.Sprintf("%s interrupted (code %d)", name, out.Code)
	default:
		return fmt.Sprintf("%s exited with code %d", name, out.Code)
	}
}
