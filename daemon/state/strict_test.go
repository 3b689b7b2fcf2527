package state

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// nobody is a user other than root, to own what a test plants.
const nobody = 65534

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to chown")
	}
}

// TestStrictRefusesForeignFile: as root, a state file another user owns
// may say anything that user chose (a pause of every check): it is
// ignored, and replaced by root's own at the next write.
func TestStrictRefusesForeignFile(t *testing.T) {
	needRoot(t)
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"checks":{"web":{"paused":{"since":"2026-01-02T03:04:05Z","uid":0}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	s, logs := open(t, path, true)
	if got := events(logs); !slices.Equal(got, []string{"state_file_ignored"}) {
		t.Fatalf("events %v, want state_file_ignored", got)
	}
	if r, _ := logs.All()[0].ContextMap()["reason"].(string); !strings.Contains(r, "uid 65534") {
		t.Errorf("reason %q does not name the owner", r)
	}
	if s.Check("web").Pause != nil {
		t.Error("took a pause from a file another user wrote")
	}
	s.Update("db", func(e *Entry) { e.GaveUp = time.Now() })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var st os.FileInfo
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if uid := fileUID(st); uid != 0 {
		t.Errorf("the file written is uid %d's, want root's", uid)
	}
	// Not strict, the same file is read as it is.
	if err := os.Chown(path, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	lax, logs := open(t, path, false)
	if lax.Check("db").IsZero() || len(logs.All()) != 0 {
		t.Errorf("without strict_permissions: %+v, events %v", lax.Check("db"), events(logs))
	}
}

// TestStrictFolders: as root, the state is written into no folder
// another user could change, nor through a link another user placed; a
// link root placed is followed.
func TestStrictFolders(t *testing.T) {
	needRoot(t)
	cases := []struct {
		name string
		// make returns the state file's path, in a folder it sets up in
		// base.
		make   func(t *testing.T, base string) string
		refuse string // what state_file_failed says; "": written
	}{
		{name: "root's folder", make: func(t *testing.T, base string) string {
			return filepath.Join(base, "lib", "state.json")
		}},
		{name: "another user's folder", refuse: "owned by uid 65534", make: func(t *testing.T, base string) string {
			dir := filepath.Join(base, "lib")
			mkdir(t, dir, 0o755, nobody)
			return filepath.Join(dir, "state.json")
		}},
		{name: "a folder all may write", refuse: "writable by others", make: func(t *testing.T, base string) string {
			dir := filepath.Join(base, "lib")
			mkdir(t, dir, 0o777, 0)
			return filepath.Join(dir, "state.json")
		}},
		{name: "a sticky folder all may write", make: func(t *testing.T, base string) string {
			dir := filepath.Join(base, "lib")
			mkdir(t, dir, 0o777|os.ModeSticky, 0)
			return filepath.Join(dir, "state.json")
		}},
		{name: "a link another user placed", refuse: "symbolic link owned by uid 65534", make: func(t *testing.T, base string) string {
			real := filepath.Join(base, "real")
			mkdir(t, real, 0o755, 0)
			link := filepath.Join(base, "lib")
			if err := os.Symlink(real, link); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(link, nobody, nobody); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(link, "state.json")
		}},
		{name: "a link root placed", make: func(t *testing.T, base string) string {
			real := filepath.Join(base, "real")
			mkdir(t, real, 0o755, 0)
			link := filepath.Join(base, "lib")
			if err := os.Symlink(real, link); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(link, "state.json")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			path := c.make(t, base)
			s, logs := open(t, path, true)
			s.Update("web", func(e *Entry) { e.GaveUp = time.Now() })
			err := s.Close()
			if c.refuse == "" {
				if err != nil || len(logs.All()) != 0 {
					t.Fatalf("Close: %v, events %v; want written", err, logs.All())
				}
				again, _ := open(t, path, true)
				if again.Check("web").IsZero() {
					t.Error("not read back")
				}
				return
			}
			if err == nil {
				t.Fatal("written, want refused")
			}
			// Read from there neither: a file another user could
			// have put there is no operator's decision.
			all := logs.All()
			if !slices.Equal(events(logs), []string{"state_file_ignored", "state_file_failed"}) {
				t.Fatalf("events %v, want state_file_ignored, state_file_failed", events(logs))
			}
			if msg, _ := all[1].ContextMap()["error"].(string); !strings.Contains(msg, c.refuse) {
				t.Errorf("state_file_failed says %q, want it to say %q", msg, c.refuse)
			}
			// Nothing landed anywhere.
			filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && d.Type()&os.ModeSymlink == 0 {
					t.Errorf("left %s", p)
				}
				return nil
			})
		})
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode, uid int) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, uid); err != nil {
		t.Fatal(err)
	}
}
