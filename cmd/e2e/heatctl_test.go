package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestHeatctlAgainstHeatd(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "run", "heatd.sock")
	config := filepath.Join(dir, "heat.toml")
	write := func(extra string) {
		os.WriteFile(config, []byte(`
[daemon]
log_dir = "logs"
control_socket = "run/heatd.sock"
[check.db]
command = "true"
interval = "200ms"
[check.web]
command = "exit 7"
interval = "200ms"
`+extra), 0o644)
	}
	write("")
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("two failures", 10*time.Second, true, func(l []string) bool {
		return count(l, "check_failed", "web") >= 2
	})
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o660 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket %v %v, want a socket of mode 0660", fi, err)
	}

	out, _, code := run(t, dir, "heatctl", "-s", sock, "status")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !regexp.MustCompile(`^NAME +STATE +FAILURES +LAST +LAST RUN +NEXT RUN +RECOVERIES$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^db +healthy +0 +ok \(0\) +\d+s ago +in \d+s +0$`).MatchString(lines[1]) ||
		!regexp.MustCompile(`^web +failing +\d+ +failed \(7\) +\d+s ago +in \d+s +0$`).MatchString(lines[2]) {
		t.Errorf("heatctl status (exit %d):\n%s", code, out)
	}

	out, _, code = run(t, dir, "heatctl", "-s", sock, "status", "--json", "web")
	var reply struct {
		Checks []map[string]any `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &reply); err != nil || code != 0 || len(reply.Checks) != 1 {
		t.Fatalf("heatctl status --json web (exit %d): %v\n%s", code, err, out)
	}
	web := reply.Checks[0]
	if web["name"] != "web" || web["state"] != "failing" || web["last_exit_code"] != 7.0 || web["last_result"] != "failed" {
		t.Errorf("web: %v", web)
	}
	for _, key := range []string{"consecutive_failures", "last_run", "next_run", "runs", "failures", "recoveries"} {
		if _, ok := web[key]; !ok {
			t.Errorf("the JSON lacks %s: %v", key, web)
		}
	}
	if _, err := time.Parse(time.RFC3339, web["last_run"].(string)); err != nil {
		t.Errorf("last_run: %v", err)
	}

	if _, stderr, code := run(t, dir, "heatctl", "-s", sock, "status", "nope"); code != 1 || !strings.Contains(stderr, "nope") {
		t.Errorf("an unknown name: exit %d, %q", code, stderr)
	}

	// A second heatd on the same socket is refused, and the first goes on.
	_, stderr, code := run(t, dir, "heatd", "-c", config)
	if code != 1 || !strings.Contains(stderr, "in use by another heatd") {
		t.Errorf("a second heatd: exit %d, %q", code, stderr)
	}

	// Reloads through heatctl: applied, then rejected with the reason.
	write("[check.new]\ncommand = \"true\"\ninterval = \"1h\"\n")
	if out, _, code := run(t, dir, "heatctl", "-s", sock, "reload"); code != 0 || out != "reload applied\n" {
		t.Errorf("reload: exit %d, %q", code, out)
	}
	if out, _, _ := run(t, dir, "heatctl", "-s", sock, "status", "new"); !strings.Contains(out, "new") {
		t.Errorf("the added check is not there:\n%s", out)
	}
	write("[check.bad]\ntreshold = 1\n")
	_, stderr, code = run(t, dir, "heatctl", "-s", sock, "reload")
	if code != 1 || !strings.Contains(stderr, "reload rejected") || !strings.Contains(stderr, `key "treshold" is not known`) {
		t.Errorf("a rejected reload: exit %d, %q", code, stderr)
	}

	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("the socket outlived heatd: %v", err)
	}
	if _, stderr, code := run(t, dir, "heatctl", "-s", sock, "status"); code != 3 || !strings.Contains(stderr, "no heatd answers") {
		t.Errorf("no daemon: exit %d, %q", code, stderr)
	}
}

// A socket left behind by a crash is replaced.
func TestHeatdReplacesAStaleSocket(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	os.WriteFile(config, []byte("[daemon]\nlog_dir = \"logs\"\ncontrol_socket = \"heatd.sock\"\n[check.a]\ncommand = \"true\"\ninterval = \"1h\"\n"), 0o644)
	heatd := start(t, dir, "heatd", "-c", config)
	sock := filepath.Join(dir, "heatd.sock")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no socket")
		}
		time.Sleep(20 * time.Millisecond)
	}
	heatd.cmd.Process.Signal(syscall.SIGKILL) // a crash: the socket stays
	<-heatd.done
	heatd.cmd.Wait()
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("the crash removed the socket: %v", err)
	}
	heatd = start(t, dir, "heatd", "-c", config)
	deadline = time.Now().Add(5 * time.Second)
	for {
		if out, _, code := run(t, dir, "heatctl", "-s", sock, "status"); code == 0 && strings.Contains(out, "healthy") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new heatd does not answer:\n%s", strings.Join(heatd.lines(true), "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	heatd.stop(syscall.SIGTERM)
}
