package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/heatd/heatd/daemon/alert/alerttest"
)

// recoveringAlerts are the HeatdCheckRecovering alerts Alertmanager lists
// as active.
const recoveringAlerts = `?active=true&filter=alertname%3D%22HeatdCheckRecovering%22`

// A check fails past its threshold into a recovery that does not fix it,
// while heatd posts nowhere; a reload points heatd at a real Alertmanager
// and adds labels, and the alert that fires reaches it at once with every
// label and annotation; the check recovers, and the alert is resolved.
func TestHeatdAlertsAlertmanager(t *testing.T) {
	am := alerttest.Start(t)
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	script(t, filepath.Join(dir, "nothing"), "exit 0\n")
	broken := filepath.Join(dir, "broken")
	writeConfig(t, broken, "")
	config := filepath.Join(dir, "heat.toml")
	checks := `
[check.web]
command = "test ! -e broken || { echo 'connection refused' >&2; echo more >&2; exit 7; }"
interval = "100ms"
threshold = 2
recovery = "nothing"
`
	daemon := fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
metrics_listen = %q
`, addr)
	writeConfig(t, config, daemon+checks)
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("the recovery", 10*time.Second, true, atLeast(1, "recovery_started", "web"))

	writeConfig(t, config, daemon+fmt.Sprintf(`alertmanager = [%q]
alert_labels = { env = "prod", team = "web" }
`, am)+checks)
	if out, errs, code := run(t, dir, "heatctl", "-s", "heatd.sock", "reload"); code != 0 {
		t.Fatalf("heatctl reload: exit %d, %s%s", code, out, errs)
	}
	got := alerttest.WaitFor(t, am, recoveringAlerts, "HeatdCheckRecovering", 10*time.Second,
		func(as []alerttest.Alert) bool { return len(as) == 1 })
	host, _ := os.Hostname()
	wantLabels := map[string]string{"alertname": "HeatdCheckRecovering", "check": "web", "instance": host,
		"severity": "warning", "source": "heatd", "env": "prod", "team": "web"}
	wantAnn := map[string]string{"summary": `check "web" is recovering: exit code 7`, "exit_code": "7",
		"output": "connection refused"}
	if a := got[0]; !maps.Equal(a.Labels, wantLabels) || !maps.Equal(a.Annotations, wantAnn) || a.Status.State != "active" {
		t.Errorf("the alert: %s %v %v\nwant labels %v\nannotations %v", a.Status.State, a.Labels, a.Annotations, wantLabels, wantAnn)
	}
	if all := alerttest.List(t, am, ""); len(all) != 1 {
		t.Errorf("Alertmanager has %d alerts, want only HeatdCheckRecovering: %v", len(all), all)
	}

	os.Remove(broken)
	heatd.waitFor("the recovery verified", 10*time.Second, true, atLeast(1, "recovered", "web"))
	alerttest.WaitFor(t, am, "?active=true", "the alert resolved", 10*time.Second,
		func(as []alerttest.Alert) bool { return len(as) == 0 })
	s, err := scrapeOnce(addr)
	if err != nil {
		t.Fatal(err)
	}
	if ok, failed := s["heatd_alerts_sent_total{result=ok}"], s["heatd_alerts_sent_total{result=failed}"]; ok < 2 || failed != 0 {
		t.Errorf("heatd_alerts_sent_total: %v ok, %v failed; want the firing and the resolved post, no failure", ok, failed)
	}
	if n := count(heatd.lines(true), "alert_send_failed", ""); n != 0 {
		t.Errorf("%d alert_send_failed with a live Alertmanager", n)
	}

	// A stop resolves nothing: heatd stopping does not mean the check is
	// fine. The alert stays active until its endsAt.
	writeConfig(t, broken, "")
	alerttest.WaitFor(t, am, recoveringAlerts, "HeatdCheckRecovering again", 10*time.Second,
		func(as []alerttest.Alert) bool { return len(as) == 1 })
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd's exit status %d, want 0", code)
	}
	after := alerttest.List(t, am, recoveringAlerts)
	if len(after) != 1 || time.Until(after[0].EndsAt) < 3*time.Minute {
		t.Errorf("after heatd's stop Alertmanager lists %v; want the alert active, ending some 4m ahead", after)
	}
}

// An Alertmanager that refuses, hangs or answers 500 delays no check run:
// a check every 100 ms that goes in and out of recovery, firing and
// resolving its alert each time, keeps its rhythm over a 3 s window, and
// alert_send_failed comes once in it (at most one a minute).
func TestHeatdAlertsNeverDelayRuns(t *testing.T) {
	for _, down := range []string{"refuses", "hangs", "answers 500"} {
		t.Run(down, func(t *testing.T) {
			url := "http://" + alerttest.FreeAddr(t)
			switch down {
			case "hangs":
				addr := alerttest.FreeAddr(t)
				alerttest.Hang(t, addr)
				url = "http://" + addr
			case "answers 500":
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					http.Error(w, "down for maintenance", http.StatusInternalServerError)
				}))
				t.Cleanup(srv.Close)
				url = srv.URL
			}
			dir := t.TempDir()
			script(t, filepath.Join(dir, "nothing"), "exit 0\n")
			config := filepath.Join(dir, "heat.toml")
			// flip fails every other run: each failure enters recovery
			// (threshold 1), whose verification run passes at once.
			// alert_resend bounds each post to a second, so a hung post
			// fails within the window.
			writeConfig(t, config, fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
alertmanager = [%q]
alert_resend = "1s"
[check.flip]
command = "if test -e down; then rm down; else touch down; exit 1; fi"
interval = "100ms"
threshold = 1
recovery = "nothing"
`, url))
			heatd := start(t, dir, "heatd", "-c", config)
			const window = 3 * time.Second
			time.Sleep(window)
			lines := heatd.lines(true)
			heatd.stop(syscall.SIGTERM)

			var at []time.Time
			for _, e := range withMsg(lines, "check_failed", "flip") {
				ts, err := time.Parse(time.RFC3339Nano, str(e, "ts"))
				if err != nil {
					t.Fatalf("check_failed's ts: %v", err)
				}
				at = append(at, ts)
			}
			// A cycle is a 100 ms interval, a recovery script and a
			// verification run: some 30 in 3 s on an idle machine, 20 on
			// a machine busy with other tests. A sender that made the
			// loop wait for a post would allow one cycle a second at
			// most (the post's timeout), or none. The count is what
			// tells them apart; a gap between runs is the machine's as
			// much as heatd's, so only a stall as long as two posts'
			// timeouts counts against heatd.
			var gaps []time.Duration
			for i := 1; i < len(at); i++ {
				gaps = append(gaps, at[i].Sub(at[i-1]))
			}
			slices.Sort(gaps)
			worst := time.Duration(0)
			if len(gaps) > 0 {
				worst = gaps[len(gaps)-1]
			}
			t.Logf("%d failed runs in %v; gaps between them: worst %v", len(at), window, worst)
			if len(at) < 10 {
				t.Errorf("%d cycles in %v, want at least 10 at a 100 ms interval", len(at), window)
			}
			if worst > 2*time.Second {
				t.Errorf("a run started %v after the cycle before it, want under 2s", worst)
			}
			if n := count(lines, "recovered", "flip"); n < 10 {
				t.Errorf("%d recoveries verified, want the check in and out of recovery", n)
			}
			if n := count(lines, "alert_send_failed", ""); n != 1 {
				t.Errorf("%d alert_send_failed in %v against an Alertmanager that %s, want 1 (at most one a minute)",
					n, window, down)
			}
		})
	}
}

// A check whose recovery_limit is reached fires HeatdRecoveryGaveUp, a
// critical alert, and its HeatdCheckRecovering resolves: giving up ends
// the recovery. Ok again by itself, the check resolves HeatdRecoveryGaveUp.
func TestHeatdAlertsGaveUp(t *testing.T) {
	am := alerttest.Start(t)
	dir := t.TempDir()
	script(t, filepath.Join(dir, "nothing"), "exit 0\n")
	broken := filepath.Join(dir, "broken")
	writeConfig(t, broken, "")
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
alertmanager = [%q]
[check.web]
command = "test ! -e broken || { echo 'connection refused' >&2; exit 7; }"
interval = "100ms"
threshold = 1
recovery = "nothing"
recovery_limit = 2
`, am))
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("giving up", 10*time.Second, true, atLeast(1, "recovery_gave_up", "web"))
	got := alerttest.WaitFor(t, am, "?active=true", "HeatdRecoveryGaveUp alone", 10*time.Second,
		func(as []alerttest.Alert) bool {
			return len(as) == 1 && as[0].Labels["alertname"] == "HeatdRecoveryGaveUp"
		})
	a := got[0]
	if a.Labels["severity"] != "critical" || a.Labels["check"] != "web" || a.Labels["source"] != "heatd" {
		t.Errorf("HeatdRecoveryGaveUp's labels: %v", a.Labels)
	}
	if want := `heatd gave up recovering check "web": exit code 7`; a.Annotations["summary"] != want ||
		a.Annotations["output"] != "connection refused" {
		t.Errorf("HeatdRecoveryGaveUp's annotations: %v, want the summary %q", a.Annotations, want)
	}
	// HeatdCheckRecovering fired before, and is resolved now.
	if n := count(heatd.lines(true), "recovery_started", "web"); n != 2 {
		t.Errorf("%d recovery_started, want 2 (recovery_limit)", n)
	}

	os.Remove(broken)
	heatd.waitFor("ok again after giving up", 10*time.Second, true, atLeast(1, "recovered", "web"))
	alerttest.WaitFor(t, am, "?active=true", "HeatdRecoveryGaveUp resolved", 10*time.Second,
		func(as []alerttest.Alert) bool { return len(as) == 0 })
	heatd.stop(syscall.SIGTERM)
}
