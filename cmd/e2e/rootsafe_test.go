package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Root safety end to end: heatd -t refuses what others could change,
// strict_permissions = false is a warning on stderr and a config_warning
// event at start and at each reload, and a pidfile naming another user's
// process is refused at send, as a signal_failed event.
func TestHeatdRootSafety(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("root safety applies as root: run the tests as root to cover it")
	}
	dir := t.TempDir()
	recover := script(t, filepath.Join(dir, "recover"), "true\n")
	if err := os.Chmod(recover, 0o775); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "heat.toml")
	write := func(daemon string) {
		text := "[daemon]\n" + daemon + `
log_dir = "logs"
control_socket = "heatd.sock"

[check.web]
command = "true"
recovery = "recover"
threshold = 3
`
		if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write("")
	stdout, stderr, code := run(t, dir, "heatd", "-t", "-c", config)
	want := config + `:8: check "web": key "recovery": ` + recover + " is writable by group or others: chmod go-w " + recover + "\n"
	if stdout != "" || stderr != want || code != 1 {
		t.Errorf("heatd -t: stdout %q, stderr %q, exit %d\nwant \"\", %q, 1", stdout, stderr, code, want)
	}

	write("strict_permissions = false")
	warning := config + `:2: [daemon] key "strict_permissions" is false: ` +
		"heatd run as root accepts config files, scripts and pidfiles that other users could change"
	stdout, stderr, code = run(t, dir, "heatd", "-t", "-c", config)
	if stdout != "config OK: 1 check\n" || stderr != "warning: "+warning+"\n" || code != 0 {
		t.Errorf("heatd -t: stdout %q, stderr %q, exit %d\nwant %q, %q, 0", stdout, stderr, code,
			"config OK: 1 check\n", "warning: "+warning+"\n")
	}

	heatd := start(t, dir, "heatd", "-c", config)
	warned := func(n int) func([]string) bool {
		return func(l []string) bool { return count(l, "config_warning", "") == n }
	}
	heatd.waitFor("a config_warning at start", 5*time.Second, true, warned(1))
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	heatd.waitFor("a config_warning at the reload", 5*time.Second, true, warned(2))
	for _, e := range events(heatd.lines(true)) {
		if e["msg"] == "config_warning" && (e["level"] != "warn" || e["warning"] != warning) {
			t.Errorf("config_warning event %v", e)
		}
	}
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
}

// A pidfile of another user naming root's process: heatd signals it not.
func TestHeatdStrictPidfile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("strict pidfiles apply as root: run the tests as root to cover them")
	}
	dir := t.TempDir()
	recv, pid := receiver(t, dir)
	pidfile := filepath.Join(dir, "web.pid")
	if err := os.WriteFile(pidfile, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(pidfile, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "heat.toml")
	os.WriteFile(config, []byte(`[daemon]
log_dir = "logs"
control_socket = "heatd.sock"

[check.web]
command = "false"
interval = "200ms"
pidfile = "web.pid"
signal = "USR1"
`), 0o644)
	heatd := start(t, dir, "heatd", "-c", config)
	l := heatd.waitFor("a refused signal", 5*time.Second, true, func(l []string) bool {
		return count(l, "signal_failed", "web") > 0
	})
	for _, e := range events(l) {
		if e["msg"] == "signal_failed" {
			if err, _ := e["error"].(string); !strings.Contains(err, "runs as uid 0, not as the pidfile's owner (uid 65534): refused") {
				t.Errorf("signal_failed event %v", e)
			}
			break
		}
	}
	heatd.stop(syscall.SIGTERM)
	if got := recv.lines(false); len(got) > 1 {
		t.Errorf("the receiver was signalled: %q", got)
	}
}
