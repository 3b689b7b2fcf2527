package action

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Watch waits for one process to exit, through a pidfd in the runtime's
// poller: a pidfd becomes readable when its process exits, so the wait
// costs a parked goroutine and no thread, no polling and no timer, and a
// death is seen within milliseconds.
type Watch struct {
	pid     int
	f       *os.File // the pidfd
	stopped atomic.Bool
	fired   atomic.Bool
}

// Watch starts a watch on the target's current process (its pid, or the pid
// its pidfile names now, read by Send's rules): died is called once, on a
// goroutine of the watch's own, when that process exits. When prev watches
// that same process still, prev is returned as it is; otherwise prev is
// closed. A target with no live process now has nothing to watch: nil and
// an error saying why.
func (a *Aim) Watch(prev *Watch, died func(pid int)) (*Watch, error) {
	pid, fd, err := a.current(prev)
	if err != nil || fd < 0 {
		if err != nil {
			prev.Close()
			return nil, err
		}
		return prev, nil
	}
	prev.Close()
	w := &Watch{pid: pid, f: os.NewFile(uintptr(fd), "pidfd")}
	rc, err := w.f.SyscallConn()
	if err != nil {
		w.f.Close()
		return nil, err
	}
	go w.wait(rc.Read, died)
	return w, nil
}

// current is the target's current process and a new non-blocking pidfd of
// it, or fd −1 when prev watches it already.
func (a *Aim) current(prev *Watch) (pid, fd int, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.closed:
		return 0, -1, errors.New("signal target already closed")
	case a.target.PID != 0:
		pid = a.target.PID
		if prev.watching(pid) {
			return pid, -1, nil
		}
		if a.pidfd < 0 {
			return pid, -1, errors.Join(a.openErr, errors.New("no pidfd of the target is held"))
		}
		// The pidfd taken at open: a recycled pid is never watched.
		fd, err = unix.FcntlInt(uintptr(a.pidfd), unix.F_DUPFD_CLOEXEC, 0)
		if err == nil {
			err = unix.SetNonblock(fd, true)
		}
	case a.target.Pidfile != "":
		pid, _, err = readPidfile(a.target.Pidfile, a.target.Strict)
		if err == nil {
			err = refusePID(pid)
		}
		if err != nil || prev.watching(pid) {
			return pid, -1, err
		}
		fd, err = unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	default:
		return 0, -1, errors.New("no signal target (neither pid nor pidfile)")
	}
	if err != nil {
		return pid, -1, explainSignalErr(pid, err)
	}
	if exitedPidfd(fd) {
		unix.Close(fd)
		return pid, -1, fmt.Errorf("process %d has exited", pid)
	}
	return pid, fd, nil
}

// wait blocks in the poller until the pidfd is readable (the process
// exited) or the watch is closed, and calls died in the first case.
func (w *Watch) wait(read func(func(fd uintptr) bool) error, died func(pid int)) {
	err := read(func(fd uintptr) bool { return exitedPidfd(int(fd)) })
	if err != nil || w.stopped.Load() {
		return
	}
	w.fired.Store(true)
	died(w.pid)
}

// watching reports whether w is a live watch on pid.
func (w *Watch) watching(pid int) bool {
	return w != nil && w.pid == pid && !w.fired.Load() && !w.stopped.Load()
}

// PID is the process watched.
func (w *Watch) PID() int { return w.pid }

// Close ends the watch: died is not called after it returns, unless it was
// being called already. It does not wait for that call, so it may be
// called while holding what died takes.
func (w *Watch) Close() {
	if w == nil || w.stopped.Swap(true) {
		return
	}
	w.f.Close()
}
