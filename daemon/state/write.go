package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/heatd/heatd/action"
)

// file is where the state is kept, and how it is reached.
type file struct {
	path string
	// strict reaches the folder as root safety requires: through no link
	// another user could have placed, and only a folder of root's that
	// others may not write (action.OpenFolder).
	strict bool
}

func (f file) base() string { return filepath.Base(f.path) }

// temp is the name a new version is written under before it is renamed
// over the state file. One name, not a random one: one heatd writes the
// file (the control socket's lock sees to that), and a crash leaves at
// most one such file, which the next write replaces.
func (f file) temp() string { return "." + f.base() + ".tmp" }

// folder opens the state file's folder, making it when missing. It is
// opened again at each write, so a folder removed and made again is the
// one written to, not the deleted one a held descriptor would name.
func (f file) folder() (*os.File, error) {
	return action.OpenFolder(filepath.Dir(f.path), f.strict)
}

// write replaces the state file with data atomically: the new version is
// written to a temporary file in the same folder and synced, renamed over
// the old one, and the folder synced, so that after a crash or power loss
// at any moment the file is the old version or the new one, whole. Every
// step is taken relative to one descriptor of the folder, so a path that
// changes meanwhile (a link swapped in) cannot lead a step elsewhere.
func (f file) write(data []byte) error {
	dir, err := f.folder()
	if err != nil {
		return err
	}
	defer dir.Close()
	d := int(dir.Fd())
	tmp := f.temp()
	if err := unix.Unlinkat(d, tmp, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("removing %s: %w", tmp, err)
	}
	fd, err := retry(func() (int, error) {
		return unix.Openat(d, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, fileMode)
	})
	if err != nil {
		return err
	}
	w := os.NewFile(uintptr(fd), filepath.Join(dir.Name(), tmp))
	_, err = w.Write(data)
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = unix.Renameat(d, tmp, d, f.base())
	}
	if err != nil {
		unix.Unlinkat(d, tmp, 0)
		return err
	}
	return dir.Sync()
}

// retry repeats a call that a signal interrupted.
func retry(call func() (int, error)) (int, error) {
	for {
		fd, err := call()
		if err != unix.EINTR {
			return fd, err
		}
	}
}
