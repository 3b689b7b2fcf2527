package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// heatctl pause during a recovery script: the script finishes, and nothing
// follows it (no verification run at once, no second attempt, no fail
// script for the failures that go on); the failures are counted. resume
// with the count past the threshold starts a recovery at once.
func TestPauseDuringARecoveryScript(t *testing.T) {
	b := startBounded(t, `
[check.svc]
command = "exit 3"
interval = "1s"
threshold = 2
fail = "fail"
recovery = "recover"
`, map[string]string{
		"fail":    "echo fail >> trace\n",
		"recover": "echo recovery start >> trace; sleep 2; echo recovery end >> trace\n",
	})
	trace := filepath.Join(b.dir, "trace")
	waitForFile(t, trace, "recovery start")
	if out, errs, code := run(t, b.dir, "heatctl", "-s", b.sock, "pause", "svc", "--reason", "e2e"); code != 0 {
		t.Fatalf("pause: exit %d, %s%s", code, out, errs)
	}
	if s := b.state("svc"); s != "paused" {
		t.Errorf("state %q right after pause, want paused", s)
	}
	waitForFile(t, trace, "recovery end")
	b.waitEvents("check_failed", "svc", 6, 15*time.Second)
	before, _ := os.ReadFile(trace)
	if want := "fail\nfail\nrecovery start\nrecovery end\n"; string(before) != want {
		t.Errorf("while paused, trace:\n%s\nwant:\n%s", before, want)
	}
	lines := b.heatd.lines(true)
	if n := count(lines, "recovery_started", "svc"); n != 1 {
		t.Errorf("%d recovery_started while paused, want 1", n)
	}
	failed := withMsg(lines, "check_failed", "svc")
	if c := failed[len(failed)-1]["consecutive_failures"]; c.(float64) < 5 {
		t.Errorf("the count does not go on while paused: %v", c)
	}

	if _, errs, code := run(t, b.dir, "heatctl", "-s", b.sock, "resume", "svc"); code != 0 {
		t.Fatalf("resume: exit %d, %s", code, errs)
	}
	waitForFile(t, trace, "recovery end\nrecovery start\n")
	ev := b.waitEvents("check_resumed", "svc", 1, 5*time.Second)
	if ev[0]["uid"] != 0.0 {
		t.Errorf("check_resumed %v", ev[0])
	}
	log, _ := os.ReadFile(filepath.Join(b.dir, "logs", "svc.log"))
	if !strings.Contains(string(log), ": paused by uid 0: e2e\n") || !strings.Contains(string(log), ": resumed by uid 0\n") {
		t.Errorf("heat log:\n%s", log)
	}
}

// pause --for ends by itself: the check is paused, then is not, and says
// so (check_resumed with expired).
func TestPauseForExpires(t *testing.T) {
	b := startBounded(t, "[check.svc]\ncommand = \"true\"\ninterval = \"1h\"\n", nil)
	b.waitEvents("config_loaded", "", 1, 10*time.Second)
	start := time.Now()
	if out, errs, code := run(t, b.dir, "heatctl", "-s", b.sock, "pause", "svc", "--for", "1.5"); code != 0 || !strings.Contains(out, "paused svc until ") {
		t.Fatalf("pause --for: exit %d, %q %s", code, out, errs)
	}
	if s := b.state("svc"); s != "paused" {
		t.Errorf("state %q, want paused", s)
	}
	ev := b.waitEvents("check_resumed", "svc", 1, 10*time.Second)
	if took := time.Since(start); ev[0]["expired"] != true || took < 1500*time.Millisecond || took > 5*time.Second {
		t.Errorf("check_resumed %v after %v", ev[0], took)
	}
	if s := b.state("svc"); s != "healthy" {
		t.Errorf("state %q after the pause, want healthy", s)
	}
}

// gave_up and a pause outlive a kill -9 of heatd: the next heatd starts
// with both, and a resume then starts an attempt at once.
func TestGaveUpSurvivesKill9(t *testing.T) {
	b := startBounded(t, `
[check.svc]
command = "exit 3"
interval = "500ms"
threshold = 1
recovery = "recover"
recovery_limit = 2
recovery_limit_window = "1h"
[check.other]
command = "true"
interval = "1h"
`, map[string]string{"recover": "echo attempt >> trace\n"})
	b.waitEvents("recovery_gave_up", "svc", 1, 15*time.Second)
	if _, errs, code := run(t, b.dir, "heatctl", "-s", b.sock, "pause", "other"); code != 0 {
		t.Fatalf("pause: exit %d, %s", code, errs)
	}
	waitForFile(t, filepath.Join(b.dir, "state.json"), `"other":{"paused":`)
	waitForFile(t, filepath.Join(b.dir, "state.json"), `"gave_up":`)
	b.heatd.stop(syscall.SIGKILL)

	b.heatd = start(t, b.dir, "heatd", "-c", filepath.Join(b.dir, "heat.toml"))
	b.waitEvents("config_loaded", "", 1, 10*time.Second)
	if s := b.state("svc"); s != "gave_up" {
		t.Errorf("svc after kill -9 and a restart: %q, want gave_up", s)
	}
	if s := b.state("other"); s != "paused" {
		t.Errorf("other after kill -9 and a restart: %q, want paused", s)
	}
	// resume forgets the attempts; the next failure is at the threshold, so
	// attempts start again, until heatd gives up again after two.
	if _, errs, code := run(t, b.dir, "heatctl", "-s", b.sock, "resume", "svc"); code != 0 {
		t.Fatalf("resume: exit %d, %s", code, errs)
	}
	waitForFile(t, filepath.Join(b.dir, "trace"), "attempt\nattempt\nattempt\nattempt\n")
	b.waitEvents("recovery_gave_up", "svc", 1, 15*time.Second)
	b.heatd.stop(syscall.SIGTERM)
}

// heatctl run while the first run is under way waits for it, then runs the
// check again and prints that run's result; each run writes a line, so
// the two never overlap.
func TestRunWaitsForTheRunUnderWay(t *testing.T) {
	b := startBounded(t, `
[check.svc]
command = "echo start >> trace; sleep 1.5; echo end >> trace; echo 'no luck' >&2; exit 5"
interval = "1h"
[check.fine]
command = "true"
interval = "1h"
`, nil)
	trace := filepath.Join(b.dir, "trace")
	waitForFile(t, trace, "start\n")
	began := time.Now()
	out, errs, code := run(t, b.dir, "heatctl", "-s", b.sock, "run", "svc")
	if code != 1 || out != "failed: exit code 5\nno luck\n" || errs != "" {
		t.Errorf("heatctl run svc: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if took := time.Since(began); took < 2*time.Second {
		t.Errorf("the answer came after %v: it did not wait for the run under way", took)
	}
	if b, _ := os.ReadFile(trace); string(b) != "start\nend\nstart\nend\n" {
		t.Errorf("trace %q: runs overlapped", b)
	}
	if out, _, code := run(t, b.dir, "heatctl", "-s", b.sock, "run", "fine"); code != 0 || out != "ok\n" {
		t.Errorf("heatctl run fine: exit %d, %q", code, out)
	}
	if _, errs, code := run(t, b.dir, "heatctl", "-s", b.sock, "run", "svx"); code != 1 || !strings.Contains(errs, `(did you mean "svc"?)`) {
		t.Errorf("heatctl run svx: exit %d, %q", code, errs)
	}
}
