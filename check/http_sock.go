package check

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawSocket reads and writes a plain-http check's connection with raw
// system calls, through its RawConn: Go's poller still waits for the socket
// to be ready and still holds the connection's deadline, but the read and
// write themselves do not tell the scheduler that they enter a system call.
// They never block (the socket is non-blocking, so a call that would wait
// says EAGAIN, and the poller waits instead), so there is nothing for the
// scheduler to take over. What telling it costs is the wake-up: the first
// system call after the process was idle wakes the runtime's monitor
// thread (sysmon) from its deep sleep and makes it poll every 20 µs for as
// long as anything runs, about four context switches per run when runs
// come one at a time; on a virtual machine each costs more CPU than the
// probe's own work.
type rawSocket struct {
	conn net.Conn        // for the errors' addresses
	raw  syscall.RawConn // conn's

	// The call under way: what the poller's callbacks read and fill.
	// They are made once, with the socket: a closure made at each call
	// would be five allocations a run.
	p               []byte
	n               int
	errno           syscall.Errno
	readFn, writeFn func(fd uintptr) bool
}

// newRawSocket is conn's raw reads and writes; ok is false when conn has no
// descriptor to make them on.
func newRawSocket(conn net.Conn) (s *rawSocket, ok bool) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, false
	}
	s = &rawSocket{conn: conn, raw: raw}
	s.readFn, s.writeFn = s.read, s.write
	return s, true
}

// Read is conn.Read.
func (s *rawSocket) Read(p []byte) (n int, err error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.p, s.n, s.errno = p, 0, 0
	err = s.raw.Read(s.readFn)
	n, errno := s.n, s.errno
	s.p = nil
	switch {
	case err != nil: // the deadline passed, or the connection was closed
		return 0, err
	case errno != 0:
		return 0, s.opError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// read is one try of Read on fd; false: the poller waits until fd is
// readable.
func (s *rawSocket) read(fd uintptr) bool {
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&s.p[0])), uintptr(len(s.p)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		s.n, s.errno = int(r), e
		return true
	}
}

// Write is conn.Write: all of p, or an error.
func (s *rawSocket) Write(p []byte) (n int, err error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.p, s.n, s.errno = p, 0, 0
	err = s.raw.Write(s.writeFn)
	n, errno := s.n, s.errno
	s.p = nil
	switch {
	case err != nil:
		return n, err
	case errno != 0:
		return n, s.opError("write", errno)
	}
	return n, nil
}

// write is one try of Write on fd, carrying on from what the last wrote;
// false: the poller waits until fd is writable.
func (s *rawSocket) write(fd uintptr) bool {
	for s.n < len(s.p) {
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&s.p[s.n])), uintptr(len(s.p)-s.n))
		switch e {
		case 0:
			s.n += int(r)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			s.errno = e
			return true
		}
	}
	return true
}

// opError is errno as conn.Read or conn.Write would have returned it.
func (s *rawSocket) opError(op string, errno syscall.Errno) error {
	return &net.OpError{Op: op, Net: "tcp", Source: s.conn.LocalAddr(), Addr: s.conn.RemoteAddr(),
		Err: os.NewSyscallError(op, errno)}
}
