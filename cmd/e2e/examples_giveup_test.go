package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// examples/give-up.toml: a web server whose configuration has a typo. Each
// restart fails with the same error in the heat log, the attempts wait
// longer and longer, and heatd gives up after three; once the typo is fixed
// and the server started by hand, heatd sees the check pass and says so.
func TestExamplesGiveUp(t *testing.T) {
	o := startOptionWith(t, "give-up.toml", func(file string) {
		rewrite(t, file, `recovery_backoff = "4s"`, `recovery_backoff = "1s"`)
	})
	o.heatd.waitFor("giving up", 30*time.Second, true, func(l []string) bool {
		return consoleCount(l, "recovery_gave_up", "web") >= 1
	})
	evs := consoleEvents(o.heatd.lines(true))
	if n := countEvents(evs, "recovery_started", "web"); n != 3 {
		t.Errorf("%d recovery attempts, want 3", n)
	}
	if n := countEvents(evs, "recovery_backoff", "web"); n != 3 {
		t.Errorf("%d recovery_backoff events, want 3", n)
	}
	for _, e := range evs {
		if e["msg"] == "recovery_gave_up" && (e["level"] != "error" || e["attempts"] != 3.0) {
			t.Errorf("recovery_gave_up: %v", e)
		}
	}
	out, _, code := run(t, o.top, "heatctl", "-s", "examples/log/give-up.sock", "status", "web")
	if code != 0 || !strings.Contains(out, " gave_up ") {
		t.Errorf("heatctl status (exit %d):\n%s", code, out)
	}
	heatLog(t, filepath.Join(o.ex, "log", "give-up.log"),
		`(?m)^\d{10}: recovery script started \(attempt 3\)\nweb.conf: line 3: unknown directive "lisen"\n`+
			`web: configuration test failed; not starting\n\d{10}: recovery script exited with code 1$`,
		`(?m)^\d{10}: gave up after 3 recovery attempts within 10m0s: no more until the check is ok by itself`)

	// The operator fixes the typo and starts the server.
	rewrite(t, filepath.Join(o.ex, "broken", "web.conf"), "lisen", "listen")
	start := exec.Command(filepath.Join(o.ex, "scripts", "restart-web"))
	start.Env = append(os.Environ(), o.env()...)
	if b, err := start.CombinedOutput(); err != nil {
		t.Fatalf("scripts/restart-web: %v\n%s", err, b)
	}
	o.heatd.waitFor("the check passing", 15*time.Second, true, func(l []string) bool {
		return consoleCount(l, "recovered", "web") >= 1
	})
	for _, e := range consoleEvents(o.heatd.lines(true)) {
		if e["msg"] == "recovered" && e["after_giving_up"] != true {
			t.Errorf("recovered: %v", e)
		}
	}
	if n := countEvents(consoleEvents(o.heatd.lines(true)), "recovery_started", "web"); n != 3 {
		t.Errorf("%d recovery attempts in all, want 3", n)
	}
	o.stopHeatd()
	o.serverDown()
}

// startOptionWith is startOption (no receiver) with edit applied to the
// copied file before heatd reads it.
func startOptionWith(t *testing.T, file string, edit func(path string)) *option {
	t.Helper()
	needCurl(t)
	t.Parallel()
	o := &option{t: t, file: file, top: copyExamples(t), addr: freeAddr(t)}
	o.ex = filepath.Join(o.top, "examples")
	t.Cleanup(func() { killPidfile(filepath.Join(o.ex, "log", "heartbeat.pid")) })
	rewrite(t, filepath.Join(o.ex, file), `interval = "2s"`, `interval = "300ms"`)
	edit(filepath.Join(o.ex, file))
	if err := os.MkdirAll(filepath.Join(o.ex, "log"), 0o755); err != nil {
		t.Fatal(err)
	}
	o.heatd = startEnv(t, o.top, o.env(), "heatd", "-c", "examples/"+file)
	return o
}
