package action

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestOpenFolder: a missing folder is made, with the folders above it; a
// file is not a folder; and, strict, a folder another user could change,
// or one reached through their link, is refused while root's own link is
// followed.
func TestOpenFolder(t *testing.T) {
	for _, strict := range []bool{false, true} {
		if strict && os.Geteuid() != 0 {
			continue
		}
		d := t.TempDir()
		f, err := OpenFolder(d+"/a/b", strict)
		if err != nil {
			t.Fatalf("strict %v: %v", strict, err)
		}
		if fi, err := os.Stat(d + "/a/b"); err != nil || !fi.IsDir() || fi.Mode().Perm()&^folderMode != 0 { // the umask may take bits away
			t.Errorf("strict %v: made %v, %v", strict, fi, err)
		}
		f.Close()
		if err := os.WriteFile(d+"/file", nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if f, err := OpenFolder(d+"/file", strict); !errors.Is(err, unix.ENOTDIR) {
			t.Errorf("strict %v: a file opened as a folder: %v, %v", strict, f, err)
		}
	}
	needRoot(t)
	d := t.TempDir()
	mkdir(t, d+"/theirs", 0o755, nobody)
	mkdir(t, d+"/open", 0o777, 0)
	mkdir(t, d+"/root", 0o755, 0)
	link(t, d+"/root", d+"/their-link", nobody)
	link(t, d+"/root", d+"/root-link", 0)
	for path, refused := range map[string]string{
		"theirs":     "owned by uid 65534",
		"open":       "writable by others",
		"their-link": "symbolic link owned by uid 65534",
		"root-link":  "",
		"root":       "",
	} {
		f, err := OpenFolder(filepath.Join(d, path), true)
		switch {
		case refused == "" && err != nil:
			t.Errorf("%s: %v", path, err)
		case refused == "":
			if f.Name() != d+"/root" {
				t.Errorf("%s opened as %s, want %s", path, f.Name(), d+"/root")
			}
			f.Close()
		case err == nil || !strings.Contains(err.Error(), refused):
			t.Errorf("%s: %v, want refused as %s", path, err, refused)
		}
	}
}
