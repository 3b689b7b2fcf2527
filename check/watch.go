package check

import (
	"time"

	"go.uber.org/zap"
)

// TargetWatcher is a Doer that can watch its target's current process, so
// that its death runs the check at once (watch_target).
type TargetWatcher interface {
	// WatchTarget has died called once, with the pid, when the target's
	// current process exits: the pid target's, or the pid its pidfile
	// names now (the pidfile is read again at each call). A watch on that
	// same process is kept as it is. A target with no live process has
	// nothing to watch.
	WatchTarget(died func(pid int))
	// UnwatchTarget ends the watch. It does not wait for a call of died
	// under way.
	UnwatchTarget()
}

// watchTarget (re)arms the watch on the target after a run: the pidfile may
// name another process now.
func (c *Check) watchTarget() {
	if c.watch {
		c.doer.(TargetWatcher).WatchTarget(c.targetDied)
	}
}

// targetDied runs the check at once when its target's process exits: a
// dead service is seen in milliseconds, not at its next slot. A step under
// way (a run, a recovery) or waiting for its slot goes on as it is, and so
// does a recovery that is due: its verification runs the check. The
// schedule goes on from the run it starts.
func (c *Check) targetDied(pid int) {
	c.mu.Lock()
	now := !c.ended && !c.busy && c.status.State.Mode != RecoveryDue && c.timer.Stop()
	if now {
		c.next = time.Now()
		c.waitFor(c.next)
		c.timer.Reset(0)
	}
	c.mu.Unlock()
	c.events().Info("target_exited", zap.Int("pid", pid), zap.Bool("run_now", now))
}
