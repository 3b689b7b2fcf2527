package sdnotify

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listen makes a real notify socket and points NOTIFY_SOCKET at it.
func listen(t *testing.T) *net.UnixConn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return conn
}

func read(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func nothing(t *testing.T, conn *net.UnixConn) {
	t.Helper()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := conn.Read(buf); err == nil {
		t.Errorf("unexpected datagram %q", buf[:n])
	}
}

func TestNotifications(t *testing.T) {
	conn := listen(t)
	n := New(nil)
	defer n.Close()
	n.Ready()
	if got := read(t, conn); got != "READY=1" {
		t.Errorf("got %q", got)
	}
	n.Reloading()
	got := read(t, conn)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 2 || lines[0] != "RELOADING=1" || !strings.HasPrefix(lines[1], "MONOTONIC_USEC=") {
		t.Errorf("reloading sent %q, want RELOADING=1 and MONOTONIC_USEC in one datagram", got)
	}
	n.Stopping()
	if got := read(t, conn); got != "STOPPING=1" {
		t.Errorf("got %q", got)
	}
	n.Watchdog()
	if got := read(t, conn); got != "WATCHDOG=1" {
		t.Errorf("got %q", got)
	}
	// NOTIFY_SOCKET stays for later messages.
	n.Ready()
	if got := read(t, conn); got != "READY=1" {
		t.Errorf("got %q", got)
	}
}

func TestStatusAtMostOnceASecond(t *testing.T) {
	conn := listen(t)
	n := New(nil)
	defer n.Close()
	t0 := time.Now()
	n.Status("1 check: 1 healthy, 0 failing, 0 recovering", t0)
	if got := read(t, conn); got != "STATUS=1 check: 1 healthy, 0 failing, 0 recovering" {
		t.Errorf("got %q", got)
	}
	n.Status("1 check: 0 healthy, 1 failing, 0 recovering", t0.Add(300*time.Millisecond))
	nothing(t, conn)
	n.Status("1 check: 0 healthy, 1 failing, 0 recovering", t0.Add(time.Second))
	if got := read(t, conn); got != "STATUS=1 check: 0 healthy, 1 failing, 0 recovering" {
		t.Errorf("got %q", got)
	}
	n.Status("1 check: 0 healthy, 1 failing, 0 recovering", t0.Add(5*time.Second))
	nothing(t, conn) // unchanged
}

func TestWithoutSocketNothingHappens(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	var errs []error
	n := New(func(err error) { errs = append(errs, err) })
	n.Ready()
	n.Status("x", time.Now())
	n.Stopping()
	if len(errs) != 0 {
		t.Errorf("errors without a socket: %v", errs)
	}
}

func TestFirstFailureOnly(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "nobody-listens"))
	var errs []error
	n := New(func(err error) { errs = append(errs, err) })
	n.Ready()
	n.Watchdog()
	n.Stopping()
	n.Close() // the failures are the sender's: seen once it has ended
	if len(errs) != 1 || errs[0] == nil {
		t.Errorf("errors %v, want exactly one", errs)
	}
}

func TestWatchdogInterval(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "4000000")
	t.Setenv("WATCHDOG_PID", "")
	if d := WatchdogInterval(); d != 2*time.Second {
		t.Errorf("WatchdogInterval() = %v, want 2s", d)
	}
	t.Setenv("WATCHDOG_PID", "1") // another process's watchdog
	if d := WatchdogInterval(); d != 0 {
		t.Errorf("WatchdogInterval() = %v for another pid, want 0", d)
	}
	t.Setenv("WATCHDOG_USEC", "")
	t.Setenv("WATCHDOG_PID", "")
	if d := WatchdogInterval(); d != 0 {
		t.Errorf("WatchdogInterval() = %v without a watchdog, want 0", d)
	}
}

// A notify socket whose reader has stopped reading fills up; a write to it
// then waits for room. heatd's main loop sends every notification, so no
// call may wait: each returns at once, and Close returns within its bound.
func TestStuckReaderBlocksNothing(t *testing.T) {
	conn := listen(t) // never read
	n := New(nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Ready()
		for range 1000 {
			n.Watchdog()
		}
		n.Stopping()
		n.Close()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("notifications to a socket nobody reads blocked their caller")
	}
	// What did get through came in order.
	if got := read(t, conn); got != "READY=1" {
		t.Errorf("first datagram %q, want READY=1", got)
	}
}
