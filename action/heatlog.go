package action

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// HeatLog is a check's heat log: the append-only file of its failures'
// output. It holds no descriptor between writes, so logrotate can move it
// and ten thousand checks need no ten thousand descriptors.
type HeatLog struct {
	Path string
	// Strict writes the heat log as root safety requires: never through a
	// symbolic link that a user other than root could have placed (in its
	// last name or a folder above it), never into a file another user
	// made. The config loader sets it when heatd runs as root with
	// strict_permissions.
	Strict bool
}

// heatLogMode is a new heat log's mode: failure output may name hosts, users
// or tokens, so others may not read it; the group (adm, say) may.
const heatLogMode = 0o640

// heatLogDirMode is the mode of a heat log folder heatd creates, as
// /var/log's own folders have.
const heatLogDirMode = 0o755

// Append writes each line of text as "UNIX: line", giving a last line
// without a newline one, in one write(2) so that concurrent writers never
// interleave. Empty text writes nothing. The folder is created when missing;
// a symlink is never followed. On a full filesystem the text is written
// whole or not at all, never cut off mid-line.
func (h HeatLog) Append(sec int64, text []byte) error {
	return h.appendLines(sec, text, false)
}

// Record appends heatd's own line (one line; none when empty), then the
// lines of text (a run's stderr), as Append does and in the same one
// write(2): a failed run's "failed: exit code N" line and its output are
// never parted by another writer's lines.
func (h HeatLog) Record(sec int64, line string, text []byte) error {
	if line == "" {
		return h.Append(sec, text)
	}
	buf := make([]byte, 0, len(line)+1+len(text))
	buf = append(append(append(buf, line...), '\n'), text...)
	return h.Append(sec, buf)
}

// appendLines is Append, starting a new line first when newLine is set and
// the file ends mid-line.
func (h HeatLog) appendLines(sec int64, text []byte, newLine bool) error {
	if len(text) == 0 {
		return nil
	}
	buf := prefixLines(sec, text)
	fd, err := h.open()
	if err != nil {
		return err
	}
	if newLine && endsMidLine(fd) {
		buf = append([]byte{'\n'}, buf...)
	}
	if err := reserve(fd, len(buf)); err != nil {
		unix.Close(fd)
		return fmt.Errorf("heat log %s: %w", h.Path, err)
	}
	n, err := writeOnce(fd, buf)
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil && n < len(buf) {
		err = fmt.Errorf("only %d of %d bytes written", n, len(buf))
	}
	if err != nil {
		return fmt.Errorf("heat log %s: %w", h.Path, err)
	}
	return nil
}

// Open opens the heat log for appending, for a script's own output, with
// the same rules as Append. The caller closes it.
func (h HeatLog) Open() (*os.File, error) {
	fd, err := h.open()
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), h.Path), nil
}

// open opens the heat log for appending, creating it and its folder when
// missing. O_NOFOLLOW refuses a symlink at the path (one planted in a log
// folder must not aim heatd's writes at another file); O_NONBLOCK keeps a
// FIFO planted there from blocking the open, and is cleared afterwards.
// Strict, the folders are reached through no link that a user other than
// root could have placed, and the file must be root's own and have no
// other name.
func (h HeatLog) open() (int, error) {
	if h.Path == "" {
		return -1, errors.New("heat log has no path")
	}
	fd, err := h.openFile()
	var link *LinkError
	switch {
	case errors.As(err, &link):
		return -1, fmt.Errorf("heat log %s: refused (strict_permissions): %v, and heatd writes a heat log through no link "+
			"that a user other than root could have placed, since that user could make heatd write anywhere; "+
			"name a heat log folder without that link", h.Path, link)
	case errors.Is(err, unix.ELOOP):
		return -1, fmt.Errorf("heat log %s is a symbolic link, which heatd never follows (name the real file)", h.Path)
	case errors.Is(err, unix.ENXIO):
		return -1, fmt.Errorf("heat log %s is a FIFO or socket, not a file", h.Path)
	case err != nil:
		return -1, fmt.Errorf("heat log %s: %w", h.Path, err)
	}
	if err := h.checkFile(fd); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// heatLogFlags open a heat log: see open.
const heatLogFlags = unix.O_WRONLY | unix.O_APPEND | unix.O_CREAT | unix.O_NOFOLLOW |
	unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY

// openFile opens the file, making its folders when missing.
func (h HeatLog) openFile() (int, error) {
	if h.Strict {
		fd, _, err := openRooted(h.Path, heatLogFlags, heatLogMode, makeFolders)
		return fd, err
	}
	fd, err := openAppend(h.Path)
	if errors.Is(err, unix.ENOENT) {
		if err := os.MkdirAll(filepath.Dir(h.Path), heatLogDirMode); err != nil {
			return -1, err
		}
		fd, err = openAppend(h.Path)
	}
	return fd, err
}

func openAppend(path string) (int, error) {
	return retry(func() (int, error) { return unix.Open(path, heatLogFlags, heatLogMode) })
}

// checkFile accepts a regular file, or a character device (heat_log =
// "/dev/null" turns a heat log off), and puts the descriptor back in
// blocking mode for the writes and for a script that inherits it. Strict,
// a regular file must be root's and have one name: in a folder all may
// write (sticky, as /tmp), another user may have made the file beforehand,
// to read what heatd writes, or given root's file a second name there.
func (h HeatLog) checkFile(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("heat log %s: %w", h.Path, err)
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG && st.Mode&unix.S_IFMT != unix.S_IFCHR:
		return fmt.Errorf("heat log %s: not a regular file", h.Path)
	case h.Strict && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Uid != 0:
		return fmt.Errorf("heat log %s is owned by uid %d, not root, so another user made it and could read what heatd writes: "+
			"refused (strict_permissions); remove it, or chown root %s", h.Path, st.Uid, h.Path)
	case h.Strict && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Nlink > 1:
		return fmt.Errorf("heat log %s has %d names (hard links), so its lines could land in another file: "+
			"refused (strict_permissions); remove it, and let heatd create it", h.Path, st.Nlink)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		return fmt.Errorf("heat log %s: %w", h.Path, err)
	}
	return nil
}

// reserve allocates room for n more bytes at the end of the regular file
// at fd, so that a write of n bytes does not run out of space part way
// (short of another writer appending at the same moment): a full
// filesystem then refuses a run's output whole (ENOSPC), where a short
// write would leave half a line for the next run's lines to continue. A
// filesystem that cannot reserve (no fallocate) is simply written to.
func reserve(fd int, n int) error {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil
	}
	for {
		err := unix.Fallocate(fd, unix.FALLOC_FL_KEEP_SIZE, st.Size, int64(n))
		switch err {
		case unix.EINTR:
			continue
		case unix.ENOSPC, unix.EDQUOT:
			return err
		}
		return nil
	}
}

// endsMidLine reports whether the regular file at fd, open for appending,
// has a last byte that is not a newline. It reads that byte through a
// second, read-only descriptor of the same file (fd is write-only, as a
// script's output must be); when it cannot, it reports false.
func endsMidLine(fd int) bool {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size == 0 {
		return false
	}
	// /proc/self/fd/N opens the very file fd has, not whatever the path
	// names now.
	rfd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(fd), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return false
	}
	defer unix.Close(rfd)
	var last [1]byte
	n, err := unix.Pread(rfd, last[:], st.Size-1)
	return err == nil && n == 1 && last[0] != '\n'
}

// writeOnce makes exactly one write(2) of buf: the kernel appends it whole
// under O_APPEND, which is what keeps concurrent writers' lines apart.
func writeOnce(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Write(fd, buf)
		if err != unix.EINTR {
			return max(n, 0), err
		}
	}
}

// prefixLines turns text into heat log lines: "SEC: line\n" for each line,
// the last one given a newline when it lacks one.
func prefixLines(sec int64, text []byte) []byte {
	prefix := strconv.AppendInt(nil, sec, 10)
	prefix = append(prefix, ": "...)
	lines := bytes.Count(text, []byte{'\n'}) + 1
	buf := make([]byte, 0, len(text)+lines*len(prefix)+1)
	for len(text) > 0 {
		line, rest, _ := bytes.Cut(text, []byte{'\n'})
		buf = append(buf, prefix...)
		buf = append(buf, line...)
		buf = append(buf, '\n')
		text = rest
	}
	return buf
}
