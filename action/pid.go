package action

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxPidfile is the most of a pidfile that is read: a pid is at most 7
// digits on Linux, so anything longer is not a pidfile, and reading a huge
// file named by mistake must cost nothing.
const maxPidfile = 64

// refusePID says why heatd must never signal pid, or is nil.
func refusePID(pid int) error {
	switch {
	case pid <= 0:
		return fmt.Errorf("pid %d is refused: heatd never signals a pid ≤ 0 (kill would reach a whole process group, or every process)", pid)
	case pid == 1:
		return errors.New("pid 1 is refused: heatd never signals init")
	case pid == os.Getpid():
		return fmt.Errorf("pid %d is refused: it is heatd itself", pid)
	}
	return nil
}

// readPidfile reads the pid a pidfile holds now, and the uid of the
// owner of the file read. It opens without blocking (a FIFO planted at the
// path must not hang a check) and accepts only a regular file holding a
// number and white space; strict, it also refuses a file writable by
// others, and reads through no symbolic link that a user other than root
// could have placed (OpenTrusted): a service user's link renamed over its
// own pidfile would otherwise aim heatd's signals through root's pidfile
// at root's process.
func readPidfile(path string, strict bool) (pid int, owner uint32, err error) {
	f, err := openPidfile(path, strict)
	var link *LinkError
	switch {
	case errors.As(err, &link):
		return 0, 0, fmt.Errorf("pidfile %s: refused (strict_permissions): %v, and heatd reads a pidfile through no link "+
			"that a user other than root could have placed, since that user could aim heatd's signals at any process; "+
			"name the pidfile by a path without that link", path, link)
	case errors.Is(err, fs.ErrNotExist):
		return 0, 0, fmt.Errorf("pidfile %s does not exist (is the service running?)", path)
	case errors.Is(err, fs.ErrPermission):
		return 0, 0, fmt.Errorf("pidfile %s cannot be read: permission denied", path)
	case err != nil:
		return 0, 0, fmt.Errorf("pidfile %s cannot be read: %w", path, err)
	}
	defer f.Close()
	// The file read is the file judged: stat of the open file, not the path.
	st, err := f.Stat()
	switch {
	case err != nil:
		return 0, 0, fmt.Errorf("pidfile %s cannot be read: %w", path, err)
	case !st.Mode().IsRegular():
		return 0, 0, fmt.Errorf("pidfile %s is not a regular file", path)
	case strict && st.Mode().Perm()&0o002 != 0:
		return 0, 0, fmt.Errorf("pidfile %s is writable by others, so anyone could aim heatd's signals with it: "+
			"refused (strict_permissions); chmod o-w %s", path, path)
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		owner = sys.Uid
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPidfile+1))
	if err != nil {
		return 0, 0, fmt.Errorf("pidfile %s cannot be read: %w", path, err)
	}
	text := strings.TrimSpace(string(data))
	if text == "" {
		return 0, 0, fmt.Errorf("pidfile %s is empty", path)
	}
	pid, err = strconv.Atoi(text)
	if err != nil || len(data) > maxPidfile {
		if len(text) > 20 {
			text = text[:20] + "…"
		}
		return 0, 0, fmt.Errorf("pidfile %s does not hold a pid: %q", path, text)
	}
	return pid, owner, nil
}

// openPidfile opens the pidfile at path for reading; strict, through
// trusted links only. An error is the system's, without the path.
func openPidfile(path string, strict bool) (*os.File, error) {
	if strict {
		return OpenTrusted(path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, errors.Unwrap(err)
	}
	return f, nil
}

// signalPID signals a pid just read from a pidfile, once vet (when not nil)
// has accepted the process. Going through a pidfd lets a zombie (dead, not
// yet reaped by its parent) be told apart from a live process, which
// kill(2) cannot. It also makes the vetting sound: vet reads /proc/PID
// after the pidfd is held, and the send checks that the held process is
// still alive, so the process vetted is the process signalled even if the
// pid is reused meanwhile.
func signalPID(pid int, sig syscall.Signal, vet func(pid int) error) error {
	if vet == nil {
		vet = func(int) error { return nil }
	}
	fd, err := unix.PidfdOpen(pid, 0)
	switch {
	case errors.Is(err, unix.ENOSYS):
		if err := vet(pid); err != nil {
			return err
		}
		return explainSignalErr(pid, unix.Kill(pid, sig))
	case err != nil:
		return explainSignalErr(pid, err)
	}
	defer unix.Close(fd)
	if err := vet(pid); err != nil {
		return err
	}
	return sendPidfd(fd, pid, sig)
}

// vetOwner refuses, for a strict target, a process whose real user is not
// the pidfile's owner: only the owner's own processes (root's, for a
// pidfile root owns) may be aimed at through the pidfile. A service whose
// pidfile root writes but which runs as another user (start-stop-daemon
// --make-pidfile --chuid) needs its pidfile chowned to that user.
func vetOwner(pidfile string, owner uint32, pid int) error {
	uid, err := realUID(pid)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return explainSignalErr(pid, unix.ESRCH)
	case err != nil:
		return fmt.Errorf("the user of process %d cannot be read, so it is not signalled: %w", pid, err)
	case uid == owner:
		return nil
	}
	return fmt.Errorf("process %d runs as uid %d, not as the pidfile's owner (uid %d): refused "+
		"(strict_permissions), since whoever can write a pidfile could otherwise aim heatd's signals at "+
		"another user's process; if it is that process's own pidfile: chown %d %s", pid, uid, owner, uid, pidfile)
}

// realUID is the real user of process pid, from the Uid: line of
// /proc/PID/status (real, effective, saved and filesystem uids).
func realUID(pid int) (uint32, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				uid, err := strconv.ParseUint(f[0], 10, 32)
				return uint32(uid), err
			}
		}
	}
	return 0, errors.New("/proc/" + strconv.Itoa(pid) + "/status has no Uid line")
}

// sendPidfd signals the process pidfd refers to, unless it has exited (and
// is a zombie, which pidfd_send_signal would report as signalled).
func sendPidfd(pidfd, pid int, sig syscall.Signal) error {
	if exitedPidfd(pidfd) {
		return explainSignalErr(pid, unix.ESRCH)
	}
	return explainSignalErr(pid, unix.PidfdSendSignal(pidfd, sig, nil, 0))
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

// explainSignalErr turns a failed send into a reason an operator can act on.
func explainSignalErr(pid int, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ESRCH):
		return fmt.Errorf("process %d has exited", pid)
	case errors.Is(err, unix.EPERM):
		return fmt.Errorf("not permitted to signal process %d (it runs as another user)", pid)
	default:
		return fmt.Errorf("signalling process %d: %w", pid, err)
	}
}
