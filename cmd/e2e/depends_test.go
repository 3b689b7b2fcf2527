package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A parent that fails and heals, with two children that fail all along:
// both are blocked the moment it fails (their fail scripts stop), and
// unblocked the moment it heals; the one past its threshold then recovers
// at once, the other, below its own, goes on failing with its fail script.
func TestParentFailsThenHeals(t *testing.T) {
	b := startBounded(t, `
[check.net]
command = "test ! -e down"
interval = "300ms"
[check.app]
command = "exit 1"
interval = "300ms"
threshold = 2
fail = "note"
recovery = "note"
depends_on = ["net"]
[check.api]
command = "exit 1"
interval = "300ms"
threshold = 1000
fail = "note"
depends_on = ["net"]
`, map[string]string{"note": "echo \"$HEAT_CHECK $HEAT_FAIL_CNT\" >> trace\n"})
	down := filepath.Join(b.dir, "down")
	if err := os.WriteFile(down, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	blocked := b.waitEvents("check_blocked", "app", 1, 10*time.Second)
	b.waitEvents("check_blocked", "api", 1, 10*time.Second)
	if blocked[0]["parent"] != "net" {
		t.Errorf("check_blocked %v", blocked[0])
	}
	if s := b.state("app"); s != "blocked" {
		t.Errorf("app: %q, want blocked", s)
	}
	// Blocked: failures counted, no step.
	b.waitEvents("check_failed", "api", 8, 10*time.Second)
	trace := filepath.Join(b.dir, "trace")
	before, _ := os.ReadFile(trace)
	time.Sleep(time.Second)
	if after, _ := os.ReadFile(trace); string(after) != string(before) {
		t.Errorf("scripts ran while blocked:\n%s", strings.TrimPrefix(string(after), string(before)))
	}
	attempts := count(b.heatd.lines(true), "recovery_started", "app")

	os.Remove(down)
	b.waitEvents("check_unblocked", "app", 1, 10*time.Second)
	b.waitEvents("check_unblocked", "api", 1, 10*time.Second)
	b.waitEvents("recovery_started", "app", attempts+1, 5*time.Second)
	lines := b.heatd.lines(true)
	var unblockedAt, recoveryAt string
	for _, e := range events(lines) {
		if e["check"] == "app" && e["msg"] == "check_unblocked" && unblockedAt == "" {
			unblockedAt, _ = e["ts"].(string)
		}
		if e["check"] == "app" && e["msg"] == "recovery_started" && unblockedAt != "" && recoveryAt == "" {
			recoveryAt, _ = e["ts"].(string)
		}
	}
	u, err1 := time.Parse(time.RFC3339Nano, unblockedAt)
	r, err2 := time.Parse(time.RFC3339Nano, recoveryAt)
	if d := r.Sub(u); err1 != nil || err2 != nil || d < 0 || d > 200*time.Millisecond {
		t.Errorf("app's recovery started %v after check_unblocked (%s, %s), want at once", d, unblockedAt, recoveryAt)
	}
	// app's recovery script ran. api's fail script, after api's next run,
	// may write first: the two unblock at the same moment.
	deadline := time.Now().Add(5 * time.Second)
	for {
		after, _ := os.ReadFile(trace)
		if strings.Contains("\n"+strings.TrimPrefix(string(after), string(before)), "\napp ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no script of app's ran after check_unblocked: %q after %q", strings.TrimPrefix(string(after), string(before)), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.waitEvents("fail_script_done", "api", count(lines, "fail_script_done", "api")+1, 5*time.Second)
}
