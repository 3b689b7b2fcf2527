package action

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// child is a process that Run started, watched through one epoll instance
// of its own: its pidfd, readable once it has exited, and the read end of
// its stderr pipe. Go's poller waits on that instance, so a run holds no OS
// thread and its goroutine is woken once when the process ends, where a
// goroutine per descriptor (os/exec's copier, a pidfd watcher) would wake
// two and hand over between them: on a virtual machine every such wake-up
// costs more CPU than the instructions of the run itself.
//
// Its methods are called from one goroutine, but interrupt.
type child struct {
	pid     int
	epfd    int             // the epoll instance; owned by ep
	ep      *os.File        // epfd, for Go's poller
	conn    syscall.RawConn // ep's
	exitFd  int             // a pidfd of the leader, or the fallback's pipe (see watch); -1 before watch
	stderr  int             // read end of the stderr pipe; -1 once at its end, or when not captured
	capture *stderrCapture  // nil when stderr is not captured

	exited      bool        // the leader has exited; it is not reaped before reap
	end         time.Time   // when its exit was seen
	interrupted atomic.Bool // interrupt was called: wait returns
	reaped      bool        // reap reaped it; status is then its wait status
	status      unix.WaitStatus

	buf [readChunk]byte // what stderr is read through
}

// newChild prepares the watch of a process about to be started: the epoll
// instance, with stderr (the read end of the pipe the process will write
// its stderr to; -1 when it is not captured) in it. All that can fail for
// want of descriptors fails here, before anything is started.
func newChild(stderr int) (*child, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	c := &child{epfd: epfd, exitFd: -1, stderr: -1}
	if stderr >= 0 {
		if err := epollAdd(epfd, stderr, unix.EPOLLONESHOT); err != nil {
			rawClose(epfd)
			return nil, err
		}
		c.stderr, c.capture = stderr, &stderrCapture{}
	}
	// Non-blocking, which is what tells os.NewFile to register it with
	// Go's poller.
	if err := rawSetNonblock(epfd); err != nil {
		rawClose(epfd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	c.ep = os.NewFile(uintptr(epfd), "epoll")
	if c.conn, err = c.ep.SyscallConn(); err != nil {
		c.ep.Close()
		return nil, err
	}
	return c, nil
}

// epollAdd adds fd to epfd for reading, with the fd as the event's data.
func epollAdd(epfd, fd int, flags uint32) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | flags, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl", rawEpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &ev))
}

// watch watches pid, just started, through pidfd, the pidfd its fork
// gave (-1 from a kernel before Linux 5.2, which has none: a goroutine then
// waits for the exit in a blocking waitid, which leaves the process
// unreaped as a pidfd does, and closes a pipe's write end when it returns).
// When the process cannot be watched, its group is killed and it is reaped
// before watch returns the error: heatd never leaves a process it cannot
// time out.
func (c *child) watch(pid, pidfd int) error {
	c.pid = pid
	if pidfd < 0 {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			c.abandon()
			return os.NewSyscallError("pipe2", err)
		}
		go func() {
			waitExit(pid)
			unix.Close(p[1])
		}()
		pidfd = p[0]
	}
	c.exitFd = pidfd
	// One-shot: a pidfd stays readable from the exit on, and once is
	// enough to know.
	if err := epollAdd(c.epfd, pidfd, unix.EPOLLONESHOT); err != nil {
		c.abandon()
		return err
	}
	return nil
}

// abandon ends a process that could not be watched: SIGKILL to its group,
// then reaped, then everything closed.
func (c *child) abandon() {
	_ = signalGroup(c.pid, unix.SIGKILL)
	c.reap()
	c.close()
}

// waitExit blocks until pid has exited, leaving it unreaped.
func waitExit(pid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return
		}
	}
}

// waitExited waits until the leader has exited, deadline has passed (zero:
// no deadline) or interrupt is called, reading stderr meanwhile; it
// reports whether the leader has exited. An exit known by then wins over
// the deadline or the interrupt.
func (c *child) waitExited(deadline time.Time) bool {
	c.wait(deadline, func() bool { return c.exited })
	return c.exited
}

// drain reads stderr until its end, for at most pipeGrace. Past it,
// whatever still holds the pipe (a background grandchild) is a process the
// check left running on purpose: the pipe is closed, and that process is
// left alone.
func (c *child) drain() {
	if c.stderr < 0 {
		return
	}
	c.wait(time.Now().Add(pipeGrace), func() bool { return c.stderr < 0 })
	if c.stderr >= 0 {
		rawClose(c.stderr)
		c.stderr = -1
	}
}

// interrupt makes a wait under way, or the next one, return at once. It may
// be called from any goroutine.
func (c *child) interrupt() {
	c.interrupted.Store(true)
	_ = c.ep.SetReadDeadline(time.Unix(1, 0))
}

// wait reads what epfd reports until done holds, deadline has passed (zero:
// no deadline), or interrupt is called.
func (c *child) wait(deadline time.Time, done func() bool) {
	if done() {
		return
	}
	if err := c.ep.SetReadDeadline(deadline); err != nil {
		c.waitBlocking(deadline, done)
		return
	}
	err := c.conn.Read(func(uintptr) bool {
		c.collect(0)
		return done() || c.interrupted.Load()
	})
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.collect(0) // an exit that came with the deadline counts
	case err != nil:
		c.waitBlocking(deadline, done)
	}
}

// waitBlocking is wait without Go's poller, which took no epoll instance
// (it has always taken one): epoll_wait in slices of groupPoll.
func (c *child) waitBlocking(deadline time.Time, done func() bool) {
	for !done() && !c.interrupted.Load() {
		slice := groupPoll
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return
			}
			slice = min(slice, left)
		}
		c.collect(int(slice.Milliseconds()) + 1)
	}
}

// collect takes the events epfd holds, waiting up to ms milliseconds for
// the first: the leader's exit, and stderr's bytes (a chunk for each event)
// or its end.
func (c *child) collect(ms int) {
	var events [2]unix.EpollEvent
	for {
		n, err := epollWait(c.epfd, events[:], ms)
		if err == unix.EINTR {
			continue
		}
		if n <= 0 {
			return
		}
		ms = 0
		for _, ev := range events[:n] {
			switch int(ev.Fd) {
			case c.exitFd:
				if !c.exited {
					c.exited, c.end = true, time.Now()
				}
			case c.stderr:
				c.readStderr()
			}
		}
	}
}

// epollWait is epoll_wait(2): raw when it does not wait (ms is 0).
func epollWait(epfd int, events []unix.EpollEvent, ms int) (int, error) {
	if ms == 0 {
		return rawEpollPoll(epfd, events)
	}
	return unix.EpollWait(epfd, events, ms)
}

// readChunk is how much of stderr is read at a time: most checks write
// nothing or a line, and ten thousand runs at once hold one each.
const readChunk = 2 << 10

// readStderr reads what the pipe holds, or closes it at its end. The pipe
// blocks, but it is only read once epoll has reported it readable, and no
// one else reads it. A read that leaves more in the pipe is followed by
// another: rearm has epfd report it at once.
func (c *child) readStderr() {
	n, err := rawRead(c.stderr, c.buf[:])
	switch {
	case n > 0:
		c.capture.Write(c.buf[:n])
		c.rearm()
	case err == unix.EINTR || err == unix.EAGAIN:
		c.rearm()
	default:
		// Every writer has closed it (or it failed, which no read mends):
		// closing it takes it out of epfd too.
		rawClose(c.stderr)
		c.stderr = -1
	}
}

// rearm has epfd report stderr again. It is one-shot, not level-triggered:
// a process forked meanwhile by another run holds a copy of the pipe until
// it execs, and the epoll entry lives while any copy does, so closing it at
// its end would leave a level-triggered entry reporting the end again and
// again, under a number that is no longer the pipe's.
func (c *child) rearm() {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLONESHOT, Fd: int32(c.stderr)}
	if err := rawEpollCtl(c.epfd, unix.EPOLL_CTL_MOD, c.stderr, &ev); err != nil {
		// Not watched any more: the output from here on is lost, and
		// the run waits no longer than its leader for it.
		rawClose(c.stderr)
		c.stderr = -1
	}
}

// reap reaps the leader, once it has exited (or been sent SIGKILL): at
// once when it has exited (raw: it does not wait), else waiting for it.
func (c *child) reap() {
	if c.exited {
		if ok, err := rawReap(c.pid, &c.status); ok || (err != nil && err != unix.EINTR) {
			c.reaped = ok
			return
		}
	}
	for {
		_, err := unix.Wait4(c.pid, &c.status, 0, nil)
		if err != unix.EINTR {
			c.reaped = err == nil
			return
		}
	}
}

// close releases the descriptors.
func (c *child) close() {
	c.ep.Close()
	for _, fd := range []*int{&c.exitFd, &c.stderr} {
		if *fd >= 0 {
			rawClose(*fd)
			*fd = -1
		}
	}
}
