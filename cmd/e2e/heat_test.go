package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// HEAT's quick start, option 4: an HTTP check failing while its server is
// down, a recovery that starts the server, HUP on each failure, USR1 before
// the recovery and USR2 once it is verified.
func TestHeatQuickStart(t *testing.T) {
	if _, err := os.Stat("/usr/bin/curl"); err != nil {
		t.Skip("curl is not installed")
	}
	dir := t.TempDir()
	port := freePort(t)
	pidfile := filepath.Join(dir, "heartbeat.pid")
	t.Cleanup(func() { killPidfile(pidfile) })
	script(t, filepath.Join(dir, "recover"), fmt.Sprintf(
		"echo recovering after $HEAT_FAIL_CNT failures\n%s -listen 127.0.0.1:%d -pidfile %s >/dev/null 2>&1 &\nsleep 0.5\n",
		filepath.Join(bin, "heartbeat"), port, pidfile))
	recv, pid := receiver(t, dir)

	heat := start(t, dir, "heat", "-i", "0.5", "--pid", fmt.Sprint(pid), "--recovery", "./recover",
		"--threshold", "3", "--recovery-timeout", "5", "--fault-signal", "USR1", "--success-signal", "USR2",
		"curl", "-sf", fmt.Sprintf("127.0.0.1:%d", port))
	out := heat.waitFor("two OK lines", 15*time.Second, false, func(l []string) bool {
		return countSuffix(l, ": OK") >= 2
	})
	if code := heat.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heat exited %d after SIGTERM, want 0", code)
	}

	line := regexp.MustCompile(`^\d{10}: (OK|Failed: Exit Code 7, details in heat\.log)$`)
	var kinds []string
	for _, l := range out {
		if !line.MatchString(l) {
			t.Errorf("stdout line %q is not HEAT's", l)
		}
		kinds = append(kinds, strings.SplitN(l, ": ", 2)[1][:2])
	}
	if want := []string{"Fa", "Fa", "Fa", "OK", "OK"}; !slices.Equal(kinds[:5], want) {
		t.Errorf("stdout %v, want three failures then OK", out)
	}
	want := []string{"Signal Received: SIGHUP", "Signal Received: SIGHUP", "Signal Received: SIGHUP",
		"Signal Received: SIGUSR1", "Signal Received: SIGUSR2"}
	got := recv.waitFor("the signals", 5*time.Second, false, func(l []string) bool { return len(l) >= 6 })
	// The third HUP and the USR1 leave heat within a millisecond, and the
	// receiver may see two different signals that arrive together in
	// either order.
	swapped := slices.Clone(want)
	swapped[2], swapped[3] = swapped[3], swapped[2]
	if !slices.Equal(got[1:], want) && !slices.Equal(got[1:], swapped) {
		t.Errorf("receiver got %q, want %q", got[1:], want)
	}
	log, err := os.ReadFile(filepath.Join(dir, "heat.log"))
	if err != nil {
		t.Fatal(err)
	}
	// heat's own lines carry the run's time; the script's output sits
	// between them as the script wrote it.
	wantLog := regexp.MustCompile(`^\d{10}: recovery script started \(attempt 1\)\n` +
		`recovering after 3 failures\n` +
		`\d{10}: recovery script exited with code 0\n$`)
	if !wantLog.Match(log) {
		t.Errorf("heat.log:\n%s", log)
	}
}

func countSuffix(lines []string, suffix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasSuffix(l, suffix) {
			n++
		}
	}
	return n
}

// Options end at the first word that is not one: the rest is the command,
// its own options included.
func TestHeatCommandKeepsItsOptions(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "present"), nil, 0o644)
	heat := start(t, dir, "heat", "-i", "200ms", "test", "-f", "present", "-a", "-d", ".")
	heat.waitFor("an OK line", 5*time.Second, false, func(l []string) bool { return len(l) >= 1 })
	heat.stop(syscall.SIGINT)
	if l := heat.lines(false); !strings.HasSuffix(l[0], ": OK") {
		t.Errorf("stdout %q, want OK", l)
	}

	heat = start(t, dir, "heat", "-i", "200ms", "--", "sh", "-c", "'echo broken >&2; exit 3'")
	heat.waitFor("a failure", 5*time.Second, false, func(l []string) bool { return len(l) >= 2 })
	heat.stop(syscall.SIGTERM)
	if l := heat.lines(false); !strings.HasSuffix(l[0], ": Failed: Exit Code 3, details in heat.log") {
		t.Errorf("stdout %q, want exit code 3", l)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "heat.log"))
	if !regexp.MustCompile(`^\d{10}: broken\n\d{10}: broken\n`).Match(log) {
		t.Errorf("heat.log %q", log)
	}
}

func TestHeatFailScriptEnvironment(t *testing.T) {
	dir := t.TempDir()
	script(t, filepath.Join(dir, "fail"), "env | grep ^HEAT_ | sort > env.out\n")
	heat := start(t, dir, "heat", "-i", "0.5", "--fail", "./fail", "exit 7")
	heat.waitFor("a failure", 5*time.Second, false, func(l []string) bool { return len(l) >= 1 })
	deadline := time.Now().Add(5 * time.Second)
	var env []byte
	for time.Now().Before(deadline) {
		if env, _ = os.ReadFile(filepath.Join(dir, "env.out")); len(env) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	heat.stop(syscall.SIGTERM)
	first := heat.lines(false)[0]
	unix := first[:strings.IndexByte(first, ':')]
	got := strings.Split(strings.TrimSpace(string(env)), "\n")
	want := []string{"HEAT_CHECK=heat", "HEAT_FAIL_CODE=7", "HEAT_FAIL_INTERVAL=0.5", "HEAT_FAIL_PID=",
		"HEAT_FAIL_TIME=" + unix}
	if len(got) != len(want) {
		t.Fatalf("env %q, want %q", got, want)
	}
	for i := range want {
		if want[i] == "HEAT_FAIL_PID=" {
			if !regexp.MustCompile(`^HEAT_FAIL_PID=\d+$`).MatchString(got[i]) {
				t.Errorf("%q, want a pid", got[i])
			}
		} else if got[i] != want[i] {
			t.Errorf("%q, want %q", got[i], want[i])
		}
	}
}

func TestHeatRefusals(t *testing.T) {
	dir := t.TempDir()
	script(t, filepath.Join(dir, "check"), "exit 0\n")
	os.WriteFile(filepath.Join(dir, "plain"), []byte("#!/bin/sh\n"), 0o644)
	for _, c := range []struct {
		args        []string
		stdout, err string
		code        int
	}{
		{[]string{"-s", "./check", "echo", "hi"}, "Error: use either script or command\n", "", 1},
		{[]string{"-s", "./plain"}, "Failed: ./plain not executable\n", "", 1},
		{[]string{"-s", "./missing"}, "Failed: ./missing not executable\n", "", 1},
		{[]string{"--fail", "./plain", "true"}, "Failed: ./plain not executable\n", "", 1},
		{[]string{"--recovery", "./plain", "--threshold", "2", "true"}, "Failed: ./plain not executable\n", "", 1},
		{[]string{"--pid", "1", "true"}, "", "heat: --pid 1: not a process heat may signal\n", 1},
		{[]string{"--pid", "0", "true"}, "", "heat: --pid 0: not a process heat may signal\n", 1},
		{[]string{"--pid", "-5", "true"}, "", "heat: --pid -5: not a process heat may signal\n", 1},
		{[]string{"--pid", "4194303", "true"}, "", "heat: --pid 4194303: no such process\n", 1},
		{[]string{"-x", "true"}, "", "heat: unknown option -x\n", 2},
		{[]string{"-i", "soon", "true"}, "", "heat: option -i: \"soon\" is not a number of seconds or a duration such as 500ms\n", 2},
		{[]string{"-i", "0", "true"}, "", "heat: option -i: must be more than 0\n", 2},
		{[]string{"--threshold"}, "", "heat: option --threshold needs a value\n", 2},
		{[]string{}, "", "heat: give a COMMAND or -s SCRIPT\n", 2},
		{[]string{"--signal", "USR1", "true"}, "", "heat: --signal needs --pid: the signal has no process to go to\n", 2},
	} {
		stdout, stderr, code := run(t, dir, "heat", c.args...)
		if stdout != c.stdout || code != c.code || !strings.HasPrefix(stderr, c.err) {
			t.Errorf("heat %q: stdout %q, stderr %q, exit %d\nwant stdout %q, stderr starting %q, exit %d",
				c.args, stdout, stderr, code, c.stdout, c.err, c.code)
		}
	}
}
