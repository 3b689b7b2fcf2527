package action

import (
	"context"
	"fmt"
	"os"
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

	c, err := start(p)
	if err != nil {
		out.StartErr = err
		return out
	}
	defer c.close()
	out.PID = c.pid

	switch awaitEnd(ctx, p.Timeout, c) {
	case endExited:
		// The leader is gone by itself: whatever it left in its group is
		// its business, so it is only reaped, never signalled.
		c.reap()
		c.drain()
	case endTimedOut:
		out.TimedOut = true
		endGroup(c)
	case endInterrupted:
		out.Interrupted = true
		endGroup(c)
	}

	out.Duration = c.end.Sub(out.Start)
	out.Code = exitCode(c)
	if c.reaped && c.status.Signaled() {
		out.Signal = c.status.Signal()
	}
	if out.TimedOut {
		out.Code = timeoutCode
	}
	if c.capture != nil {
		out.Stderr = c.capture.Bytes()
	}
	return out
}

// exitCode reads a reaped process's status as a shell would: its exit
// status, or 128+N when signal N killed it.
func exitCode(c *child) int {
	if !c.reaped {
		// Not reaped (wait failed, which only another reaper in heatd could
		// cause): a failure all the same, never mistaken for success.
		return 1
	}
	if c.status.Signaled() {
		return 128 + int(c.status.Signal())
	}
	return c.status.ExitStatus()
}
