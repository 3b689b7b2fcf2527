package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// version is the state file's format. A file of another version was
// written by a heatd that means something else by it, so it is ignored
// (state_file_ignored), never half understood.
const version = 1

// maxFileSize bounds what is read of a state file: 10,000 checks, each
// paused with a long reason and a hundred attempts kept, stay well under
// it, and a huge file put there by mistake costs no more memory than this.
const maxFileSize = 64 << 20

// fileMode is the state file's mode: a pause's reason is an operator's
// note, which the group (adm, say) may read, and others not.
const fileMode = 0o640

// doc is the state file's JSON: {"version":1,"checks":{"web":{...}}}.
type doc struct {
	Version int              `json:"version"`
	Checks  map[string]Entry `json:"checks"`
}

// encode is the file's content for entries.
func encode(entries map[string]Entry) ([]byte, error) {
	if entries == nil {
		entries = map[string]Entry{}
	}
	b, err := json.Marshal(doc{Version: version, Checks: entries})
	return append(b, '\n'), err
}

// decode reads a file's content. Fields it does not know are skipped, so a
// later heatd of the same version can add some and an earlier one still
// reads the rest.
func decode(b []byte) (map[string]Entry, error) {
	var d struct {
		Version *int             `json:"version"`
		Checks  map[string]Entry `json:"checks"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	switch {
	case d.Version == nil:
		return nil, errors.New(`has no "version"`)
	case *d.Version != version:
		return nil, fmt.Errorf("is of version %d, which this heatd does not know (it knows %d)", *d.Version, version)
	}
	entries := make(map[string]Entry, len(d.Checks))
	for name, e := range d.Checks {
		if e = e.normal(); !e.IsZero() {
			entries[name] = e
		}
	}
	return entries, nil
}

// errMissing is a state file, or its folder, that does not exist yet: a
// first start.
var errMissing = errors.New("no state file")

// read reads the state file at p, through the folder as f.folder opens
// it. A file that is not there is errMissing.
func (f file) read() (map[string]Entry, error) {
	dir, err := f.folder()
	if errors.Is(err, unix.ENOENT) {
		return nil, errMissing
	}
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	fd, err := retry(func() (int, error) {
		return unix.Openat(int(dir.Fd()), f.base(), unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	})
	switch {
	case errors.Is(err, unix.ENOENT):
		return nil, errMissing
	case errors.Is(err, unix.ELOOP):
		return nil, errors.New("is a symbolic link, which heatd never follows")
	case err != nil:
		return nil, err
	}
	r := os.NewFile(uintptr(fd), f.path)
	defer r.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return nil, errors.New("is not a regular file")
	case f.strict && st.Uid != 0:
		return nil, fmt.Errorf("is owned by uid %d, not root, so another user may have written it: refused (strict_permissions)", st.Uid)
	case st.Size > maxFileSize:
		return nil, fmt.Errorf("is %d bytes, more than a state file ever holds (%d)", st.Size, maxFileSize)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	return decode(b)
}
