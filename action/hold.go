package action

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// A check that watches its target reads the target's /proc/PID files. A
// pid alone names whichever process has it at the moment of reading, which
// after the target's death may be any other: Held pins the target's own
// process with a pidfd, so a read that Alive confirms afterwards was a read
// of the target, and never of a process that took its pid.

// Held is the process a Target names, held until Release.
type Held struct {
	PID int
	fd  int // a pidfd of the process; -1 on a kernel without pidfd_open
}

// Hold resolves the target as Send does and holds its process: for a PID,
// the process held since OpenTarget (a pid that was not alive then is
// never taken for it); for a pidfile, the pid it holds now, with Send's
// refusals (a pid ≤ 0, pid 1, heatd itself, and when strict a pidfile
// others may write, an untrusted link, a process of another user than
// the pidfile's owner). An error says why there is no process to watch:
// the service is down, or the target is refused. The caller releases the
// Held.
func (a *Aim) Hold() (Held, error) {
	if a == nil {
		return Held{fd: -1}, errors.New("no target")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.closed:
		return Held{PID: a.target.PID, fd: -1}, errors.New("target already closed")
	case a.target.PID != 0:
		return a.holdPID()
	case a.target.Pidfile != "":
		return a.holdPidfile()
	}
	return Held{fd: -1}, errors.New("no target (neither pid nor pidfile)")
}

// holdPID holds the PID target's process through a copy of the pidfd
// taken at open, so the Held outlives neither nor shares its closing.
func (a *Aim) holdPID() (Held, error) {
	h := Held{PID: a.target.PID, fd: -1}
	switch {
	case a.openErr != nil:
		return h, a.openErr
	case a.direct:
		if !h.Alive() {
			return h, explainSignalErr(h.PID, unix.ESRCH)
		}
		return h, nil
	}
	fd, err := unix.FcntlInt(uintptr(a.pidfd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return h, fmt.Errorf("process %d could not be held: %w", h.PID, err)
	}
	h.fd = fd
	if !h.Alive() {
		h.Release()
		return h, explainSignalErr(h.PID, unix.ESRCH)
	}
	return h, nil
}

// holdPidfile holds the process the pidfile names now. Each error names
// the pidfile, as Send's do.
func (a *Aim) holdPidfile() (Held, error) {
	h := Held{fd: -1}
	path := a.target.Pidfile
	pid, owner, err := readPidfile(path, a.target.Strict)
	if err != nil {
		return h, err
	}
	h.PID = pid
	if err := refusePID(pid); err != nil {
		return h, fmt.Errorf("pidfile %s: %w", path, err)
	}
	fd, err := unix.PidfdOpen(pid, 0)
	switch {
	case errors.Is(err, unix.ENOSYS):
	case err != nil:
		return h, fmt.Errorf("pidfile %s: %w", path, explainSignalErr(pid, err))
	default:
		h.fd = fd
	}
	if a.target.Strict {
		// After the pidfd is taken, as signalPID vets: the process vetted
		// is the process held.
		if err := vetOwner(path, owner, pid); err != nil {
			h.Release()
			return h, fmt.Errorf("pidfile %s: %w", path, err)
		}
	}
	if !h.Alive() {
		h.Release()
		return h, fmt.Errorf("pidfile %s: %w", path, explainSignalErr(pid, unix.ESRCH))
	}
	return h, nil
}

// Alive reports whether the held process has not exited; a zombie, dead
// but not yet reaped by its parent, has. Without a pidfd it asks the pid,
// which is all such a kernel allows.
func (h Held) Alive() bool {
	if h.fd >= 0 {
		return !exitedPidfd(h.fd)
	}
	err := unix.Kill(h.PID, 0)
	return h.PID > 0 && (err == nil || errors.Is(err, unix.EPERM))
}

// Release lets the process go. A zero Held (fd 0) is never made: every
// Held comes from Hold, which sets fd to a pidfd or -1.
func (h *Held) Release() {
	if h.fd >= 0 {
		unix.Close(h.fd)
		h.fd = -1
	}
}
