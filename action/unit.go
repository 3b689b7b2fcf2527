package action

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// UnitRestart is one restart of a check's recovery unit (recovery_unit):
// the recovery step done by systemd rather than by a script, so that the
// restarted service lives in its own unit, not in heatd's cgroup.
type UnitRestart struct {
	Unit    string // a full unit name, "nginx.service"
	Attempt int    // which recovery of this streak
	Timeout time.Duration
	Log     HeatLog
	Systemd *Systemd
}

// UnitDone is the job result of a restart that worked; any other result
// (failed, timeout, canceled, dependency, skipped) is a failed restart.
const UnitDone = "done"

// unitFailedCode is a restart's Code when systemd's job came to another
// result than done: as a script's exit status, anything but 0 is a failure,
// and the result word says which.
const unitFailedCode = 1

// RestartUnit restarts u.Unit through systemd and waits for the job's
// result, at most u.Timeout, between the heat log lines "UNIX: restarting
// unit nginx.service (attempt N)" and "UNIX: unit nginx.service restart:
// RESULT" (or "... no result after D", "... could not start: why"). The
// Outcome has no process: Unit and Result say what came of it, Code is 0
// for done and non-zero otherwise (124 when heatd stopped waiting, as a
// timed-out script), and StartErr is a restart that systemd could not be
// asked for. ctx ending cuts the wait short (Interrupted); the job itself
// is systemd's, and goes on.
func RestartUnit(ctx context.Context, u UnitRestart) (out Outcome, logErr error) {
	out = Outcome{Start: time.Now(), Unit: u.Unit}
	if ctx.Err() != nil {
		// Stopping: nothing is asked of systemd, so the heat log gets no line.
		out.Interrupted = true
		out.StartErr = fmt.Errorf("not started: %w", context.Cause(ctx))
		return out, nil
	}
	note := func(line string) {
		if err := u.Log.appendLines(out.Start.Unix(), []byte(line), true); err != nil && logErr == nil {
			logErr = err
		}
	}
	note(fmt.Sprintf("restarting unit %s (attempt %d)", u.Unit, u.Attempt))

	wait, cancel := ctx, context.CancelFunc(func() {})
	if u.Timeout > 0 {
		wait, cancel = context.WithTimeout(ctx, u.Timeout)
	}
	defer cancel()
	var err error
	if u.Systemd == nil {
		err = errors.New("no connection to systemd is configured")
	} else {
		out.Result, err = u.Systemd.Restart(wait, u.Unit)
	}
	out.Duration = time.Since(out.Start)
	switch {
	case ctx.Err() != nil:
		out.Interrupted, out.Code = true, unitFailedCode
		note(fmt.Sprintf("unit %s restart: interrupted, heatd stopping (systemd goes on with the job)", u.Unit))
	case err != nil && wait.Err() != nil:
		out.TimedOut, out.Code, out.Result = true, timeoutCode, "timeout"
		note(fmt.Sprintf("unit %s restart: no result after %s (script_timeout); systemd goes on with the job", u.Unit, u.Timeout))
	case err != nil:
		out.StartErr = fmt.Errorf("restart unit %s: %w", u.Unit, err)
		note(fmt.Sprintf("unit %s restart could not start: %v", u.Unit, err))
	default:
		if out.Result != UnitDone {
			out.Code = unitFailedCode
		}
		note(fmt.Sprintf("unit %s restart: %s", u.Unit, out.Result))
	}
	return out, logErr
}
