package state

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/sys/unix"
)

// A fault makes the state file's folder unwritable until mend is called.
type fault struct {
	name string
	root bool // needs root (mounts)
	// make breaks dir (the state file's folder, which a test's own mount
	// may be on) and returns what mends it.
	make func(t *testing.T, dir string) (mend func())
}

var faults = []fault{
	{name: "full", root: true, make: func(t *testing.T, dir string) func() {
		filler := filepath.Join(dir, "filler")
		f, err := os.Create(filler)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		page := make([]byte, 4096)
		for {
			if _, err := f.Write(page); err != nil {
				if !errors.Is(err, unix.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
		return func() {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{name: "read-only", root: true, make: func(t *testing.T, dir string) func() {
		if err := unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REMOUNT, ""); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{name: "not writable", make: func(t *testing.T, dir string) func() {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
		}
	}},
}

// tinyFolder is a folder on a tmpfs of its own, 8 KiB, mounted for the
// test: one a test can fill or make read-only without touching anything
// else.
func tinyFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=8k,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Error(err)
		}
	})
	return dir
}

// TestFolderFault: while the folder cannot be written, heatd goes on,
// says so once however many changes come, keeps every change in memory,
// and leaves the last version whole on disk; once the folder is mended,
// the writer's own retry writes everything, and says so once.
func TestFolderFault(t *testing.T) {
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			root := os.Geteuid() == 0
			switch {
			case f.root && !root:
				t.Skip("needs root, to mount")
			case !f.root && root:
				t.Skip("root writes a folder whatever its mode")
			}
			dir := t.TempDir()
			if f.root {
				dir = tinyFolder(t)
			}
			path := filepath.Join(dir, "state.json")
			before, _ := open(t, path, false)
			before.Update("web", func(e *Entry) { e.GaveUp = time.Now() })
			if err := before.Close(); err != nil {
				t.Fatal(err)
			}
			old, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			mend := f.make(t, dir)
			synctest.Test(t, func(t *testing.T) {
				s, logs := open(t, path, false)
				names := []string{"db", "net", "cache"}
				for _, name := range names {
					s.Update(name, pausedAt(time.Now(), "maintenance"))
					time.Sleep(3 * retryMin) // a retry or two between changes
				}
				time.Sleep(10 * retryMax)
				synctest.Wait()
				if got := events(logs); !slices.Equal(got, []string{"state_file_failed"}) {
					t.Errorf("events while failing %v, want state_file_failed once", got)
				}
				if now, _ := os.ReadFile(path); string(now) != string(old) {
					t.Errorf("the file on disk changed while the folder failed:\n%s\nwant\n%s", now, old)
				}
				for _, name := range append(names, "web") {
					if s.Check(name).IsZero() {
						t.Errorf("%s was lost from memory", name)
					}
				}

				mend()
				time.Sleep(retryMax)
				synctest.Wait()
				if got := events(logs); !slices.Equal(got, []string{"state_file_failed", "state_file_written"}) {
					t.Errorf("events %v, want state_file_failed then state_file_written", got)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				entries, err := decode(b)
				if err != nil {
					t.Fatal(err)
				}
				for _, name := range append(names, "web") {
					if entries[name].IsZero() {
						t.Errorf("the file written once mended lacks %s: %s", name, b)
					}
				}
				if err := s.Close(); err != nil {
					t.Error(err)
				}
			})
		})
	}
}

// TestCloseWhileFailing: a Close that cannot write says so, and returns.
func TestCloseWhileFailing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to mount")
	}
	dir := tinyFolder(t)
	mend := faults[1].make(t, dir)
	defer mend()
	s, logs := open(t, filepath.Join(dir, "state.json"), false)
	s.Update("web", func(e *Entry) { e.GaveUp = time.Now() })
	if err := s.Close(); err == nil {
		t.Error("Close wrote nothing and returned no error")
	}
	if got := events(logs); !slices.Equal(got, []string{"state_file_failed"}) {
		t.Errorf("events %v, want state_file_failed", got)
	}
}
