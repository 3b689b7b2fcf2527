package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/BurntSushi/toml"
	"golang.org/x/sys/unix"
)

// source is one configuration file, read and decoded.
type source struct {
	name string         // as errors show it: as given, or as a pattern matched it
	dir  string         // its folder, absolute: relative paths in it start here
	data map[string]any // the decoded TOML
	pos  *positions
	// executables are the verdicts on the paths of scripts checked so far
	// in this load (nil: an executable one), by absolute path.
	executables map[string]error
	looked      int // executablePath's calls so far
	// tables are the file's top-level tables as split.go cut it, and
	// values their values; none when it could not be cut.
	tables []tableText
	values []any
	// split says that data was decoded table by table: its "check" is
	// then an empty table, the checks being tables and values.
	split bool
}

// read reads and decodes the file name. A file that cannot be read or is
// not TOML gives its errors and a nil source. prev are the checks of the
// configuration in force, when it was cut into tables in it: the file is
// then decoded table by table, all but the checks written as before
// (decoded.go).
func read(name string, prev *memoIndex) (*source, Errors) {
	fail := func(line int, msg string) (*source, Errors) {
		return nil, Errors{{File: name, Line: line, Msg: msg}}
	}
	text, err := readFile(name)
	if err != nil {
		return fail(0, "cannot be read: "+reason(err))
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return fail(0, "cannot be located: "+reason(err))
	}
	if line, msg := checkShape(text); msg != "" {
		return fail(line, msg)
	}
	doc := string(text)
	src := &source{name: name, dir: filepath.Dir(abs)}
	var tables []tableText
	cut := false
	if prev != nil {
		// A reload cuts the file first, as the cut says what is left to
		// decode; a file decoded table by table is scanned for its lines a
		// table at a time, when one is asked for (cutlines.go).
		if tables, cut = splitTables(doc); cut {
			if data, values, ok := splitDecode(tables, prev, name); ok {
				src.data, src.pos, src.tables, src.values, src.split = data, newCutLines(tables), tables, values, true
				return src, nil
			}
		}
	}
	w := decodeWhole(doc, prev == nil)
	src.pos, src.data = w.pos, w.data
	if w.err != nil {
		src.data = nil
		return nil, src.syntaxError(w.err)
	}
	if prev == nil {
		tables, cut = w.tables, w.cut
	}
	if cut {
		if values, ok := wholeValues(tables, w.data); ok {
			src.tables, src.values = tables, values
		}
	}
	return src, nil
}

// whole is a file decoded whole: its data or the decoder's error, its
// positions, and its tables when it was cut too.
type whole struct {
	data   map[string]any
	err    error
	pos    *positions
	tables []tableText
	cut    bool
	panic  any
}

// decodeWhole decodes doc whole and scans its positions, and cuts it into
// tables when cut is true. Positions are scanned (and the file cut) beside
// the decoding, on another core when there is one: both read the whole
// text, and neither needs the other until both are done (a reload of ten
// thousand checks waits on them). A panic there is raised again here,
// where the reload that called the loader turns it into an error.
func decodeWhole(doc string, cut bool) whole {
	scanned := make(chan whole, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				scanned <- whole{panic: p}
			}
		}()
		w := whole{pos: scanPositions(doc)}
		if cut {
			w.tables, w.cut = splitTables(doc)
		}
		scanned <- w
	}()
	var data map[string]any
	_, err := toml.Decode(doc, &data)
	w := <-scanned
	if w.panic != nil {
		panic(w.panic)
	}
	w.data, w.err = data, err
	return w
}

// readFile reads a regular file of at most maxFileSize, acting only on the
// descriptor it opened: a FIFO or a device (an include pattern that matched
// /dev/zero) is refused before any read, and so is a file of /proc or /sys,
// whose reads can block or take something from the kernel (/proc/kmsg).
// The reads are non-blocking system calls, so a file that has nothing to
// give yet is an error, never a wait that would hang the load and with it
// a reload.
func readFile(name string) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		return nil, &fs.PathError{Op: "read", Path: name, Err: unix.EISDIR}
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return nil, errors.New("not a regular file")
	case st.Size > maxFileSize:
		return nil, tooLarge()
	}
	if kernel, err := kernelFile(fd); err != nil || kernel {
		if err == nil {
			err = errors.New("a file of the kernel's (/proc or /sys), not a configuration")
		}
		return nil, err
	}
	text := make([]byte, 0, st.Size+1)
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return nil, errors.New("would block: not a file that can be read at once")
		case err != nil:
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		case n == 0:
			return text, nil
		}
		if len(text)+n > maxFileSize {
			return nil, tooLarge()
		}
		text = append(text, buf[:n]...)
	}
}

func tooLarge() error { return fmt.Errorf("larger than %d MiB", maxFileSize>>20) }

// kernelFile tells whether fd is on a file system whose files are the
// kernel's: regular files there report no size and may block or consume.
func kernelFile(fd int) (bool, error) {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(fd, &fs); err != nil {
		return false, err
	}
	switch int64(fs.Type) {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.DEBUGFS_MAGIC, unix.TRACEFS_MAGIC, unix.SECURITYFS_MAGIC:
		return true, nil
	}
	return false, nil
}

// syntaxError turns TOML's error into ours, at TOML's line. A [check.NAME]
// table written twice in one file is a TOML error too, but heatd
// names both places, as for a name repeated across files.
func (src *source) syntaxError(err error) Errors {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return Errors{{File: src.name, Msg: "TOML syntax error: " + err.Error()}}
	}
	line := pe.Position.Line
	if name, first, ok := src.pos.redefined(line); ok {
		return Errors{{File: src.name, Line: line, Table: "check", Check: name, Msg: twice(src.name, first)}}
	}
	return Errors{{File: src.name, Line: line, Msg: "TOML syntax error: " + pe.Message}}
}

// reason is the operating system's words for err, without the path and
// operation that the Error names already.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
