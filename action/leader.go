package action

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// leaderWatch learns when a process has exited without reaping it: while it
// is an unreaped zombie its pid, and so its process group id, cannot be given
// to another process, which makes signalling the group safe until reaped.
type leaderWatch struct {
	done chan struct{} // closed once the leader has exited
	end  time.Time     // when it was seen to exit; read after done is closed
}

// watchLeader starts watching pid, a child of heatd's not yet reaped.
func watchLeader(pid int) *leaderWatch {
	w := &leaderWatch{done: make(chan struct{})}
	if !w.watchPidfd(pid) {
		go w.watchWaitid(pid)
	}
	return w
}

// watchPidfd waits through Go's poller on a pidfd, which becomes readable
// when its process exits: a run in progress then holds no OS thread, where
// a blocking wait would hold one per run (and threads count against
// RLIMIT_NPROC). It reports false when no pidfd can be had.
func (w *leaderWatch) watchPidfd(pid int) bool {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return false
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	conn, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return false
	}
	go func() {
		defer close(w.done)
		defer f.Close()
		err := conn.Read(func(fd uintptr) bool {
			return exitedPidfd(int(fd))
		})
		if err != nil {
			// Not pollable after all: wait the blocking way.
			waitExit(pid)
		}
		w.end = time.Now()
	}()
	return true
}

// watchWaitid waits for pid to exit in a blocking waitid that leaves it
// unreaped: the way for kernels before Linux 5.3, which have no pidfd.
func (w *leaderWatch) watchWaitid(pid int) {
	defer close(w.done)
	waitExit(pid)
	w.end = time.Now()
}

func waitExit(pid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return
		}
	}
}

// exitedPidfd reports, without waiting, whether pidfd's process has exited
// (a pidfd is readable from its process's exit on, reaped or not).
func exitedPidfd(pidfd int) bool {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 0)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP) != 0
	}
}
