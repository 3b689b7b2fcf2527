package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/heatd/heatd/check"
	"golang.org/x/sys/unix"
)

// running is an engine's view of cfg for LoadAfter: its checks by name, and
// the names asked for.
type running struct {
	specs map[string]check.Spec
	asked []string
}

func runningOf(cfg *Config) *running {
	r := &running{specs: map[string]check.Spec{}}
	for _, s := range cfg.Checks {
		r.specs[s.Name] = s
	}
	return r
}

func (r *running) spec(name string) (check.Spec, bool) {
	r.asked = append(r.asked, name)
	s, ok := r.specs[name]
	return s, ok
}

// sameLoad fails unless LoadAfter(path) after prev gives what a plain load
// of path gives: the configuration, or the errors, byte for byte.
func sameLoad(t *testing.T, path string, prev *Config, r *running) *Config {
	t.Helper()
	return sameLoadAs(t, path, false, prev, r)
}

// sameLoadAs is sameLoad, as root or not.
func sameLoadAs(t *testing.T, path string, asRoot bool, prev *Config, r *running) *Config {
	t.Helper()
	want, wantErr := loadAs(path, asRoot)
	got, gotErr := loadAfterAs(path, asRoot, prev, r.spec)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("LoadAfter: %v\nLoad: %v", gotErr, wantErr)
	}
	if want == nil {
		return nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("LoadAfter gave\n%+v\nLoad gave\n%+v", got, want)
	}
	return got
}

// write writes text to dir/heat.toml.
func write(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "heat.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const memoBase = `[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
[defaults]
interval = "1m"
`

func TestLoadAfterTakesUnchangedChecksAsTheyRun(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, memoBase+`
[check.a]
command = "true"
[check.b]
command = "true"
env = { X = "1" }
[check.c]
command = "true"
`)
	first := sameLoad(t, path, nil, &running{})
	r := runningOf(first)
	// What the engine runs is what is taken: a mark in a field the file
	// cannot set shows it.
	b := r.specs["b"]
	b.Dir = "taken"
	r.specs["b"] = b
	write(t, dir, memoBase+`
[check.a]
command = "false"
[check.b]
env = { X = "1" }
command = "true"
[check.c]
command = "true"
`)
	got, err := loadAfterAs(path, false, first, r.spec)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.asked, []string{"b", "c"}) {
		t.Errorf("asked the engine for %q, want b and c: a changed", r.asked)
	}
	if got.Checks[1].Dir != "taken" {
		t.Errorf("check b was built again, not taken as it runs")
	}
	if got.Checks[0].Probe == first.Checks[0].Probe {
		t.Errorf("check a is as before: %+v", got.Checks[0].Probe)
	}
}

func TestLoadAfterIsLoad(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "fix.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	checks := `
[check.a]
command = "true"
recovery = "fix.sh"
threshold = 2
[check.b]
command = "true"
recovery_timeout = "1m"
[check.c]
http = "http://127.0.0.1:1/"
`
	steps := []struct {
		name, text string
		world      func()
	}{
		{"unchanged", memoBase + checks, nil},
		{"the recovery script is no longer executable", memoBase + checks, func() {
			if err := os.Chmod(script, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"it is again", memoBase + checks, func() {
			if err := os.Chmod(script, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"a key_unused warning moved down a line", memoBase + "\n" + checks, nil},
		{"[defaults] changed", strings.Replace(memoBase, `"1m"`, `"2m"`, 1) + checks, nil},
		{"[daemon] changed", strings.Replace(memoBase, `"logs"`, `"logs2"`, 1) + checks, nil},
		{"as at first", memoBase + checks, nil},
		{"the recovery script is gone", memoBase + checks, func() {
			if err := os.Remove(script); err != nil {
				t.Fatal(err)
			}
		}},
	}
	path := write(t, dir, memoBase+checks)
	prev := sameLoad(t, path, nil, &running{})
	if prev == nil || len(prev.Unused) != 1 {
		t.Fatalf("the first load has no key_unused warning: %+v", prev)
	}
	for _, step := range steps {
		write(t, dir, step.text)
		if step.world != nil {
			step.world()
		}
		if cfg := sameLoad(t, path, prev, runningOf(prev)); cfg != nil {
			prev = cfg
		}
	}
}

func TestLoadAfterTestdata(t *testing.T) {
	files, err := filepath.Glob("testdata/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		prev, err := loadAs(name, false)
		if err != nil {
			continue
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			r := runningOf(prev)
			sameLoad(t, name, prev, r)
			// A check with a key_unused warning is read again, for its
			// warning's line; every other one is taken as it runs.
			warned := map[string]bool{}
			for _, u := range prev.Unused {
				warned[u.Check] = true
			}
			var want []string
			for _, c := range prev.Checks {
				if !warned[c.Name] {
					want = append(want, c.Name)
				}
			}
			slices.Sort(r.asked)
			if !slices.Equal(r.asked, want) {
				t.Errorf("asked the engine for %q, want %q", r.asked, want)
			}
		})
	}
}

// As root, the files an unchanged check names are judged again: a script
// another user could now change rejects the load as a first load would.
func TestLoadAfterJudgesFilesAgainAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the root-safety rules look at owners: run as root")
	}
	dir := t.TempDir()
	if problems, _ := walk(dir); len(problems) > 0 {
		t.Skipf("the temporary folder is not safe itself: %s", problems[0])
	}
	script := filepath.Join(dir, "fix.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := write(t, dir, memoBase+"[check.a]\ncommand = \"true\"\nfail = \"fix.sh\"\n")
	prev := sameLoadAs(t, path, true, nil, &running{})
	if prev == nil {
		t.Fatal("the first load failed")
	}
	if err := os.Chmod(script, 0o757); err != nil {
		t.Fatal(err)
	}
	r := runningOf(prev)
	if cfg := sameLoadAs(t, path, true, prev, r); cfg != nil {
		t.Fatal("a script others can write was accepted")
	}
}

// FuzzLoadAfter loads one file, then another in its place: LoadAfter, with
// the first as the configuration in force, must give what Load gives. The
// seeds are the test data, each after itself and after a valid file.
func FuzzLoadAfter(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.toml")
	full, err := os.ReadFile("testdata/valid-full.toml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, b)
		f.Add(full, b)
	}
	f.Fuzz(func(t *testing.T, before, after []byte) {
		// In testdata's folder, so that its scripts and includes are found.
		dir, err := filepath.Abs("testdata")
		if err != nil {
			t.Fatal(err)
		}
		// One input at a time across the fuzzing workers (processes of
		// their own): an include glob such as "*" would find another
		// worker's file in the folder, there for one load and gone for the
		// next.
		lock, err := os.OpenFile(filepath.Join(os.TempDir(), "heatd-fuzz-load-after.lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close()
		if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
			t.Fatal(err)
		}
		file, err := os.CreateTemp(dir, "fuzz-*.toml")
		if err != nil {
			t.Fatal(err)
		}
		path := file.Name()
		file.Close()
		defer os.Remove(path)
		if err := os.WriteFile(path, before, 0o644); err != nil {
			t.Fatal(err)
		}
		prev, err := loadAs(path, false)
		if err != nil {
			return
		}
		if err := os.WriteFile(path, after, 0o644); err != nil {
			t.Fatal(err)
		}
		sameLoad(t, path, prev, runningOf(prev))
	})
}

// A check taken as it runs, its table not decoded, still counts in the
// depends_on walk with its own list: a changed check that closes a cycle
// through it, or names it, is judged as Load judges it.
func TestLoadAfterDependsOnTakenChecks(t *testing.T) {
	dir := t.TempDir()
	checks := "\n[check.a]\ncommand = \"true\"\ndepends_on = [\"b\"]\n\n[check.b]\ncommand = \"true\"\n\n[check.c]\ncommand = \"true\"\ndepends_on = []\n"
	path := write(t, dir, memoBase+checks)
	prev := sameLoad(t, path, nil, &running{})
	for _, changed := range []string{
		strings.Replace(checks, "[check.b]\n", "[check.b]\ndepends_on = [\"a\"]\n", 1),
		strings.Replace(checks, "[check.b]\n", "[check.b]\ndepends_on = [\"c\"]\n", 1),
		strings.Replace(checks, "[check.b]\n", "[check.b]\ndepends_on = [\"d\"]\n", 1),
	} {
		write(t, dir, memoBase+changed)
		r := runningOf(prev)
		sameLoad(t, path, prev, r)
		if !slices.Contains(r.asked, "a") {
			t.Errorf("check a was not taken as it runs: asked for %q", r.asked)
		}
	}
}
