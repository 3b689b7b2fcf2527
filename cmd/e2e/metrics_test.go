package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrapeOnce fetches http://addr/metrics and returns the families' samples
// as "name{labels} value" lines, or an error.
func scrapeOnce(addr string) (map[string]float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("%s: %s", resp.Status, b)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, err
	}
	samples := map[string]float64{}
	for name, f := range fams {
		if !strings.HasPrefix(name, "heatd_") {
			continue
		}
		for _, m := range f.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := name + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Gauge != nil:
				samples[key] = m.Gauge.GetValue()
			case m.Counter != nil:
				samples[key] = m.Counter.GetValue()
			case m.Histogram != nil:
				samples[key] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return samples, nil
}

func TestHeatdServesMetrics(t *testing.T) {
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	config := filepath.Join(dir, "heat.toml")
	write := func(addr, extra string) {
		os.WriteFile(config, []byte(fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
metrics_listen = %q
[check.ok]
command = "true"
interval = "100ms"
%s`, addr, extra)), 0o644)
	}
	write(addr, "[check.bad]\ncommand = \"exit 2\"\ninterval = \"100ms\"\n")
	heatd := start(t, dir, "heatd", "-c", config)
	var s map[string]float64
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		s, err = scrapeOnce(addr)
		if err == nil && s["heatd_check_runs_total{check=bad,result=failed}"] >= 3 && s["heatd_check_runs_total{check=ok,result=ok}"] >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scrape: %v %v\n%s", err, s, strings.Join(heatd.lines(true), "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	for key, want := range map[string]float64{
		"heatd_check_up{check=ok}": 1, "heatd_check_up{check=bad}": 0,
		"heatd_check_state{check=bad,state=failing}": 1, "heatd_check_state{check=bad,state=healthy}": 0,
		"heatd_config_last_reload_successful{}": 1,
	} {
		if got, ok := s[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	if s["heatd_check_duration_seconds{check=ok}"] < 3 || s["heatd_check_consecutive_failures{check=bad}"] < 3 {
		t.Errorf("samples %v", s)
	}

	// A reload that removes a check and moves the listener: the old address
	// closes, the new one serves, and the removed check has no series.
	moved := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	write(moved, "")
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	// The new listener serves from the moment it is bound, which is before
	// the checks change: the reload is judged once applied.
	heatd.waitFor("the reload", 10*time.Second, true, atLeast(2, "config_loaded", ""))
	deadline = time.Now().Add(10 * time.Second)
	for {
		var err error
		if s, err = scrapeOnce(moved); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the moved listener: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := scrapeOnce(addr); err == nil {
		t.Errorf("the old address still serves")
	}
	for key := range s {
		if strings.Contains(key, "check=bad") {
			t.Errorf("the removed check still has %s", key)
		}
	}
	heatd.stop(syscall.SIGTERM)
}

// Moving metrics_listen from 127.0.0.1:P to 0.0.0.0:P, the same port on
// every address: the new listener cannot be bound beside the old one, and
// must replace it. The reload says it is applied only once the new address
// serves (127.0.0.2 reaches a listener on 0.0.0.0, not one on 127.0.0.1).
// A move that cannot be bound rejects the reload, as a control socket that
// cannot move does, and the metrics stay where they were.
func TestHeatdMovesMetricsToAllAddresses(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	config := filepath.Join(dir, "heat.toml")
	write := func(addr string) {
		writeConfig(t, config, fmt.Sprintf(`
[daemon]
log_dir = "logs"
log_level = "debug"
control_socket = "heatd.sock"
metrics_listen = %q
[check.ok]
command = "true"
interval = "100ms"
`, addr))
	}
	write(fmt.Sprintf("127.0.0.1:%d", port))
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("a run", 10*time.Second, true, atLeast(1, "check_ok", "ok"))
	if _, err := scrapeOnce(fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		t.Fatal(err)
	}
	reload := func() (string, int) {
		o, e, code := run(t, dir, "heatctl", "-s", filepath.Join(dir, "heatd.sock"), "reload")
		return o + e, code
	}

	write(fmt.Sprintf("0.0.0.0:%d", port))
	if out, code := reload(); code != 0 {
		t.Fatalf("heatctl reload: exit %d\n%s", code, out)
	}
	if _, err := scrapeOnce(fmt.Sprintf("127.0.0.2:%d", port)); err != nil {
		t.Errorf("the reload was applied, but 0.0.0.0:%d does not serve: %v", port, err)
	}

	// An address that cannot be bound (another program holds the port):
	// rejected, said so, and the metrics stay on 0.0.0.0:P.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	write(taken.Addr().String())
	out, code := reload()
	if code != 1 || !strings.Contains(out, "metrics_listen") || !strings.Contains(out, "address already in use") {
		t.Errorf("a move to a taken port: exit %d\n%s", code, out)
	}
	if _, err := scrapeOnce(fmt.Sprintf("127.0.0.2:%d", port)); err != nil {
		t.Errorf("after a failed move the metrics are gone: %v", err)
	}
	if n := count(heatd.lines(true), "config_reload_failed", ""); n != 1 {
		t.Errorf("%d config_reload_failed events, want 1", n)
	}
	heatd.stop(syscall.SIGTERM)
}
