package action

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// folderMode is the mode of a folder OpenFolder makes: as /var/lib's own
// folders have.
const folderMode = 0o755

// OpenFolder opens the folder at path for reading, as the base of the
// *at calls (openat, renameat, unlinkat) that write the files in it, and
// for fsync after a rename there. It makes the folder, and those above it,
// when missing. Strict (as root, with strict_permissions), the folder is
// reached through no symbolic link that a user other than root could have
// placed (a *LinkError says which link), and must be root's, writable by
// no other user unless sticky: a file written through such a handle lands
// where root chose, whatever another user does to the path meanwhile.
func OpenFolder(path string, strict bool) (*os.File, error) {
	open := func() (*os.File, error) {
		if !strict {
			return os.OpenFile(path, os.O_RDONLY|unix.O_DIRECTORY, 0)
		}
		// Not O_DIRECTORY, with which a link in the last name fails as
		// ENOTDIR rather than ELOOP, and so would not be judged and
		// followed: trustedFolder checks it is a folder.
		fd, real, err := openRooted(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY, 0, makeFolders|followLast)
		if err != nil {
			return nil, err
		}
		return os.NewFile(uintptr(fd), real), nil
	}
	f, err := open()
	if errors.Is(err, unix.ENOENT) {
		if err := makeFolder(path, strict); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, err
		}
		f, err = open()
	}
	if err != nil {
		return nil, err
	}
	if strict {
		if err := trustedFolder(f); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// makeFolder makes the folder at path, and the folders above it; strict,
// in a parent reached as OpenFolder reaches a folder.
func makeFolder(path string, strict bool) error {
	if !strict {
		return os.MkdirAll(path, folderMode)
	}
	parent, err := OpenFolder(filepath.Dir(path), true)
	if err != nil {
		return err
	}
	defer parent.Close()
	return unix.Mkdirat(int(parent.Fd()), filepath.Base(path), folderMode)
}

// trustedFolder refuses what is not a folder, and a folder that a user other than root owns, or
// that others may write without the sticky bit: either could replace the
// files heatd writes there.
func trustedFolder(f *os.File) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return err
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFDIR:
		return fmt.Errorf("%s: %w", f.Name(), unix.ENOTDIR)
	case st.Uid != 0:
		return fmt.Errorf("%s is owned by uid %d, not root, so that user could replace what heatd writes there: "+
			"refused (strict_permissions); chown root %s", f.Name(), st.Uid, f.Name())
	case st.Mode&0o002 != 0 && st.Mode&unix.S_ISVTX == 0:
		return fmt.Errorf("%s is writable by others, who could replace what heatd writes there: "+
			"refused (strict_permissions); chmod o-w %s", f.Name(), f.Name())
	}
	return nil
}
