package action

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// groupPoll is how often a group whose leader has gone is checked for
// members left, while they still have until KillDelay to end.
const groupPoll = 20 * time.Millisecond

// runEnd says why Run stopped waiting for the leader on its own.
type runEnd int

const (
	endExited runEnd = iota
	endTimedOut
	endInterrupted
)

// awaitEnd waits for the leader's exit, the timeout (when positive) or ctx,
// whichever comes first. An exit that is already known wins a tie, so a run
// that ended on time is never reported as killed.
func awaitEnd(ctx context.Context, timeout time.Duration, c *child) runEnd {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	if ctx.Done() != nil {
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			c.interrupt()
			close(fired)
		})
		defer func() {
			if !stop() {
				<-fired
			}
			// What follows (endGroup) waits whatever ctx says.
			c.interrupted.Store(false)
		}()
	}
	switch {
	case c.waitExited(deadline):
		return endExited
	case ctx.Err() != nil:
		return endInterrupted
	default:
		return endTimedOut
	}
}

// endGroup ends the process group of c, whose leader has not been reaped:
// SIGTERM to the group, then SIGKILL KillDelay later if any of it remains.
// It returns when the leader is reaped, its stderr read, and the group is
// empty or has been sent SIGKILL.
func endGroup(c *child) {
	pgid := c.pid
	_ = signalGroup(pgid, unix.SIGTERM)
	// A stopped process only acts on SIGTERM once continued (systemd does
	// the same).
	_ = signalGroup(pgid, unix.SIGCONT)
	deadline := time.Now().Add(KillDelay)

	if !c.waitExited(deadline) {
		// The leader is alive or an unreaped zombie: pgid is still ours.
		_ = signalGroup(pgid, unix.SIGKILL)
		c.waitExited(time.Time{})
		c.reap()
		c.drain()
		return
	}
	c.reap()
	c.drain()

	// The leader went on SIGTERM; others in its group may not have. Once the
	// leader is reaped the group lives only while a member does, so the
	// check below and the SIGKILL after it reach this group and no other
	// (short of every member dying and the pid being handed to a new group
	// leader in the microseconds between the two).
	for groupExists(pgid) {
		left := time.Until(deadline)
		if left <= 0 {
			_ = signalGroup(pgid, unix.SIGKILL)
			return
		}
		time.Sleep(min(groupPoll, left))
	}
}

// groupExists reports whether process group pgid has a member (zombies
// included: the kernel counts them until their parent reaps them).
func groupExists(pgid int) bool {
	return signalGroup(pgid, 0) != unix.ESRCH
}

// signalGroup sends sig to process group pgid. It refuses any pgid that
// would make kill(2) reach more than one group of heatd's making: 0 (heatd's
// own group), 1 (kill(-1): every process) and negatives, and heatd's own.
func signalGroup(pgid int, sig syscall.Signal) error {
	if pgid <= 1 || pgid == unix.Getpgrp() {
		return fmt.Errorf("process group %d is refused", pgid)
	}
	return unix.Kill(-pgid, sig)
}
