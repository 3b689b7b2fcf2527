package action

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls of a process run that never wait, made raw: without
// telling Go's runtime that the thread enters a system call. Telling it
// (what unix.Close, unix.EpollCtl and the like do) lets the runtime's
// monitor thread take the P away from a call it sees last, and wakes that
// thread when it sleeps for want of work, after which it polls every 20 µs
// for a while: at hundreds of runs a second, wake-ups that cost more CPU
// than the calls themselves (bench/analysis.md). A raw call keeps its P
// for its few microseconds. A call that may wait (epoll_wait with a
// timeout, wait4 on a live process) is never made raw, and those of
// syscall.ForkExec are its own.

// rawOpen opens path (one that exists for good, /dev/null) with flags.
func rawOpen(path string, flags int) (int, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return -1, err
	}
	cwd := unix.AT_FDCWD // a negative number: a variable converts to uintptr, a constant does not
	fd, _, errno := unix.RawSyscall6(unix.SYS_OPENAT, uintptr(cwd), uintptr(unsafe.Pointer(p)),
		uintptr(flags), 0, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// rawClose closes fd: a pipe's end, an epoll instance, a pidfd or
// /dev/null, none of which waits on its close.
func rawClose(fd int) error {
	if _, _, errno := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// rawEpollCtl is epoll_ctl(2).
func rawEpollCtl(epfd, op, fd int, ev *unix.EpollEvent) error {
	_, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd),
		uintptr(unsafe.Pointer(ev)), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// rawEpollPoll takes the events epfd holds now, without waiting.
func rawEpollPoll(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// rawRead reads fd, which epoll has just reported readable and which no one
// else reads: it does not wait.
func rawRead(fd int, p []byte) (int, error) {
	n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// rawSetNonblock puts fd in non-blocking mode.
func rawSetNonblock(fd int) error {
	_, _, errno := unix.RawSyscall(unix.SYS_FCNTL, uintptr(fd), unix.F_SETFL, unix.O_NONBLOCK)
	if errno != 0 {
		return errno
	}
	return nil
}

// rawReap reaps pid when it has exited, without waiting: false when it has
// not (or wait4 failed otherwise).
func rawReap(pid int, status *unix.WaitStatus) (reaped bool, err error) {
	got, _, errno := unix.RawSyscall6(unix.SYS_WAIT4, uintptr(pid), uintptr(unsafe.Pointer(status)),
		unix.WNOHANG, 0, 0, 0)
	if errno != 0 {
		return false, errno
	}
	return int(got) == pid, nil
}
