package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// alertmanagerBin is where Debian's prometheus-alertmanager puts it.
const alertmanagerBin = "/usr/bin/prometheus-alertmanager"

// amConfig routes every alert to a receiver that sends nothing: the tests
// read alerts back from Alertmanager's own API.
const amConfig = `route:
  receiver: "null"
receivers:
  - name: "null"
`

// startAlertmanager runs a real Alertmanager on a free loopback port with
// clustering off and its storage in a temp folder, waits until it is ready,
// and stops it when the test ends. It returns the base URL. Without the
// binary the test is skipped, except on CI, where it fails.
func startAlertmanager(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath(alertmanagerBin)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing on CI: apt-get install prometheus-alertmanager", alertmanagerBin)
		}
		t.Skipf("%s is missing: apt-get install prometheus-alertmanager", alertmanagerBin)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(conf, []byte(amConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	var out lockedBuffer
	cmd := exec.Command(bin,
		"--config.file="+conf,
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
	)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})

	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("alertmanager exited: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager not ready after 30s:\n%s", out.String())
		}
	}
}

// freePort finds a loopback port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// gettableAlert is the part of Alertmanager's GET /api/v2/alerts answer the
// tests read.
type gettableAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

// listAlerts reads Alertmanager's alerts through its own API.
func listAlerts(t *testing.T, base, query string) []gettableAlert {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v2/alerts"+query, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET alerts: %s", resp.Status)
	}
	var alerts []gettableAlert
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		t.Fatal(err)
	}
	return alerts
}

// waitFor polls Alertmanager until cond holds of its alerts, for at most
// ten seconds: Alertmanager takes a post before it lists it.
func waitFor(t *testing.T, base, query, what string, cond func([]gettableAlert) bool) []gettableAlert {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		alerts := listAlerts(t, base, query)
		if cond(alerts) {
			return alerts
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager never showed %s; it has %s", what, fmt.Sprint(alerts))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
