package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestHeatdCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.toml")
	os.WriteFile(good, []byte("[check.a]\ncommand = \"true\"\n[check.b]\ncommand = \"true\"\n"), 0o644)
	one := filepath.Join(dir, "one.toml")
	os.WriteFile(one, []byte("[check.a]\ncommand = \"true\"\n"), 0o644)
	empty := filepath.Join(dir, "empty.toml")
	os.WriteFile(empty, nil, 0o644)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[check.web]\ncommand = \"true\"\ntreshold = 3\n"), 0o644)

	for _, c := range []struct {
		args           []string
		stdout, stderr string
		code           int
	}{
		{[]string{"-t", "-c", good}, "config OK: 2 checks\n", "", 0},
		{[]string{"-t", "-c", one}, "config OK: 1 check\n", "", 0},
		{[]string{"-t", "-c", empty}, "config OK: 0 checks\n", "", 0},
		{[]string{"-t", "-c", bad}, "",
			bad + ":3: check \"web\": key \"treshold\" is not known (did you mean \"threshold\"?)\n", 1},
		{[]string{"-c", bad}, "",
			bad + ":3: check \"web\": key \"treshold\" is not known (did you mean \"threshold\"?)\n", 1},
		{[]string{"-version"}, "heatd dev\n", "", 0},
	} {
		stdout, stderr, code := run(t, dir, "heatd", c.args...)
		if stdout != c.stdout || stderr != c.stderr || code != c.code {
			t.Errorf("heatd %q: stdout %q, stderr %q, exit %d\nwant %q, %q, %d",
				c.args, stdout, stderr, code, c.stdout, c.stderr, c.code)
		}
	}
	if _, stderr, code := run(t, dir, "heatd", "-bogus"); code != 2 || !strings.Contains(stderr, "usage: heatd") {
		t.Errorf("a bad flag: exit %d, stderr %q", code, stderr)
	}
}

// heatd runs several checks at once, each with its actions, heat log and
// events, reloads as a difference, and stops cleanly.
func TestHeatdRunsReloadsAndStops(t *testing.T) {
	dir := t.TempDir()
	script(t, filepath.Join(dir, "fail"), "env | grep ^HEAT_ | sort > \"$HEAT_CHECK.env\"\necho fail script says hi\n")
	recv, pid := receiver(t, dir)
	config := filepath.Join(dir, "heat.toml")
	write := func(extra string) {
		os.WriteFile(config, []byte(fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
shutdown_grace = "2s"

[defaults]
interval = "300ms"

[check.broken]
command = "echo 'it broke' >&2; exit 3"
fail = "fail"
pid = %d
signal = "USR1"

[check.fine]
command = "true"
%s`, pid, extra)), 0o644)
	}
	write("")
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("three failures", 10*time.Second, true, func(l []string) bool {
		return count(l, "check_failed", "broken") >= 3 && count(l, "fail_script_done", "broken") >= 3
	})
	for _, e := range events(heatd.lines(true)) {
		if e["msg"] == "check_failed" {
			if e["check"] != "broken" || e["exit_code"] != 3.0 || e["output"] != "it broke" || e["level"] != "warn" {
				t.Errorf("check_failed event %v", e)
			}
		}
	}
	if n := count(heatd.lines(true), "check_failed", "fine"); n != 0 {
		t.Errorf("%d failures of the fine check", n)
	}
	recv.waitFor("USR1", 5*time.Second, false, func(l []string) bool {
		return len(l) > 1 && l[1] == "Signal Received: SIGUSR1"
	})
	env, _ := os.ReadFile(filepath.Join(dir, "broken.env"))
	if !regexp.MustCompile(`^HEAT_CHECK=broken\nHEAT_FAIL_CODE=3\nHEAT_FAIL_INTERVAL=0.3\nHEAT_FAIL_PID=\d+\nHEAT_FAIL_TIME=\d{10}\n$`).Match(env) {
		t.Errorf("fail script environment:\n%s", env)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "broken.log"))
	for _, re := range []string{`(?m)^\d{10}: it broke$`, `(?m)^\d{10}: fail script started$`,
		`(?m)^fail script says hi$`, `(?m)^\d{10}: fail script exited with code 0$`} {
		if !regexp.MustCompile(re).Match(log) {
			t.Errorf("heat log lacks %s:\n%s", re, log)
		}
	}

	// A reload that adds a check leaves the others running: the broken
	// check's count goes on from where it was.
	before := count(heatd.lines(true), "check_failed", "broken")
	write("[check.added]\ncommand = \"true\"\n")
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	heatd.waitFor("the reload", 5*time.Second, true, func(l []string) bool {
		return count(l, "config_loaded", "") >= 2 && count(l, "check_failed", "broken") >= before+2
	})
	var last float64
	for _, e := range events(heatd.lines(true)) {
		if e["msg"] == "check_failed" {
			if n := e["consecutive_failures"].(float64); n != last+1 {
				t.Errorf("consecutive_failures went from %v to %v", last, n)
			} else {
				last = n
			}
		}
		if e["msg"] == "config_loaded" && e["added"] != nil {
			if fmt.Sprint(e["added"]) != "[added]" || e["kept"] != 2.0 {
				t.Errorf("config_loaded %v", e)
			}
		}
	}

	// An invalid file changes nothing.
	os.WriteFile(config, []byte("[check.x]\nthreshold = 0\n"), 0o644)
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	heatd.waitFor("the rejected reload", 5*time.Second, true, func(l []string) bool {
		return count(l, "config_reload_failed", "") == 1
	})
	n := count(heatd.lines(true), "check_failed", "broken")
	heatd.waitFor("the checks going on", 5*time.Second, true, func(l []string) bool {
		return count(l, "check_failed", "broken") >= n+2
	})

	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d, want 0", code)
	}
	if count(heatd.lines(true), "stopping", "") != 1 {
		t.Errorf("no stopping event")
	}
}

// A stop gives a run under way its grace, then kills its process group;
// no check process outlives heatd.
func TestHeatdStopKillsWhatOverstaysTheGrace(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	os.WriteFile(config, []byte(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
shutdown_grace = "500ms"

[check.slow]
command = "echo $$ > slow.pid; trap '' TERM; sleep 60"
interval = "1h"
`), 0o644)
	heatd := start(t, dir, "heatd", "-c", config)
	var pid int
	deadline := time.Now().Add(5 * time.Second)
	for pid == 0 && time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(dir, "slow.pid"))
		fmt.Sscan(string(b), &pid)
		time.Sleep(20 * time.Millisecond)
	}
	if pid == 0 {
		t.Fatal("the check did not start")
	}
	began := time.Now()
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d, want 0", code)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("the stop took %v", d)
	}
	if groupAlive(pid) {
		t.Errorf("a process of the check's group outlived heatd")
	}
	if count(heatd.lines(true), "check_interrupted", "slow") != 1 {
		t.Errorf("no check_interrupted event:\n%s", strings.Join(heatd.lines(true), "\n"))
	}
}

// heatd outlives a broken stderr (journald restarted), and its checks still
// get SIGPIPE's default action: heatd catches the signal, it does not
// ignore it (an ignored signal would stay ignored in every check).
func TestHeatdSurvivesABrokenStderr(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	os.WriteFile(config, []byte(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
[check.pipe]
command = "kill -PIPE $$"
interval = "100ms"
`), 0o644)
	cmd := exec.Command(filepath.Join(bin, "heatd"), "-c", config)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"check_failed"`) {
			if !strings.Contains(sc.Text(), `"exit_code":141`) {
				t.Errorf("a check killed by SIGPIPE: %s", sc.Text())
			}
			break
		}
	}
	stderr.Close() // every later event is a write to a broken pipe
	time.Sleep(500 * time.Millisecond)
	if out, _, code := run(t, dir, "heatctl", "-s", filepath.Join(dir, "heatd.sock"), "status"); code != 0 ||
		!strings.Contains(out, "failed (141)") {
		t.Errorf("heatd after its stderr broke: exit %d\n%s", code, out)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("heatd: %v", err)
	}
}
