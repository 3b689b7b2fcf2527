package control

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// lockFile is the exclusive flock on SOCKET.lock that makes one heatd the
// owner of a control socket. The kernel drops the lock when its holder
// dies, however it dies, so a lock nobody holds means the socket beside it
// is stale.
type lockFile struct {
	path string
	f    *os.File
}

// lockAttempts bounds the retries when the lock file is replaced between
// our open and our lock (the heatd that held it removing it as it stops): a
// second such race in a row is already improbable.
const lockAttempts = 5

// lock takes the lock at path for the control socket socket, and writes
// heatd's pid into it for the message a second heatd will give.
func lock(path, socket string) (*lockFile, error) {
	for range lockAttempts {
		// O_NOFOLLOW: the socket's folder may be one others can write to,
		// and heatd, often root, must not be led to truncate another file.
		// Go opens with O_CLOEXEC, so no check or script inherits the lock
		// (a daemon a recovery script leaves behind would hold it forever).
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o644)
		if err != nil {
			return nil, fmt.Errorf("control socket %s: lock file: %w", socket, err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			pid := holder(f)
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, inUse(socket, pid)
			}
			return nil, fmt.Errorf("control socket %s: locking %s: %w", socket, path, err)
		}
		// A lock on a file that is no longer at path guards nothing: the
		// previous owner removed it after we opened it. Lock the new one.
		if !samePath(f, path) {
			f.Close()
			continue
		}
		if err := writePID(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("control socket %s: lock file %s: %w", socket, path, err)
		}
		return &lockFile{path: path, f: f}, nil
	}
	return nil, fmt.Errorf("control socket %s: lock file %s keeps being replaced", socket, path)
}

// release removes the lock file and then drops the lock: removing it first
// means no one can lock a file that is about to disappear.
func (l *lockFile) release() error {
	err := os.Remove(l.path)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// inUse is the refusal when the lock is held: by another heatd, or by
// this one, reached under another name (a reload that names the socket it
// serves through a symlinked folder). A path through a symlinked folder is
// spelled out, since the pid alone would not say which socket is meant.
func inUse(socket string, pid int) error {
	dir := filepath.Dir(socket)
	via := ""
	if resolved, err := filepath.EvalSymlinks(dir); err == nil && resolved != filepath.Clean(dir) {
		via = fmt.Sprintf("its folder %s leads to %s through a symlink", dir, resolved)
		if pid == os.Getpid() {
			return fmt.Errorf("control socket %s is %s, the socket this heatd already serves (%s); name it one way only",
				socket, filepath.Join(resolved, filepath.Base(socket)), via)
		}
		via = " (" + via + ")"
	}
	switch {
	case pid == os.Getpid():
		return fmt.Errorf("control socket %s is the socket this heatd already serves, under another name; name it one way only", socket)
	case pid > 0:
		return fmt.Errorf("control socket %s is in use by another heatd (pid %d)%s", socket, pid, via)
	}
	return fmt.Errorf("control socket %s is in use by another heatd%s", socket, via)
}

// holder is the pid written in a lock file, 0 when there is none yet.
func holder(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		return 0
	}
	return pid
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// samePath reports whether f is still the file at path.
func samePath(f *os.File, path string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Lstat(path)
	return err == nil && os.SameFile(fi, pi)
}
