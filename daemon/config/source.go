package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
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
}

// read reads and decodes the file name. A file that cannot be read or is
// not TOML gives its errors and a nil source.
func read(name string) (*source, Errors) {
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
	src := &source{name: name, dir: filepath.Dir(abs), pos: scanPositions(string(text))}
	if _, err := toml.Decode(string(text), &src.data); err != nil {
		return nil, src.syntaxError(err)
	}
	return src, nil
}

// maxFileSize bounds a configuration file: ten thousand checks take about
// a megabyte, and a file far larger is a mistake (a glob that matched a log),
// not a configuration.
const maxFileSize = 16 << 20

// readFile reads a regular file of at most maxFileSize. A FIFO or a device
// (an include pattern that matched /dev/zero) is refused, never read: it
// would hang the load, and with it a reload.
func readFile(name string) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, &fs.PathError{Op: "read", Path: name, Err: unix.EISDIR}
	case !fi.Mode().IsRegular():
		return nil, errors.New("not a regular file")
	case fi.Size() > maxFileSize:
		return nil, fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	text, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(text) > maxFileSize {
		err = fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	return text, err
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
