package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// growerEnv makes the test binary a grower, a service that leaks: it
// writes its pid to the pidfile this names, then takes growStep more
// memory every growEvery, up to growMax, and ends after growLife (so a
// test that dies leaves nothing running for long).
const growerEnv = "HEATD_E2E_GROWER"

const (
	growStep  = 8 << 20
	growEvery = 100 * time.Millisecond
	growMax   = 160 << 20
	growLife  = time.Minute
)

// grow is the grower.
func grow(pidfile string) {
	tmp := pidfile + ".new"
	if os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644) != nil || os.Rename(tmp, pidfile) != nil {
		os.Exit(1)
	}
	var held [][]byte
	end := time.Now().Add(growLife)
	for time.Now().Before(end) {
		if len(held)*growStep < growMax {
			b := make([]byte, growStep)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1 // touched: resident, not only reserved
			}
			held = append(held, b)
		}
		time.Sleep(growEvery)
	}
	runtime.KeepAlive(held)
}

// A process check restarts a service that leaks: once it holds more than
// max_rss for threshold runs, the recovery restarts it, the new one is
// verified, and the heat log says how much the old one held.
func TestHeatdProcessRestartsALeak(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "svc.pid")
	t.Cleanup(func() { killPidfile(pidfile) })
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The restart ends the old one, starts a new one, and waits for its
	// pidfile, as a service manager's restart would.
	script(t, filepath.Join(dir, "restart"), fmt.Sprintf(`
old=$(cat svc.pid)
kill "$old"
%s=%s %s </dev/null >/dev/null 2>&1 &
while [ "$(cat svc.pid)" = "$old" ]; do sleep 0.02; done
echo "restarted $old" >> restarts
`, growerEnv, pidfile, self))
	grower := exec.Command(self)
	grower.Dir, grower.Env = dir, append(os.Environ(), growerEnv+"="+pidfile)
	launch(t, grower)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(pidfile); err == nil && len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the service never wrote its pidfile")
		}
	}
	firstPID := readPID(t, pidfile)
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, `
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"

[check.svc]
process = true
pidfile = "svc.pid"
max_rss = "64MiB"
interval = "200ms"
threshold = 3
recovery = "restart"
`)
	heatd := start(t, dir, "heatd", "-c", config)
	l := heatd.waitFor("a restart and its verification", 30*time.Second, true, atLeast(1, "recovered", "svc"))
	failed := withMsg(l, "check_failed", "svc")
	if len(failed) < 3 {
		t.Fatalf("%d failed runs before the recovery, want 3", len(failed))
	}
	over := regexp.MustCompile(`^process ` + strconv.Itoa(firstPID) + `: rss \d+(\.\d)? MiB over max_rss 64 MiB$`)
	for _, e := range failed[:3] {
		if num(e, "exit_code") != 2 || !over.MatchString(str(e, "output")) {
			t.Errorf("check_failed %v; want code 2 and the rss over max_rss", e)
		}
	}
	if ev := withMsg(l, "recovery_started", "svc"); len(ev) != 1 || num(ev[0], "consecutive_failures") != 3 {
		t.Errorf("recovery_started %v; want one, after 3 failures", ev)
	}
	restarts, _ := os.ReadFile(filepath.Join(dir, "restarts"))
	if string(restarts) != "restarted "+strconv.Itoa(firstPID)+"\n" {
		t.Errorf("restarts:\n%s", restarts)
	}
	if syscall.Kill(firstPID, 0) == nil && !strings.Contains(state(firstPID), "Z") {
		t.Errorf("the leaking process %d still runs", firstPID)
	}
	if newPID := readPID(t, pidfile); newPID == firstPID {
		t.Errorf("the pidfile still names %d", firstPID)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "svc.log"))
	if !regexp.MustCompile(`(?m)^\d{10}: process ` + strconv.Itoa(firstPID) + `: rss \d+(\.\d)? MiB over max_rss 64 MiB$`).Match(log) {
		t.Errorf("the heat log lacks the rss over max_rss:\n%s", log)
	}
	t.Logf("the heat log:\n%s", log)
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
}

// readPID reads the pid a pidfile holds.
func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %q", path, b)
	}
	return pid
}

// state is the state letter of pid in /proc ("Z" for a zombie), or "".
func state(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])[0]
}
