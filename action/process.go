package action

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Process describes one check, fail or recovery process.
type Process struct {
	Path string   // the executable; looked up in heatd's PATH when it has no slash
	Args []string // argv, Args[0] included; just Path when empty
	Env  []string // the whole environment (see Environ); nil is an empty one, never heatd's
	Dir  string   // working directory; the current one when empty

	// Timeout ends the run's process group (SIGTERM, then SIGKILL after
	// KillDelay) and makes its code 124. Zero means no timeout.
	Timeout time.Duration

	// Output, when set, receives the process's stdout and stderr directly
	// (a file, never a pipe). When nil, stdout goes to /dev/null and stderr
	// is captured, bounded as Outcome.Stderr says.
	Output *os.File
}

// Outcome is what one process run came to.
type Outcome struct {
	Start    time.Time     // when it was started (monotonic reading included)
	Duration time.Duration // from start to the end of the leader
	PID      int           // the leader's pid, which is also its process group; 0 when it did not start
	Code     int           // exit status; 128+N when killed by signal N; 124 on timeout

	TimedOut    bool // ended by Timeout
	Interrupted bool // ended because the kill context was done; Code is what it died of
	// Signal is the signal that ended the process, when one did: Code is
	// then 128+Signal. A shell that exits 137 because its child was killed
	// has no Signal; only the process's own death tells.
	Signal syscall.Signal

	// StartErr is set when the process could not be started at all (no
	// descriptors, no processes, executable gone): heatd's problem, not the
	// check's. The other fields but Start (and Interrupted, when ctx was
	// already done so nothing was started) are then zero.
	StartErr error

	// Stderr holds the captured stderr when Output was nil: the first and the
	// last StderrKeep bytes, with a "[… N bytes dropped …]" line between when
	// more was written.
	Stderr []byte

	// Unit and Result are set by a unit restart (RestartUnit), which runs
	// no process of heatd's: the unit, and systemd's job result ("done",
	// "failed"...).
	Unit, Result string
}

// StderrKeep is how much of a check's stderr is kept at each end: enough for
// any real diagnostic, small enough that a check printing a gigabyte costs
// heatd nothing.
const StderrKeep = 32 << 10

// KillDelay is how long a timed-out process group has between SIGTERM and
// SIGKILL: time enough for a well-behaved process to clean up, short enough
// that a hung one does not stall its check for long.
const KillDelay = 2 * time.Second

// pipeGrace bounds how long Run reads a check's stderr after its leader has
// exited. Past it, whatever still holds the pipe (a background grandchild) is
// a process the check left running on purpose: Run closes its end of the pipe
// and returns, and leaves that process alone.
const pipeGrace = 200 * time.Millisecond

// timeoutCode is the code of a run ended by its timeout, as timeout(1) gives.
const timeoutCode = 124

// Run starts p in a process group of its own, with stdin from /dev/null, and
// waits for it. When ctx is done before the process ends, the group is
// killed (SIGTERM, then SIGKILL after KillDelay) and the outcome is
// Interrupted; when ctx is done before Run is called, nothing is started.
// Run never hangs on output held open by a grandchild, and never kills what
// the process left running after it exited.
func Run(ctx context.Context, p Process) Outcome {
	out := Outcome{Start: time.Now()}
	if ctx.Err() != nil {
		out.Interrupted = true
		out.StartErr = fmt.Errorf("not started: %w", context.Cause(ctx))
		return out
	}

	cmd, capture := command(p)
	if err := cmd.Start(); err != nil {
		out.StartErr = err
		return out
	}
	out.PID = cmd.Process.Pid
	leader := watchLeader(out.PID)

	switch awaitEnd(ctx, p.Timeout, leader.done) {
	case endExited:
		// The leader is gone by itself: whatever it left in its group is
		// its business, so it is only reaped, never signalled.
		_ = cmd.Wait() // the code comes from ProcessState; ErrWaitDelay is expected
	case endTimedOut:
		out.TimedOut = true
		endGroup(out.PID, leader.done, func() { _ = cmd.Wait() })
	case endInterrupted:
		out.Interrupted = true
		endGroup(out.PID, leader.done, func() { _ = cmd.Wait() })
	}

	out.Duration = leader.end.Sub(out.Start)
	out.Code = exitCode(cmd.ProcessState)
	if cmd.ProcessState != nil {
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			out.Signal = ws.Signal()
		}
	}
	if out.TimedOut {
		out.Code = timeoutCode
	}
	if capture != nil {
		out.Stderr = capture.Bytes()
	}
	return out
}

// command builds the exec.Cmd for p, and the capture of its stderr when p has
// no Output.
func command(p Process) (*exec.Cmd, *stderrCapture) {
	cmd := exec.Command(p.Path)
	if len(p.Args) > 0 {
		cmd.Args = p.Args
	}
	// exec.Cmd reads a nil Env as "inherit heatd's", which would hand
	// NOTIFY_SOCKET and friends to every check.
	cmd.Env = p.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Dir = p.Dir
	// A group of its own, so a timeout ends the check and all it started,
	// and heatd's own group never receives the check's signals.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = pipeGrace
	if p.Output != nil {
		cmd.Stdout = p.Output
		cmd.Stderr = p.Output
		return cmd, nil
	}
	capture := &stderrCapture{}
	cmd.Stderr = capture
	return cmd, capture
}

// exitCode reads a reaped process's status as a shell would: its exit
// status, or 128+N when signal N killed it.
func exitCode(state *os.ProcessState) int {
	if state == nil {
		// Not reaped (wait failed, which only another reaper in heatd could
		// cause): a failure all the same, never mistaken for success.
		return 1
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}
