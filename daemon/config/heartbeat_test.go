package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

// A heartbeat check is read from its key alone, its interval a tenth of the
// heartbeat (1s at least) unless the check or [defaults] sets one.
func TestHeartbeatKeys(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		every      time.Duration
		interval   time.Duration
	}{
		{"tenth", `heartbeat = "10m"`, 10 * time.Minute, time.Minute},
		{"seconds", `heartbeat = 3600`, time.Hour, 6 * time.Minute},
		{"floor", `heartbeat = "5s"`, 5 * time.Second, time.Second},
		{"own", "heartbeat = \"1h\"\ninterval = \"10s\"", time.Hour, 10 * time.Second},
		{"defaults", "heartbeat = \"1h\"\n[defaults]\ninterval = \"2s\"", time.Hour, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "heat.toml")
			if err := os.WriteFile(path, []byte("[check.backup]\n"+tc.text+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := loadAs(path, false)
			if err != nil {
				t.Fatal(err)
			}
			c := checksByName(t, cfg, "backup")["backup"]
			if want := (check.HeartbeatProbe{Every: tc.every}); c.Probe != want {
				t.Errorf("probe %#v, want %#v", c.Probe, want)
			}
			if c.Interval != tc.interval {
				t.Errorf("interval %v, want %v", c.Interval, tc.interval)
			}
		})
	}
}

// The kind that sets the default interval is the check's own: a command
// beside a heartbeat check keeps 30s.
func TestHeartbeatIntervalIsItsOwn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heat.toml")
	text := "[check.backup]\nheartbeat = \"1h\"\n[check.web]\ncommand = \"true\"\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadAs(path, false)
	if err != nil {
		t.Fatal(err)
	}
	checks := checksByName(t, cfg, "backup", "web")
	if got := checks["web"].Interval; got != 30*time.Second {
		t.Errorf("the command's interval %v, want 30s", got)
	}
	if got := checks["backup"].Interval; got != 6*time.Minute {
		t.Errorf("the heartbeat's interval %v, want 6m", got)
	}
}
