package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// resolve makes a path as written absolute: a relative one starts in dir,
// the folder of the file it was written in, so a config means the same
// whatever heatd's working directory is. Nothing else is expanded: no ~,
// no $VAR, no search of $PATH.
func resolve(p, dir string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// parsePath reads a path and resolves it against dir.
func parsePath(v any, dir string) (string, error) {
	s, err := parseText(v)
	if err != nil {
		return "", err
	}
	if strings.Contains(s, "\x00") {
		return "", errors.New("must be a path, which cannot hold a NUL byte")
	}
	return resolve(s, dir), nil
}

// executable is a path to an executable file that exists now: a script,
// fail or recovery that cannot run is found at load, not at the first
// failure. Each path is looked at once in a load (src keeps the verdict):
// ten thousand checks running one script are one stat, not ten thousand.
func (src *source) executable(v any) (string, error) {
	p, err := parsePath(v, src.dir)
	if err != nil {
		return "", err
	}
	if err := src.executablePath(p); err != nil {
		return "", err
	}
	return p, nil
}

// executablePath says why the absolute path p is not an executable file,
// as source.executable does; nil when it is. It counts in looked: the
// next load judges again a file that a key's parser judged (memo.go).
func (src *source) executablePath(p string) error {
	src.looked++
	if src.executables == nil {
		src.executables = map[string]error{}
	}
	err, seen := src.executables[p]
	if !seen {
		err = checkExecutable(p)
		src.executables[p] = err
	}
	return err
}

// checkExecutable says why p is not an executable file; nil when it is.
func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%q does not exist; give the path of an executable file", p)
	case err != nil:
		return fmt.Errorf("%q cannot be checked (%s); give the path of an executable file", p, reason(err))
	case fi.IsDir():
		return fmt.Errorf("%q is a directory; give the path of an executable file", p)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%q is not a regular file; give the path of an executable file", p)
	case fi.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("%q is not executable; make it so with chmod +x", p)
	}
	return nil
}

// executableIn is source.executable as a key's parser.
func executableIn(v any, src *source) (string, error) { return src.executable(v) }
