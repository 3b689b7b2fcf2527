package action

import (
	"errors"
	"fmt"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Target names the process a check signals: a fixed PID, or the pid in a
// pidfile read at each send. The zero Target has no process.
type Target struct {
	PID     int
	Pidfile string
	// Strict makes each send through the pidfile refuse a pidfile writable
	// by others, one reached through a symbolic link that a user other
	// than root could have placed, and a process whose real user is not
	// the owner of the pidfile read: whoever can write a pidfile, or place
	// a link on its way, could otherwise aim heatd's signals at any
	// process. The config loader sets it when heatd runs as root with
	// strict_permissions.
	Strict bool
}

// IsSet reports whether the target names a process.
func (t Target) IsSet() bool { return t.PID != 0 || t.Pidfile != "" }

// Aim is an opened Target, ready to receive signals. For a PID it holds a
// pidfd taken when it was opened, so a recycled pid never receives a signal
// meant for a process that has died. An Aim may be used from several
// goroutines.
type Aim struct {
	target Target

	mu      sync.Mutex
	pidfd   int   // the PID target's pidfd; -1 when none
	direct  bool  // no pidfd on this kernel (before Linux 5.3): plain kill(2)
	openErr error // why a PID target cannot be signalled at all
	closed  bool
}

// OpenTarget opens t. The Aim is always usable; err reports (for the
// target_missing warning) that a PID target is not alive now, or is refused;
// sends to such a target then fail too, since a pid that was not alive at
// load may since belong to anyone. A pidfile is only read when sending.
func OpenTarget(t Target) (*Aim, error) {
	a := &Aim{target: t, pidfd: -1}
	if t.PID == 0 {
		return a, nil
	}
	if err := refusePID(t.PID); err != nil {
		a.openErr = err
		return a, err
	}
	fd, err := unix.PidfdOpen(t.PID, 0)
	if err == nil && exitedPidfd(fd) {
		// A zombie: dead already, only not reaped by its parent.
		unix.Close(fd)
		err = unix.ESRCH
	}
	switch {
	case err == nil:
		a.pidfd = fd
	case errors.Is(err, unix.ENOSYS):
		a.direct = true
	case errors.Is(err, unix.ESRCH):
		a.openErr = fmt.Errorf("process %d was not running when the target was opened, "+
			"so that pid is never signalled (name a service that restarts by its pidfile)", t.PID)
		return a, fmt.Errorf("process %d is not running", t.PID)
	default:
		a.openErr = fmt.Errorf("process %d could not be held: %w", t.PID, err)
		return a, a.openErr
	}
	return a, nil
}

// Send sends sig to the target and returns the pid it went to (or was meant
// for, when known). It never signals a pid ≤ 0, pid 1 or heatd itself; a
// target that is gone, an unreadable pidfile or a refused pid is an error
// saying why.
func (a *Aim) Send(sig syscall.Signal) (pid int, err error) {
	if a == nil {
		return 0, errors.New("no signal target")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return a.target.PID, errors.New("signal target already closed")
	}
	switch {
	case a.target.PID != 0:
		return a.target.PID, a.sendHeld(sig)
	case a.target.Pidfile != "":
		pid, owner, err := readPidfile(a.target.Pidfile, a.target.Strict)
		if err != nil {
			return pid, err
		}
		if err := refusePID(pid); err != nil {
			return pid, fmt.Errorf("pidfile %s: %w", a.target.Pidfile, err)
		}
		var vet func(int) error
		if a.target.Strict {
			vet = func(pid int) error { return vetOwner(a.target.Pidfile, owner, pid) }
		}
		if err := signalPID(pid, sig, vet); err != nil {
			return pid, fmt.Errorf("pidfile %s: %w", a.target.Pidfile, err)
		}
		return pid, nil
	default:
		return 0, errors.New("no signal target (neither pid nor pidfile)")
	}
}

// sendHeld signals the PID target through the pidfd taken at open.
func (a *Aim) sendHeld(sig syscall.Signal) error {
	pid := a.target.PID
	switch {
	case a.openErr != nil:
		return a.openErr
	case a.direct:
		return explainSignalErr(pid, unix.Kill(pid, sig))
	}
	return sendPidfd(a.pidfd, pid, sig)
}

// Close releases the pidfd, if any. Sends after Close fail.
func (a *Aim) Close() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	if a.pidfd < 0 {
		return nil
	}
	err := unix.Close(a.pidfd)
	a.pidfd = -1
	return err
}
