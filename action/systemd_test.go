package action

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startBus runs a real D-Bus daemon listening at sock, with no systemd on
// it, until the test ends or stop is called.
func startBus(t *testing.T, sock string) (stop func()) {
	t.Helper()
	os.Remove(sock)
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nosyslog", "--address=unix:path="+sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	t.Cleanup(stop)
	// The socket's file is there once bound, before the bus listens on it:
	// a connection refused then sends go-systemd on to systemd's private
	// socket. Ready is when a connection is taken.
	eventually(t, 10*time.Second, "the bus socket", func() bool {
		c, err := net.Dial("unix", sock)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	return stop
}

// The connection is opened at the first restart and opened again once it
// has dropped: a bus that restarts between two restarts costs the second
// nothing. The bus here has no systemd, so each restart ends in the bus's
// own answer that nobody owns systemd's name, which only a live connection
// gets.
func TestSystemdReconnects(t *testing.T) {
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("no dbus-daemon to run a bus")
	}
	sock := filepath.Join(t.TempDir(), "bus")
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+sock)
	stop := startBus(t, sock)
	sd := NewSystemd()
	defer sd.Close()
	if sd.conn != nil {
		t.Fatal("connected before the first restart")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const noOwner = "org.freedesktop.systemd1"
	if _, err := sd.Restart(ctx, "web.service"); err == nil || !strings.Contains(err.Error(), noOwner) {
		t.Fatalf("first restart: %v; want the bus saying nobody has %s", err, noOwner)
	}
	first := sd.conn

	stop()
	startBus(t, sock)
	if _, err := sd.Restart(ctx, "web.service"); err == nil || !strings.Contains(err.Error(), noOwner) {
		t.Fatalf("restart after the bus restarted: %v; want the new bus saying nobody has %s", err, noOwner)
	}
	if sd.conn == first || sd.conn == nil {
		t.Error("the dropped connection is still the one in use")
	}
}
