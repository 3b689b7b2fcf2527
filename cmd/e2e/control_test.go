package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// heatctl run by a user with access to the socket (its group) but not
// root: status and beat answer; pause, resume, run and reload are refused
// with a message that says root is needed, exit 1, as heatd read the uid
// from the connection itself (SO_PEERCRED). Root may pause and resume.
func TestVerbsNeedRoot(t *testing.T) {
	requireRoot(t, "to run heatctl as another user against heatd as root")
	// root's folder, which uid 65534 may reach, as it may run heatctl.
	dir := t.TempDir()
	for _, d := range []string{bin, filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, `
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
state_file = "state.json"
[check.web]
command = "true"
interval = "1h"
[check.job]
heartbeat = "1h"
`)
	heatd := start(t, dir, "heatd", "-c", config)
	defer heatd.stop(syscall.SIGTERM)
	heatd.waitFor("config_loaded", 10*time.Second, true, func(l []string) bool { return count(l, "config_loaded", "") == 1 })
	sock := filepath.Join(dir, "heatd.sock")

	// uid 65534 in group 0, the socket's group: it may connect.
	asUser := func(args ...string) (string, string, int) {
		cmd := exec.Command(filepath.Join(bin, "heatctl"), append([]string{"-s", sock}, args...)...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: faultNobody, Gid: 0, Groups: []uint32{}}}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatal(err)
			}
		}
		return o.String(), e.String(), cmd.ProcessState.ExitCode()
	}
	if out, errs, code := asUser("status", "web"); code != 0 || !strings.Contains(out, "web") {
		t.Errorf("status as uid 65534: exit %d, %q %q", code, out, errs)
	}
	if _, errs, code := asUser("beat", "job"); code != 0 {
		t.Errorf("beat as uid 65534: exit %d, %q", code, errs)
	}
	for _, verb := range [][]string{{"pause", "web"}, {"resume", "--all"}, {"run", "web"}, {"reload"}} {
		out, errs, code := asUser(verb...)
		if want := "heatctl: " + verb[0] + " needs root: you are uid 65534 (run heatctl with sudo)\n"; code != 1 || out != "" || errs != want {
			t.Errorf("%s as uid 65534: exit %d, stdout %q, stderr %q; want 1 and %q", verb, code, out, errs, want)
		}
	}
	if n := count(heatd.lines(true), "check_paused", ""); n != 0 {
		t.Errorf("%d check_paused events after refused pauses", n)
	}

	out, errs, code := run(t, dir, "heatctl", "-s", sock, "pause", "web", "--reason", "deploy")
	if code != 0 || out != "paused web\n" {
		t.Errorf("pause as root: exit %d, %q %q", code, out, errs)
	}
	heatd.waitFor("check_paused", 5*time.Second, true, func(l []string) bool {
		for _, e := range events(l) {
			if e["msg"] == "check_paused" && e["check"] == "web" && e["uid"] == 0.0 && e["reason"] == "deploy" {
				return true
			}
		}
		return false
	})
	if _, errs, code := run(t, dir, "heatctl", "-s", sock, "pause", "wbe"); code != 1 || errs != "heatctl: no check named \"wbe\" (did you mean \"web\"?)\n" {
		t.Errorf("pause of an unknown name: exit %d, %q", code, errs)
	}
	if _, errs, code := run(t, dir, "heatctl", "-s", sock, "pause", "web", "--for", "soon"); code != 2 || !strings.Contains(errs, `not "soon"`) {
		t.Errorf("pause --for soon: exit %d, %q", code, errs)
	}
	if out, _, code := run(t, dir, "heatctl", "-s", sock, "resume", "web"); code != 0 || out != "resumed web\n" {
		t.Errorf("resume as root: exit %d, %q", code, out)
	}
	heatd.waitFor("check_resumed", 5*time.Second, true, func(l []string) bool { return count(l, "check_resumed", "web") == 1 })
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "web.log"))
	if !strings.Contains(string(log), ": paused by uid 0: deploy\n") || !strings.Contains(string(log), ": resumed by uid 0\n") {
		t.Errorf("the heat log:\n%s", log)
	}
}
