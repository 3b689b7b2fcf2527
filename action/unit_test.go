package action

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// noSuchUnit is a unit no host has: where a bus answers, systemd refuses
// it, and where none does, the connection fails; either way the restart
// cannot start.
const noSuchUnit = "heatd-test-no-such-unit.service"

// readLog is the heat log's text, each line's "UNIX: " prefix dropped.
func readLog(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		_, text, _ := strings.Cut(l, ": ")
		lines = append(lines, text)
	}
	return lines
}

// A restart that systemd cannot be asked for is a StartErr (run_error),
// with the heat log saying so after its "restarting" line.
func TestRestartUnitCannotStart(t *testing.T) {
	sd := NewSystemd()
	defer sd.Close()
	log := HeatLog{Path: filepath.Join(t.TempDir(), "c.log")}
	out, logErr := RestartUnit(context.Background(), UnitRestart{
		Unit: noSuchUnit, Attempt: 2, Timeout: 10 * time.Second, Log: log, Systemd: sd,
	})
	if logErr != nil {
		t.Fatal(logErr)
	}
	if out.StartErr == nil || out.Unit != noSuchUnit || out.TimedOut || out.Interrupted {
		t.Fatalf("outcome %+v; want a StartErr for %s", out, noSuchUnit)
	}
	if !strings.Contains(out.StartErr.Error(), "restart unit "+noSuchUnit+": ") {
		t.Errorf("StartErr %q does not name the unit", out.StartErr)
	}
	lines := readLog(t, log.Path)
	if len(lines) != 2 || lines[0] != "restarting unit "+noSuchUnit+" (attempt 2)" ||
		!strings.HasPrefix(lines[1], "unit "+noSuchUnit+" restart could not start: ") {
		t.Errorf("heat log %q", lines)
	}
}

// A bus that accepts and never answers costs the restart its timeout
// (script_timeout), as a hung script does: code 124, result "timeout".
func TestRestartUnitTimesOut(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() // never accepted: the dial waits for an answer
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+sock)
	sd := NewSystemd()
	defer sd.Close()
	log := HeatLog{Path: filepath.Join(t.TempDir(), "c.log")}
	start := time.Now()
	out, _ := RestartUnit(context.Background(), UnitRestart{
		Unit: "web.service", Attempt: 1, Timeout: 300 * time.Millisecond, Log: log, Systemd: sd,
	})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v; want about the 300ms timeout", took)
	}
	if !out.TimedOut || out.Code != 124 || out.Result != "timeout" || out.StartErr != nil {
		t.Fatalf("outcome %+v; want timed out, code 124", out)
	}
	lines := readLog(t, log.Path)
	if len(lines) != 2 || lines[1] != "unit web.service restart: no result after 300ms (script_timeout); systemd goes on with the job" {
		t.Errorf("heat log %q", lines)
	}
}

// A stop that came before the restart asks nothing of systemd and writes
// nothing.
func TestRestartUnitStopping(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	log := HeatLog{Path: filepath.Join(t.TempDir(), "c.log")}
	out, _ := RestartUnit(ctx, UnitRestart{Unit: "web.service", Timeout: time.Second, Log: log, Systemd: NewSystemd()})
	if !out.Interrupted || out.StartErr == nil {
		t.Errorf("outcome %+v; want interrupted, not started", out)
	}
	if _, err := os.Stat(log.Path); !os.IsNotExist(err) {
		t.Errorf("heat log written: %v", err)
	}
}

// After Close, a restart fails at once rather than opening a connection
// that nothing would close.
func TestSystemdClosed(t *testing.T) {
	sd := NewSystemd()
	sd.Close()
	if _, err := sd.Restart(context.Background(), "web.service"); err != errClosed {
		t.Errorf("Restart after Close: %v, want %v", err, errClosed)
	}
}
