package e2e

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// floodConns is how many connections the flood opens: more than the
// descriptors heatd is allowed in TestMetricsFloodLeavesChecksTheirDescriptors.
const floodConns = 1200

// flood opens n connections to addr, each writing pipelined scrapes and
// never reading an answer, reconnecting when the server closes one, until
// stop is called.
func flood(t *testing.T, addr string, n int) (stop func()) {
	t.Helper()
	req := []byte(strings.Repeat("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 64))
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := net.DialTimeout("tcp", addr, time.Second)
				if err == nil {
					mu.Lock()
					conns = append(conns, c)
					mu.Unlock()
					// Write until the server stops reading, never read.
					for {
						c.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
						if _, err := c.Write(req); err != nil {
							break
						}
					}
				}
				select {
				case <-done:
					return
				case <-time.After(100 * time.Millisecond):
					// Closed by the server (or refused): come back.
				}
			}
		}()
	}
	return func() {
		close(done)
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

// Any local user can reach metrics_listen. A flood of connections that
// pipeline scrapes and never read the answers must cost heatd no more than
// a few descriptors: a hundred checks keep their schedule, none of their
// runs fails to start, and heatctl is answered.
func TestMetricsFloodLeavesChecksTheirDescriptors(t *testing.T) {
	prlimit := requireTool(t, "prlimit")
	dir := t.TempDir()
	script(t, filepath.Join(dir, "recover"), "touch recovered.$HEAT_CHECK\n")
	config := filepath.Join(dir, "heat.toml")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	tag := faultTag(dir)
	writeConfig(t, config, manyChecks(100, "true", "1s",
		fmt.Sprintf("control_socket = \"heatd.sock\"\nmetrics_listen = %q", addr), tag))
	// A common default limit: fewer descriptors than the flood has
	// connections (Go raises the soft limit to the hard one: both set).
	heatd := launch(t, heatdCommand(dir, config, prlimit, "--nofile=1024:1024"))
	heatd.waitFor("the first runs", 15*time.Second, true, atLeast(100, "check_ok", ""))
	if _, err := scrapeOnce(addr); err != nil {
		t.Fatalf("scrape before the flood: %v", err)
	}

	stop := flood(t, addr, floodConns)
	time.Sleep(2 * time.Second) // the flood in full
	before := count(heatd.lines(true), "check_ok", "")
	const window = 5 * time.Second
	start := time.Now()
	out, err := exec.Command(filepath.Join(bin, "heatctl"), "-s", filepath.Join(dir, "heatd.sock"), "status").CombinedOutput()
	if err != nil || strings.Count(string(out), "healthy") != 100 {
		t.Errorf("heatctl status under the flood: %v\n%s", err, out)
	}
	time.Sleep(window - time.Since(start))
	l := heatd.lines(true)
	runs := count(l, "check_ok", "") - before
	fds := openFDs(heatd.cmd.Process.Pid)
	stop()
	t.Logf("under a flood of %d connections: %d runs in %v, heatd holding %d descriptors", floodConns, runs, window, fds)

	heatd.mustLive("the flood")
	// Each check runs every second: five runs each in the window, less the
	// slack a loaded machine needs.
	if want := 100 * 5 * 6 / 10; runs < want {
		t.Errorf("%d runs in %v under the flood, want at least %d", runs, window, want)
	}
	if n := count(l, "run_error", ""); n != 0 {
		t.Errorf("%d runs could not start under the flood: %v", n, withMsg(l, "run_error", "")[0])
	}
	if fds > 200 {
		t.Errorf("heatd held %d descriptors under the flood", fds)
	}
	// The flood gone, metrics are served again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := scrapeOnce(addr)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scrape after the flood: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	noFalseFailures(t, dir, heatd.lines(true))
}

// openFDs counts the descriptors pid holds.
func openFDs(pid int) int {
	m, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	return len(m)
}
