// Package alerttest gives tests a real Alertmanager to post to and read
// back, an Alertmanager that hangs, and the Prometheus tools (promtool,
// amtool) or a skip: the alert sender's own tests, heatd's end-to-end
// tests and the shipped rules' tests share it.
package alerttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Binary is where Debian's prometheus-alertmanager puts Alertmanager.
const Binary = "/usr/bin/prometheus-alertmanager"

// config routes every alert to a receiver that sends nothing: the tests
// read alerts back from Alertmanager's own API.
const config = `route:
  receiver: "null"
receivers:
  - name: "null"
`

// Need is the path of program name, one of the Prometheus tools the
// tests run for real (Alertmanager, amtool, promtool), or skips t; where
// CI is set (.ci/run installs them), a missing program fails t instead.
func Need(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		pkg := "prometheus-alertmanager"
		if name == "promtool" {
			pkg = "prometheus"
		}
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing on CI: apt-get install %s", name, pkg)
		}
		t.Skipf("%s is missing: apt-get install %s", name, pkg)
	}
	return path
}

// Start runs a real Alertmanager on a free loopback port with clustering
// off and its storage in a temp folder, waits until it is ready, and stops
// it when the test ends. It returns the base URL.
func Start(t testing.TB) string {
	t.Helper()
	bin := Need(t, Binary)
	dir := t.TempDir()
	conf := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(conf, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := FreeAddr(t)
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

// FreeAddr is a loopback HOST:PORT nothing listens on now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// Alert is the part of Alertmanager's GET /api/v2/alerts answer the tests
// read.
type Alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

// List reads Alertmanager's alerts through its own API; query is the
// URL's query, "" or "?filter=...".
func List(t testing.TB, base, query string) []Alert {
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
	var alerts []Alert
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		t.Fatal(err)
	}
	return alerts
}

// WaitFor polls Alertmanager until cond holds of its alerts, for at most
// within: Alertmanager takes a post before it lists it.
func WaitFor(t testing.TB, base, query, what string, within time.Duration, cond func([]Alert) bool) []Alert {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		alerts := List(t, base, query)
		if cond(alerts) {
			return alerts
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager never showed %s; it has %s", what, fmt.Sprint(alerts))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Hang accepts connections on addr and never answers them, as an
// Alertmanager whose process is stopped does. It stops when the returned
// func is called, or at the end of the test.
func Hang(t testing.TB, addr string) (stop func()) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			l.Close()
			<-done
			mu.Lock()
			for _, c := range conns {
				c.Close()
			}
			mu.Unlock()
		})
	}
	t.Cleanup(stop)
	return stop
}

// lockedBuffer is a bytes.Buffer a process and a test can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
