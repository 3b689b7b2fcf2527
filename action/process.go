package action

import (
	"context"
	"os"
	"time"
)

// Process describes one check, fail or recovery process.
type Process struct {
	Path string   // the executable; looked up in PATH when it has no slash
	Args []string // argv, Args[0] included
	Env  []string // the whole environment
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
	PID      int           // the leader's pid; 0 when it did not start
	Code     int           // exit status; 128+N when killed by signal N; 124 on timeout

	TimedOut    bool // ended by Timeout
	Interrupted bool // ended because the kill context was done

	// StartErr is set when the process could not be started at all (no
	// descriptors, no processes, executable gone): heatd's problem, not the
	// check's. The other fields but Start are then zero.
	StartErr error

	// Stderr holds the captured stderr when Output was nil: the first and the
	// last StderrKeep bytes, with a "[… N bytes dropped …]" line between when
	// more was written.
	Stderr []byte
}

// StderrKeep is how much of a check's stderr is kept at each end: enough for
// any real diagnostic, small enough that a check printing a gigabyte costs
// heatd nothing.
const StderrKeep = 32 << 10

// KillDelay is how long a timed-out process group has between SIGTERM and
// SIGKILL.
const KillDelay = 2 * time.Second

// Run starts p in a process group of its own, with stdin from /dev/null, and
// waits for it. When ctx is done before the process ends, the group is
// killed (SIGTERM, then SIGKILL after KillDelay) and the outcome is
// Interrupted. Run never hangs on output held open by a grandchild, and never
// kills what the process left running after it exited.
func Run(ctx context.Context, p Process) Outcome {
	_ = ctx
	return Outcome{Start: time.Now(), StartErr: errUnimplemented}
}
