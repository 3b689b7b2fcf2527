package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A heartbeat check with the built heatd and heatctl: ok while beats come,
// `no heartbeat for 1s` once they stop, ok again at the next beat, whether
// it comes through heatctl or POST /beat/NAME on metrics_listen; a failed
// job's report fails the next run with its code, its message in the heat
// log. A name that is no heartbeat check's is refused either way.
func TestHeartbeatBothWays(t *testing.T) {
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	sock := filepath.Join(dir, "heatd.sock")
	config := filepath.Join(dir, "heat.toml")
	os.WriteFile(config, []byte(fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
metrics_listen = %q
[check.backup]
heartbeat = "1s"
interval = "100ms"
[check.web]
command = "true"
interval = "1h"
`, addr)), 0o644)
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("the metrics listener", 10*time.Second, true, func([]string) bool {
		_, err := scrapeOnce(addr)
		return err == nil
	})
	failed := func() []event { return withMsg(heatd.lines(true), "check_failed", "backup") }

	// Beats every 300 ms for 2 s: never a failure.
	for range 7 {
		if out, errs, code := run(t, dir, "heatctl", "-s", sock, "beat", "backup"); code != 0 || out != "" || errs != "" {
			t.Fatalf("heatctl beat: exit %d, stdout %q, stderr %q", code, out, errs)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if f := failed(); len(f) != 0 {
		t.Fatalf("failed while beats came: %v", f)
	}

	// No beat for 1 s: code 1, said in the event and the heat log.
	heatd.waitFor("no heartbeat", 5*time.Second, true, atLeast(1, "check_failed", "backup"))
	if e := failed()[0]; num(e, "exit_code") != 1 || str(e, "output") != "no heartbeat for 1s" {
		t.Errorf("the failure: %v", e)
	}
	waitFile(t, filepath.Join(dir, "logs", "backup.log"), "no heartbeat for 1s")
	heatLog(t, filepath.Join(dir, "logs", "backup.log"), `(?m)^\d+: no heartbeat for 1s$`)

	// A POST on the metrics listener is a beat: the check is ok again.
	post := func(path, body string) int {
		t.Helper()
		resp, err := http.Post("http://"+addr+path, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/beat/backup", ""); code != http.StatusNoContent {
		t.Fatalf("POST /beat/backup: %d", code)
	}
	waitHealthy := func(how string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			out, _, _ := run(t, dir, "heatctl", "-s", sock, "status", "backup")
			if strings.Contains(out, "healthy") && strings.Contains(out, "ok (0)") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after %s, status:\n%s", how, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitHealthy("a POST")

	// A failed job, through heatctl: the next run fails with its code and
	// message.
	before := len(failed())
	if _, errs, code := run(t, dir, "heatctl", "-s", sock, "beat", "backup", "--fail", "3", "--message", "disk full"); code != 0 {
		t.Fatalf("heatctl beat --fail: exit %d, %q", code, errs)
	}
	heatd.waitFor("the failed job", 5*time.Second, true, atLeast(before+1, "check_failed", "backup"))
	if e := failed()[before]; num(e, "exit_code") != 3 || str(e, "output") != "disk full" {
		t.Errorf("the failed job's run: %v", e)
	}
	waitFile(t, filepath.Join(dir, "logs", "backup.log"), "disk full")
	heatLog(t, filepath.Join(dir, "logs", "backup.log"), `(?m)^\d+: disk full$`)
	waitHealthy("the failed job's run")

	// And through POST, ?fail=CODE with the message as body.
	before = len(failed())
	if code := post("/beat/backup?fail=4", "tape jammed\n"); code != http.StatusNoContent {
		t.Fatalf("POST /beat/backup?fail=4: %d", code)
	}
	heatd.waitFor("the failed job", 5*time.Second, true, atLeast(before+1, "check_failed", "backup"))
	if e := failed()[before]; num(e, "exit_code") != 4 || str(e, "output") != "tape jammed" {
		t.Errorf("the failed job's run: %v", e)
	}

	// No heartbeat check of that name: exit 1 / 404, saying which.
	for name, want := range map[string]string{"web": `check "web" is not a heartbeat check`, "nope": `no check named "nope"`} {
		if _, errs, code := run(t, dir, "heatctl", "-s", sock, "beat", name); code != 1 || !strings.Contains(errs, want) {
			t.Errorf("heatctl beat %s: exit %d, %q", name, code, errs)
		}
		if code := post("/beat/"+name, ""); code != http.StatusNotFound {
			t.Errorf("POST /beat/%s: %d", name, code)
		}
	}
	resp, err := http.Get("http://" + addr + "/beat/backup")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /beat/backup: %d", resp.StatusCode)
	}
}

// A beat needs no more than access to the control socket: a job running as
// a user other than root, in the socket's group, reports in.
func TestHeartbeatBeatNeedsOnlyTheSocket(t *testing.T) {
	requireRoot(t, "to run heatctl as another user")
	dir := t.TempDir()
	for _, d := range []string{bin, filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(dir, "heatd.sock")
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, "[daemon]\nlog_dir = \"logs\"\ncontrol_socket = \"heatd.sock\"\n[check.backup]\nheartbeat = \"1h\"\ninterval = \"100ms\"\n")
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("the socket", 10*time.Second, true, func([]string) bool {
		_, err := os.Stat(sock)
		return err == nil
	})
	if err := os.Chown(sock, -1, faultNobody); err != nil {
		t.Fatal(err)
	}
	cmd := asNobody(exec.Command(filepath.Join(bin, "heatctl"), "-s", sock, "beat", "backup", "--fail", "2"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("heatctl beat as uid %d: %v %s", faultNobody, err, out)
	}
	heatd.waitFor("the failed job's run", 10*time.Second, true, atLeast(1, "check_failed", "backup"))
}
