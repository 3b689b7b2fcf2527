package e2e

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// notifySocket is a real NOTIFY_SOCKET, as systemd would listen on.
type notifySocket struct {
	t    *testing.T
	path string
	conn *net.UnixConn
}

func newNotifySocket(t *testing.T) *notifySocket {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &notifySocket{t: t, path: path, conn: conn}
}

// next is the next datagram other than a watchdog ping (pings are counted).
func (n *notifySocket) next(pings *int) string {
	n.t.Helper()
	buf := make([]byte, 4096)
	n.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		k, err := n.conn.Read(buf)
		if err != nil {
			n.t.Fatalf("no notification: %v", err)
		}
		if msg := string(buf[:k]); msg != "WATCHDOG=1" {
			return msg
		} else if pings != nil {
			*pings++
		}
	}
}

// expect reads datagrams until one starts with prefix.
func (n *notifySocket) expect(prefix string, pings *int) string {
	n.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if msg := n.next(pings); strings.HasPrefix(msg, prefix) {
			return msg
		}
	}
	n.t.Fatalf("no %q notification", prefix)
	return ""
}

// expectAll reads datagrams until one starting with each prefix has come,
// in any order; it returns them by prefix.
func (n *notifySocket) expectAll(prefixes ...string) map[string]string {
	n.t.Helper()
	got := map[string]string{}
	for len(got) < len(prefixes) {
		msg := n.next(nil)
		for _, p := range prefixes {
			if strings.HasPrefix(msg, p) {
				got[p] = msg
			}
		}
	}
	return got
}

// pingsWithin counts watchdog pings over d.
func (n *notifySocket) pingsWithin(d time.Duration) int {
	buf := make([]byte, 4096)
	pings := 0
	deadline := time.Now().Add(d)
	for {
		n.conn.SetReadDeadline(deadline)
		k, err := n.conn.Read(buf)
		if err != nil {
			return pings
		}
		if string(buf[:k]) == "WATCHDOG=1" {
			pings++
		}
	}
}

func TestHeatdTellsSystemd(t *testing.T) {
	dir := t.TempDir()
	sock := newNotifySocket(t)
	config := filepath.Join(dir, "heat.toml")
	os.WriteFile(config, []byte(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
[check.ok]
command = "true"
interval = "200ms"
[check.bad]
command = "exit 1"
interval = "200ms"
`), 0o644)
	// A 400 ms watchdog: pings every 200 ms.
	heatd := startEnv(t, dir, []string{"NOTIFY_SOCKET=" + sock.path, "WATCHDOG_USEC=400000", "WATCHDOG_PID="},
		"heatd", "-c", config)

	pings := 0
	if msg := sock.next(&pings); !strings.HasPrefix(msg, "STATUS=2 checks: ") {
		t.Errorf("first notification %q, want the status", msg)
	}
	if msg := sock.next(&pings); msg != "READY=1" {
		t.Errorf("got %q, want READY=1", msg)
	}
	sock.expect("STATUS=2 checks: 1 healthy, 1 failing, 0 recovering", &pings)
	if n := sock.pingsWithin(time.Second); n < 2 || n > 8 {
		t.Errorf("%d watchdog pings in 1s at 200ms, want about 5", n)
	}

	// A frozen heatd pings nothing; once thawed it pings again.
	heatd.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(100 * time.Millisecond)
	sock.pingsWithin(50 * time.Millisecond) // what was sent before the stop
	if n := sock.pingsWithin(time.Second); n != 0 {
		t.Errorf("%d pings from a stopped heatd", n)
	}
	heatd.cmd.Process.Signal(syscall.SIGCONT)
	if n := sock.pingsWithin(time.Second); n == 0 {
		t.Errorf("no pings after SIGCONT")
	}

	// A reload: RELOADING=1 with MONOTONIC_USEC in one datagram, then READY=1.
	os.WriteFile(config, []byte("[daemon]\nlog_dir = \"logs\"\ncontrol_socket = \"heatd.sock\"\n[check.ok]\ncommand = \"true\"\ninterval = \"200ms\"\n"), 0o644)
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	msg := sock.expect("RELOADING=1", nil)
	if lines := strings.Split(strings.TrimSpace(msg), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "MONOTONIC_USEC=") {
		t.Errorf("reloading datagram %q", msg)
	}
	sock.expectAll("READY=1", "STATUS=1 check: 1 healthy, 0 failing, 0 recovering")

	// A rejected reload says so in the status, and READY=1 follows all the same.
	os.WriteFile(config, []byte("[check.ok]\ncommand = \"true\"\ntreshold = 3\n"), 0o644)
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	sock.expect("RELOADING=1", nil)
	msg = sock.expectAll("READY=1", "STATUS=reload failed: ")["STATUS=reload failed: "]
	if !strings.Contains(msg, `key "treshold" is not known`) || !strings.HasSuffix(msg, "running the last good config: 1 check: 1 healthy, 0 failing, 0 recovering") {
		t.Errorf("status %q", msg)
	}

	heatd.cmd.Process.Signal(syscall.SIGTERM)
	sock.expect("STOPPING=1", nil)
	<-heatd.done
	heatd.cmd.Wait()
	if code := heatd.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// A notify socket whose reader stopped reading, its queue full before
// heatd starts: notifications cannot go out, and heatd must not wait on
// them. It runs its checks, and SIGTERM stops it at once.
func TestHeatdStuckNotifyReaderWedgesNothing(t *testing.T) {
	dir := t.TempDir()
	sock := newNotifySocket(t) // never read
	fill, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock.path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer fill.Close()
	for {
		fill.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := fill.Write([]byte("X=1")); err != nil {
			break
		}
	}
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, `
[daemon]
log_dir = "logs"
log_level = "debug"
control_socket = "heatd.sock"
[check.ok]
command = "true"
interval = "100ms"
`)
	heatd := startEnv(t, dir, []string{"NOTIFY_SOCKET=" + sock.path, "WATCHDOG_USEC=200000", "WATCHDOG_PID="},
		"heatd", "-c", config)
	heatd.waitFor("runs", 10*time.Second, true, atLeast(3, "check_ok", "ok"))
	begun := time.Now()
	heatd.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-heatd.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("heatd did not stop within 5s of SIGTERM; it said:\n%s", strings.Join(heatd.lines(true), "\n"))
	}
	heatd.cmd.Wait()
	if code := heatd.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	t.Logf("stopped %v after SIGTERM", time.Since(begun).Round(time.Millisecond))
}
