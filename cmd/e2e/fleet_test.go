package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heatd/heatd/daemon/alert/alerttest"
)

// scrapeText is the exposition of http://addr/metrics as Prometheus reads it.
func scrapeText(t *testing.T, addr string) []byte {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("scrape: %v %s\n%s", err, resp.Status, body)
	}
	return body
}

// A real heatd's metrics, with a check that recovers, one that fails to
// recover with a target that is gone, and one that is ok: every series of
// the contract is there with the values the runs gave, and promtool's
// linter finds nothing to say about any of them.
func TestHeatdMetricsForAFleet(t *testing.T) {
	promtool := alerttest.Need(t, "promtool")
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	script(t, filepath.Join(dir, "fix"), "touch fixed\n")
	script(t, filepath.Join(dir, "nothing"), "exit 0\n")
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
metrics_listen = %q
[check.ok]
command = "true"
interval = "100ms"
[check.quick]
command = "test -e fixed"
interval = "100ms"
threshold = 1
recovery = "fix"
[check.broken]
command = "exit 3"
interval = "100ms"
threshold = 1
recovery = "nothing"
recovery_timeout = "50ms"
pidfile = "no.pid"
signal = "USR1"
fault_signal = "USR2"
`, addr))
	before := time.Now()
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("a verified recovery and two failed ones", 20*time.Second, true, func(l []string) bool {
		return count(l, "recovered", "quick") == 1 && count(l, "recovery_failed", "broken") >= 2
	})
	s, err := scrapeOnce(addr)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]float64{
		"heatd_recovery_attempts_total{check=quick}":                        1,
		"heatd_recoveries_failed_total{check=quick}":                        0,
		"heatd_recoveries_total{check=quick}":                               1,
		"heatd_recovery_attempts_total{check=ok}":                           0,
		"heatd_signals_failed_total{check=ok,kind=failure}":                 0,
		"heatd_signals_sent_total{check=broken,kind=fault}":                 0,
		"heatd_signals_failed_total{check=broken,kind=success}":             0,
		"heatd_check_interval_seconds{check=ok}":                            0.1,
		"heatd_alerts_sent_total{result=ok}":                                0,
		"heatd_alerts_sent_total{result=failed}":                            0,
		"heatd_check_state{check=quick,state=healthy}":                      1,
		"heatd_build_info{goversion=" + runtime.Version() + ",version=dev}": 1,
	} {
		if got, ok := s[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	// The broken check goes on failing while the scrape is read: at least
	// what the events said, and attempts one ahead of failures at most.
	attempts, failed := s["heatd_recovery_attempts_total{check=broken}"], s["heatd_recoveries_failed_total{check=broken}"]
	if failed < 2 || attempts < failed || attempts > failed+1 {
		t.Errorf("broken: %v attempts, %v failed; want at least 2 failed and attempts = failed or failed+1", attempts, failed)
	}
	if s["heatd_signals_failed_total{check=broken,kind=failure}"] < 1 || s["heatd_signals_failed_total{check=broken,kind=fault}"] < 2 {
		t.Errorf("broken: failed signals %v", s)
	}
	now := float64(time.Now().UnixNano()) / 1e9
	for _, key := range []string{"heatd_check_last_run_timestamp_seconds{check=ok}",
		"heatd_check_last_success_timestamp_seconds{check=ok}", "heatd_check_last_run_timestamp_seconds{check=broken}"} {
		if v := s[key]; v < float64(before.Unix()) || v > now {
			t.Errorf("%s = %v, want within the test's run (%v to %v)", key, v, before.Unix(), now)
		}
	}
	if _, ok := s["heatd_check_last_success_timestamp_seconds{check=broken}"]; ok {
		t.Errorf("broken has a last success: it never passed")
	}

	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(scrapeText(t, addr))
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	heatd.stop(syscall.SIGTERM)
}

// /healthz on the metrics listener says what the watchdog would: 200 while
// every check's loop is live, 503 while one is past its deadline by more
// than the slack, 200 again once it has moved on. heatd is frozen
// (SIGSTOP) while a check that ignores SIGTERM runs past its 1 s timeout,
// long enough that, thawed, the loop is late by more than the 10 s slack,
// and stays so for the 2 s between the group's SIGTERM and its SIGKILL.
func TestHeatdHealthz(t *testing.T) {
	if testing.Short() {
		t.Skip("freezes heatd for 13 s")
	}
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
metrics_listen = %q
[check.stubborn]
command = "trap '' TERM; echo started > started; sleep 30"
interval = "1h"
timeout = "1s"
`, addr))
	heatd := start(t, dir, "heatd", "-c", config)
	healthz := func() (int, string) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	waitFile(t, filepath.Join(dir, "started"), "started")
	if code, body := healthz(); code != 200 {
		t.Fatalf("live heatd: /healthz %d %q, want 200", code, body)
	}
	heatd.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(13 * time.Second)
	// Asked while heatd is frozen, the request waits in the listener's
	// backlog and is answered as soon as heatd thaws, before the group's
	// SIGKILL 2 s later.
	type answer struct {
		code int
		body string
	}
	got := make(chan answer, 1)
	go func() { c, b := healthz(); got <- answer{c, b} }()
	time.Sleep(100 * time.Millisecond)
	heatd.cmd.Process.Signal(syscall.SIGCONT)
	a := <-got
	if a.code != 503 || !strings.Contains(a.body, `check "stubborn" is stuck running`) {
		t.Errorf("wedged heatd: /healthz %d %q, want 503 naming the check", a.code, a.body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := healthz()
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz still %d %q after the run was killed", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	heatd.stop(syscall.SIGTERM)
}

// heatctl -c FILE reload, as the unit's ExecReload runs it: the socket is
// the one FILE names (relative to FILE's folder, whatever heatctl's own
// folder), the reload is applied when heatctl returns (the added check is
// in the status at once), and a rejected file is exit 1 with every error
// on stderr, found by its socket even though the file has errors.
func TestHeatctlReloadFindsTheSocketOfTheFile(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "etc", "heat.toml")
	os.MkdirAll(filepath.Dir(config), 0o755)
	base := `
[daemon]
log_dir = "../logs"
control_socket = "../run/h.sock"
[check.db]
command = "true"
interval = "1h"
`
	writeConfig(t, config, base)
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("the first run", 10*time.Second, true, atLeast(1, "config_loaded", ""))
	elsewhere := t.TempDir()

	writeConfig(t, config, base+"[check.added]\ncommand = \"true\"\ninterval = \"1h\"\n")
	out, errs, code := run(t, elsewhere, "heatctl", "-c", config, "reload")
	if code != 0 || out != "reload applied\n" || errs != "" {
		t.Fatalf("heatctl -c reload: exit %d, %q %q", code, out, errs)
	}
	out, errs, code = run(t, elsewhere, "heatctl", "-c", config, "status", "added")
	if code != 0 || !strings.Contains(out, "added") {
		t.Errorf("the added check, right after the reload: exit %d\n%s%s", code, out, errs)
	}

	writeConfig(t, config, base+"[check.bad]\ncommand = \"true\"\ntreshold = 3\ninterval = \"0s\"\n")
	out, errs, code = run(t, elsewhere, "heatctl", "-c", config, "reload")
	if code != 1 || out != "" || !strings.Contains(errs, "reload rejected") ||
		!strings.Contains(errs, `check "bad": key "treshold" is not known`) || !strings.Contains(errs, `check "bad": key "interval"`) {
		t.Errorf("a rejected reload: exit %d, %q %q", code, out, errs)
	}
	if out, _, _ := run(t, elsewhere, "heatctl", "-c", config, "status", "added"); !strings.Contains(out, "added") {
		t.Errorf("the rejected reload changed the checks:\n%s", out)
	}
	heatd.stop(syscall.SIGTERM)

	// No heatd at the socket the file names: exit 3, saying where it looked.
	_, errs, code = run(t, elsewhere, "heatctl", "-c", config, "reload")
	if code != 3 || !strings.Contains(errs, filepath.Join(dir, "run", "h.sock")) || !strings.Contains(errs, "moved [daemon] control_socket") {
		t.Errorf("no heatd: exit %d, %q", code, errs)
	}
}
