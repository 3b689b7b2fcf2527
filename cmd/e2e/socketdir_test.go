package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A control socket folder that heatd made at start (a missing /run/heatd,
// here a folder under the test's own) is removed at stop, empty as heatd
// leaves it, with any folder it made above it; one that was there before
// stays.
func TestSocketFolderRemovedAtStop(t *testing.T) {
	for _, c := range []struct {
		name    string
		premade bool
	}{{"made by heatd", false}, {"there before", true}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			run := filepath.Join(dir, "run")
			if c.premade {
				if err := os.MkdirAll(filepath.Join(run, "heatd"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			config := filepath.Join(dir, "heat.toml")
			writeConfig(t, config, "[daemon]\nlog_dir = \"log\"\ncontrol_socket = \"run/heatd/heatd.sock\"\n\n[check.web]\ncommand = \"true\"\n")
			heatd := start(t, dir, "heatd", "-c", config)
			heatd.waitFor("config_loaded", 10*time.Second, true, func(l []string) bool { return count(l, "config_loaded", "") == 1 })
			if _, err := os.Stat(filepath.Join(run, "heatd", "heatd.sock")); err != nil {
				t.Fatalf("the control socket: %v", err)
			}
			if code := heatd.stop(syscall.SIGTERM); code != 0 {
				t.Fatalf("heatd stopped with %d; stderr:\n%s", code, strings.Join(heatd.lines(true), "\n"))
			}
			_, err := os.Stat(run)
			switch {
			case c.premade && err != nil:
				t.Errorf("the folder that was there before heatd: %v", err)
			case c.premade:
				if left, _ := os.ReadDir(filepath.Join(run, "heatd")); len(left) != 0 {
					t.Errorf("left in the socket folder: %v", left)
				}
			case !os.IsNotExist(err):
				t.Errorf("the folders heatd made for its socket are still there (%v)", err)
			}
		})
	}
}

// A reload that moves the control socket removes, once the old socket
// has closed, the folder heatd made for it; the new one goes at stop.
func TestSocketFolderRemovedWhenMoved(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	text := "[daemon]\nlog_dir = \"log\"\ncontrol_socket = \"%s/heatd.sock\"\n\n[check.web]\ncommand = \"true\"\n"
	writeConfig(t, config, fmt.Sprintf(text, "old"))
	heatd := start(t, dir, "heatd", "-c", config)
	loaded := func(n int) func([]string) bool {
		return func(l []string) bool { return count(l, "config_loaded", "") == n }
	}
	heatd.waitFor("config_loaded", 10*time.Second, true, loaded(1))
	writeConfig(t, config, fmt.Sprintf(text, "new"))
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	heatd.waitFor("the reload", 10*time.Second, true, loaded(2))
	if _, err := os.Stat(filepath.Join(dir, "new", "heatd.sock")); err != nil {
		t.Fatalf("the moved socket: %v", err)
	}
	// The old socket closes after the answers in flight, within a second.
	deadline := time.Now().Add(5 * time.Second)
	for _, err := os.Stat(filepath.Join(dir, "old")); err == nil; _, err = os.Stat(filepath.Join(dir, "old")) {
		if time.Now().After(deadline) {
			left, _ := os.ReadDir(filepath.Join(dir, "old"))
			t.Fatalf("the old socket's folder is still there, holding %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("heatd stopped with %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); !os.IsNotExist(err) {
		t.Errorf("the new socket's folder after the stop: %v", err)
	}
}
