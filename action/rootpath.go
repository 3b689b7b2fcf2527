package action

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// A LinkError is a symbolic link on a path that a user other than root
// could have placed. Whoever places a link chooses where the path leads, so
// heatd, as root with strict_permissions, goes through no such link: it
// would read a pidfile, or write a heat log, wherever that user chose.
type LinkError struct {
	Link string // the link, as reached from /
	Why  string // who could have placed it: "owned by uid 65534, not root"
}

func (e *LinkError) Error() string { return e.Link + " is a symbolic link " + e.Why }

// rooted says what openRooted does besides opening.
type rooted int

const (
	// makeFolders makes the folders missing, mode heatLogDirMode.
	makeFolders rooted = 1 << iota
	// followLast follows a link in the last name too, when root placed
	// it; without it, a link there fails the open (ELOOP), as a heat
	// log's always does.
	followLast
)

// maxLinks is how many symbolic links one path may pass through: the
// kernel's own MAXSYMLINKS, beyond which it reports ELOOP.
const maxLinks = 40

// OpenTrusted opens the file at path read-only, as a strict pidfile is
// read: through no symbolic link that a user other than root could have
// placed (a *LinkError says which link), without blocking on a FIFO and
// without taking a terminal. The File's Name is the path of the file
// opened, with the links it went through resolved.
func OpenTrusted(path string) (*os.File, error) {
	fd, real, err := openRooted(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY, 0, followLast)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), real), nil
}

// openRooted opens path with flags (O_NOFOLLOW and O_CLOEXEC added) and,
// when flags create it, perm. A symbolic link on the way, in the last name
// or any folder above it, is followed only when root placed it where only
// root could: the link owned by root, in a folder root owns that others
// may not write (unless it is sticky, as /tmp is: then no one but root can
// replace root's link). Otherwise the open fails with a *LinkError. how
// may make missing folders, and follow a link in the last name. real is
// the path of the file opened, links resolved.
//
// Each name is looked up in the folder the previous one opened, and each
// link is judged by fstat of the link itself: what is judged is what is
// used, never a path looked up again, which a user could change in
// between. A path with no link at all is opened in one openat2 call; the
// walk, one name at a time, is for paths with links and for kernels
// before Linux 5.6.
func openRooted(path string, flags int, perm uint32, how rooted) (fd int, real string, err error) {
	if !filepath.IsAbs(path) {
		// Not cleaned: a ".." after a link leads where the link led.
		wd, err := os.Getwd()
		if err != nil {
			return -1, path, err
		}
		path = wd + "/" + path
	}
	flags |= unix.O_NOFOLLOW | unix.O_CLOEXEC
	at2 := unix.OpenHow{Flags: uint64(flags), Mode: uint64(perm), Resolve: unix.RESOLVE_NO_SYMLINKS}
	fd, err = retry(func() (int, error) { return unix.Openat2(unix.AT_FDCWD, path, &at2) })
	if err == nil {
		return fd, filepath.Clean(path), nil // no link on the way, so ".." is the folder above
	}
	walk := errors.Is(err, unix.ELOOP) || // a link on the way, to judge
		errors.Is(err, unix.ENOENT) && how&makeFolders != 0 || // a folder to make
		errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) // no openat2: before Linux 5.6, or a seccomp filter that does not know it
	if !walk {
		return -1, path, err
	}
	return walkOpen(path, flags, perm, how)
}

// walkOpen is openRooted one name at a time, from /.
func walkOpen(path string, flags int, perm uint32, how rooted) (int, string, error) {
	w := walker{cur: "/", mkdirs: how&makeFolders != 0}
	var err error
	if w.dir, err = retry(func() (int, error) { return unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0) }); err != nil {
		return -1, path, err
	}
	defer func() { unix.Close(w.dir) }()
	todo := names(path)
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		here := filepath.Join(w.cur, name)
		if len(todo) == 0 && name != ".." {
			fd, err := retry(func() (int, error) { return unix.Openat(w.dir, name, flags, perm) })
			if !errors.Is(err, unix.ELOOP) || how&followLast == 0 {
				return fd, here, err
			}
			// The last name is a link: judged and followed below.
		}
		target, err := w.step(name, len(todo) > 0)
		if err != nil {
			return -1, here, err
		}
		todo = append(names(target), todo...)
	}
	// The path ends in a folder ("/", "..", or a link to a folder).
	fd, err := retry(func() (int, error) { return unix.Openat(w.dir, ".", flags, perm) })
	return fd, w.cur, err
}

// walker is walkOpen's progress: the folder reached, open as an O_PATH
// descriptor, and its path.
type walker struct {
	dir    int
	cur    string
	links  int
	mkdirs bool
}

// step goes from the folder reached to its entry name: into it when it is
// a folder, or, when it is a link root placed, back to where the link's
// target starts (the root for an absolute one), returning the target, whose
// names are the walk's next. more says names follow, so name must lead to
// a folder.
func (w *walker) step(name string, more bool) (target string, err error) {
	if name == ".." {
		// Never a link: the folder holding the one reached.
		return "", w.enter("..", filepath.Dir(w.cur))
	}
	here := filepath.Join(w.cur, name)
	open := func(flags int) func() (int, error) {
		return func() (int, error) {
			return unix.Openat(w.dir, name, flags|unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
	}
	// A folder, the usual case, opens with O_DIRECTORY and needs no fstat
	// (a link, even to a folder, fails it with ENOTDIR under O_NOFOLLOW).
	fd, err := retry(open(unix.O_DIRECTORY))
	if errors.Is(err, unix.ENOENT) && more && w.mkdirs {
		if err := unix.Mkdirat(w.dir, name, heatLogDirMode); err != nil && !errors.Is(err, unix.EEXIST) {
			return "", err
		}
		fd, err = retry(open(unix.O_DIRECTORY))
	}
	if err == nil {
		unix.Close(w.dir)
		w.dir, w.cur = fd, here
		return "", nil
	}
	if !errors.Is(err, unix.ENOTDIR) {
		return "", err
	}
	if fd, err = retry(open(0)); err != nil {
		return "", err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "", err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		if more {
			return "", unix.ENOTDIR
		}
		// Not a link, though its open failed as one: root (the only user
		// who could) has replaced it since. Look again.
		return name, nil
	}
	if w.links++; w.links > maxLinks {
		return "", unix.ELOOP
	}
	if err := w.trust(here, &st); err != nil {
		return "", err
	}
	target, err = readlinkFd(fd)
	if err != nil {
		return "", err
	}
	if filepath.IsAbs(target) {
		return target, w.enter("/", "/")
	}
	return target, nil
}

// enter makes the folder at name (relative to the folder reached, or
// absolute) the one reached, known as path.
func (w *walker) enter(name, path string) error {
	fd, err := retry(func() (int, error) {
		return unix.Openat(w.dir, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return err
	}
	unix.Close(w.dir)
	w.dir, w.cur = fd, path
	return nil
}

// trust accepts the link at path, whose fstat is st, in the folder
// reached, only when no user other than root could have placed it there.
func (w *walker) trust(path string, st *unix.Stat_t) error {
	if st.Uid != 0 {
		return &LinkError{Link: path, Why: fmt.Sprintf("owned by uid %d, not root", st.Uid)}
	}
	var dir unix.Stat_t
	if err := unix.Fstat(w.dir, &dir); err != nil {
		return err
	}
	switch {
	case dir.Uid != 0:
		return &LinkError{Link: path, Why: fmt.Sprintf("in %s, which uid %d owns", w.cur, dir.Uid)}
	case dir.Mode&0o002 != 0 && dir.Mode&unix.S_ISVTX == 0:
		return &LinkError{Link: path, Why: "in " + w.cur + ", which others may write"}
	}
	return nil
}

// readlinkFd is the target of the link an O_PATH descriptor holds: the
// link judged, not one found again by its name.
func readlinkFd(fd int) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(fd, "", buf)
		switch {
		case err != nil:
			return "", err
		case n < size:
			return string(buf[:n]), nil
		}
	}
}

// names are the names of a path, without the empty ones and ".".
func names(p string) []string {
	var out []string
	for n := range strings.SplitSeq(p, "/") {
		if n != "" && n != "." {
			out = append(out, n)
		}
	}
	return out
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
