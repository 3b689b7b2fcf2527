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

// readPidfile reads the pid a pidfile holds now. It opens without blocking
// (a FIFO planted at the path must not hang a check) and accepts only a
// regular file holding a number and white space.
func readPidfile(path string) (int, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, fmt.Errorf("pidfile %s does not exist (is the service running?)", path)
	case errors.Is(err, fs.ErrPermission):
		return 0, fmt.Errorf("pidfile %s cannot be read: permission denied", path)
	case err != nil:
		return 0, fmt.Errorf("pidfile %s cannot be read: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return 0, fmt.Errorf("pidfile %s cannot be read: %w", path, err)
	} else if !st.Mode().IsRegular() {
		return 0, fmt.Errorf("pidfile %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPidfile+1))
	if err != nil {
		return 0, fmt.Errorf("pidfile %s cannot be read: %w", path, err)
	}
	text := strings.TrimSpace(string(data))
	if text == "" {
		return 0, fmt.Errorf("pidfile %s is empty", path)
	}
	pid, err := strconv.Atoi(text)
	if err != nil || len(data) > maxPidfile {
		if len(text) > 20 {
			text = text[:20] + "…"
		}
		return 0, fmt.Errorf("pidfile %s does not hold a pid: %q", path, text)
	}
	return pid, nil
}

// signalPID signals a pid just read from a pidfile. Going through a pidfd
// lets a zombie (dead, not yet reaped by its parent) be told apart from a
// live process, which kill(2) cannot.
func signalPID(pid int, sig syscall.Signal) error {
	fd, err := unix.PidfdOpen(pid, 0)
	switch {
	case errors.Is(err, unix.ENOSYS):
		return explainSignalErr(pid, unix.Kill(pid, sig))
	case err != nil:
		return explainSignalErr(pid, err)
	}
	defer unix.Close(fd)
	return sendPidfd(fd, pid, sig)
}

// sendPidfd signals the process pidfd refers to, unless it has exited (and
// is a zombie, which pidfd_send_signal would report as signalled).
func sendPidfd(pidfd, pid int, sig syscall.Signal) error {
	if exitedPidfd(pidfd) {
		return explainSignalErr(pid, unix.ESRCH)
	}
	return explainSignalErr(pid, unix.PidfdSendSignal(pidfd, sig, nil, 0))
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
