package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stateConfig is a check kept in a state file beside the config.
const stateConfig = `
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
state_file = "state/state.json"
[check.web]
command = "true"
interval = "1h"
[check.db]
command = "true"
interval = "1h"
`

// A pause outlives a kill -9 of heatd: the state file has it, written
// atomically as the pause was made, and the next heatd starts with it,
// as resume then shows; a check no longer configured is dropped from the
// file.
func TestPauseSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, stateConfig)
	sock := filepath.Join(dir, "heatd.sock")
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("config_loaded", 10*time.Second, true, func(l []string) bool { return count(l, "config_loaded", "") == 1 })
	if _, errs, code := run(t, dir, "heatctl", "-s", sock, "pause", "web", "db", "--reason", "maintenance"); code != 0 {
		t.Fatalf("pause: exit %d, %s", code, errs)
	}
	file := filepath.Join(dir, "state", "state.json")
	waitForFile(t, file, `"db":{"paused":`)
	heatd.stop(syscall.SIGKILL)

	writeConfig(t, config, strings.Replace(stateConfig, "[check.db]", "[check.db2]", 1))
	heatd = start(t, dir, "heatd", "-c", config)
	defer heatd.stop(syscall.SIGTERM)
	heatd.waitFor("config_loaded", 10*time.Second, true, func(l []string) bool { return count(l, "config_loaded", "") == 1 })
	waitForFile(t, file, `{"version":1,"checks":{"web":{"paused":`) // db is gone
	if out, errs, code := run(t, dir, "heatctl", "-s", sock, "resume", "web"); code != 0 || out != "resumed web\n" {
		t.Fatalf("resume: exit %d, %q %q", code, out, errs)
	}
	heatd.waitFor("check_resumed", 5*time.Second, true, func(l []string) bool { return count(l, "check_resumed", "web") == 1 })
	if n := count(heatd.lines(true), "state_file_ignored", ""); n != 0 {
		t.Errorf("%d state_file_ignored", n)
	}
}

// A corrupt state file is a warning and a fresh start, never a refusal
// to run; the next change replaces it.
func TestCorruptStateFile(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, stateConfig)
	file := filepath.Join(dir, "state", "state.json")
	os.Mkdir(filepath.Dir(file), 0o755)
	if err := os.WriteFile(file, []byte(`{"version":1,"checks":{"web":{"paused":`), 0o600); err != nil {
		t.Fatal(err)
	}
	heatd := start(t, dir, "heatd", "-c", config)
	defer heatd.stop(syscall.SIGTERM)
	lines := heatd.waitFor("config_loaded", 10*time.Second, true, func(l []string) bool { return count(l, "config_loaded", "") == 1 })
	if n := count(lines, "state_file_ignored", ""); n != 1 {
		t.Errorf("%d state_file_ignored before config_loaded, want 1:\n%s", n, strings.Join(lines, "\n"))
	}
	sock := filepath.Join(dir, "heatd.sock")
	if out, _, code := run(t, dir, "heatctl", "-s", sock, "status", "web"); code != 0 || !strings.Contains(out, "web") {
		t.Errorf("status after a corrupt state file: exit %d, %q", code, out)
	}
	if _, errs, code := run(t, dir, "heatctl", "-s", sock, "pause", "db"); code != 0 {
		t.Fatalf("pause: exit %d, %s", code, errs)
	}
	waitForFile(t, file, `{"version":1,"checks":{"db":{"paused":`)
}

// waitForFile waits until the file at path holds want.
func waitForFile(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %q, want %q in it", path, b, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A reload that moves state_file takes what heatd decided to the new file.
func TestReloadMovesTheStateFile(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, stateConfig)
	sock := filepath.Join(dir, "heatd.sock")
	heatd := start(t, dir, "heatd", "-c", config)
	defer heatd.stop(syscall.SIGTERM)
	heatd.waitFor("config_loaded", 10*time.Second, true, func(l []string) bool { return count(l, "config_loaded", "") == 1 })
	if _, errs, code := run(t, dir, "heatctl", "-s", sock, "pause", "web"); code != 0 {
		t.Fatalf("pause: exit %d, %s", code, errs)
	}
	writeConfig(t, config, strings.Replace(stateConfig, "state/state.json", "moved.json", 1))
	if out, errs, code := run(t, dir, "heatctl", "-s", sock, "reload"); code != 0 {
		t.Fatalf("reload: exit %d, %s%s", code, out, errs)
	}
	waitForFile(t, filepath.Join(dir, "moved.json"), `{"version":1,"checks":{"web":{"paused":`)
}
