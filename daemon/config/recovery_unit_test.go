package config

import (
	"path/filepath"
	"testing"
)

// TestValidRecoveryUnit: a unit name is completed as systemctl completes
// it, and a check's own recovery_unit replaces the recovery script that
// [defaults] gives, which the other checks keep.
func TestValidRecoveryUnit(t *testing.T) {
	checks := checksByName(t, mustLoad(t, "valid-recovery-unit.toml"), "bare", "dotted", "instance", "script", "socket")
	script := filepath.Join(testdataDir(t), "bin/ok.sh")
	for name, want := range map[string][2]string{
		"bare":     {"nginx.service", ""},
		"dotted":   {"php8.2-fpm.service", ""},
		"instance": {"getty@tty1.service", ""},
		"socket":   {"sshd.socket", ""},
		"script":   {"", script},
	} {
		c := checks[name]
		if got := [2]string{c.RecoveryUnit, c.Recovery}; got != want {
			t.Errorf("check %q: recovery_unit, recovery = %q, want %q", name, got, want)
		}
		if c.Threshold != 3 {
			t.Errorf("check %q: threshold = %d, want 3", name, c.Threshold)
		}
	}
}
