package action

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A held PID target is the process taken at open: it stays held after
// the Aim is closed, and stops being alive when that process exits.
func TestHoldPID(t *testing.T) {
	t.Parallel()
	r := startReceiver(t)
	aim, err := OpenTarget(Target{PID: r.pid})
	if err != nil {
		t.Fatal(err)
	}
	h, err := aim.Hold()
	if err != nil || h.PID != r.pid || !h.Alive() {
		t.Fatalf("Hold = %+v, %v; want pid %d, alive", h, err, r.pid)
	}
	defer h.Release()
	aim.Close()
	if _, err := aim.Hold(); err == nil {
		t.Error("a closed target was held")
	}
	r.stop()
	if h.Alive() {
		t.Error("the process is dead, yet held as alive")
	}
}

// A pidfile target is held as the process the file names at each Hold;
// what Send would refuse, Hold refuses, naming the pidfile.
func TestHoldPidfile(t *testing.T) {
	t.Parallel()
	r := startReceiver(t)
	pidfile := filepath.Join(t.TempDir(), "svc.pid")
	aim, _ := OpenTarget(Target{Pidfile: pidfile})
	defer aim.Close()
	for _, c := range []struct{ content, err string }{
		{"", "pidfile " + pidfile + " does not exist"},
		{"1", "pidfile " + pidfile + ": pid 1 is refused"},
		{strconv.Itoa(os.Getpid()), "pidfile " + pidfile + ": pid " + strconv.Itoa(os.Getpid()) + " is refused: it is heatd itself"},
		{"x", "pidfile " + pidfile + " does not hold a pid"},
		{strconv.Itoa(r.pid), ""},
	} {
		os.Remove(pidfile)
		if c.content != "" {
			os.WriteFile(pidfile, []byte(c.content+"\n"), 0o644)
		}
		h, err := aim.Hold()
		switch {
		case c.err == "" && (err != nil || h.PID != r.pid || !h.Alive()):
			t.Errorf("pidfile %q: Hold = %+v, %v; want pid %d, alive", c.content, h, err, r.pid)
		case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
			t.Errorf("pidfile %q: Hold error %v; want %q...", c.content, err, c.err)
		}
		h.Release()
	}
	r.stop()
	eventually(t, 2*time.Second, "a dead process held", func() bool {
		_, err := aim.Hold()
		return err != nil && strings.HasSuffix(err.Error(), "process "+strconv.Itoa(r.pid)+" has exited")
	})
}
