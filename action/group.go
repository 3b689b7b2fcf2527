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
func awaitEnd(ctx context.Context, timeout time.Duration, exited <-chan struct{}) runEnd {
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	var end runEnd
	select {
	case <-exited:
		return endExited
	case <-expired:
		end = endTimedOut
	case <-ctx.Done():
		end = endInterrupted
	}
	select {
	case <-exited:
		return endExited
	default:
		return end
	}
}

// endGroup ends the process group pgid, whose leader has not been reaped:
// SIGTERM to the group, then SIGKILL KillDelay later if any of it remains.
// reap reaps the leader once it has exited; endGroup returns when the leader
// is reaped and the group is empty or has been sent SIGKILL.
func endGroup(pgid int, exited <-chan struct{}, reap func()) {
	_ = signalGroup(pgid, unix.SIGTERM)
	// A stopped process only acts on SIGTERM once continued (systemd does
	// the same).
	_ = signalGroup(pgid, unix.SIGCONT)
	deadline := time.NewTimer(KillDelay)
	defer deadline.Stop()

	select {
	case <-deadline.C:
		// The leader is alive or an unreaped zombie: pgid is still ours.
		_ = signalGroup(pgid, unix.SIGKILL)
		<-exited
		reap()
		return
	case <-exited:
		reap()
	}

	// The leader went on SIGTERM; others in its group may not have. Once the
	// leader is reaped the group lives only while a member does, so the
	// check below and the SIGKILL after it reach this group and no other
	// (short of every member dying and the pid being handed to a new group
	// leader in the microseconds between the two).
	tick := time.NewTicker(groupPoll)
	defer tick.Stop()
	for groupExists(pgid) {
		select {
		case <-deadline.C:
			_ = signalGroup(pgid, unix.SIGKILL)
			return
		case <-tick.C:
		}
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
