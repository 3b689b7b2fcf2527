package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyUnused: recovery_timeout, fault_signal, success_signal and the
// backoff and limit keys written in a check's own table without threshold
// can have no effect, nor flap_low and flap_high without flap_detection,
// nor watch_target without a target: a key_unused warning each, at its
// line, and the config is valid. Through [defaults] they are silent, and
// so they are beside what they need, the check's own or [defaults]'; and
// "none", which says "not set", is never unused.
func TestKeyUnused(t *testing.T) {
	dir := t.TempDir()
	pid := os.Getpid()
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"own keys without threshold", fmt.Sprintf(`[defaults]
recovery_timeout = "5s"

[check.a]
command = "true"
pid = %d
recovery_timeout = "10s"
fault_signal = "USR1"
success_signal = "USR2"

[check.b]
command = "true"
pid = %d
threshold = 2
recovery_timeout = "10s"
fault_signal = "USR1"

[check.c]
command = "true"
`, pid, pid), []string{
			`$F:7: check "a": key "recovery_timeout" is unused: it has no effect without "threshold", the consecutive failures that start recovery; set "threshold", or remove it`,
			`$F:8: check "a": key "fault_signal" is unused: it has no effect without "threshold", the consecutive failures that start recovery; set "threshold", or remove it`,
			`$F:9: check "a": key "success_signal" is unused: it has no effect without "threshold", the consecutive failures that start recovery; set "threshold", or remove it`,
		}},
		{"threshold from [defaults]", fmt.Sprintf(`[defaults]
threshold = 3

[check.d]
command = "true"
pid = %d
recovery_timeout = "10s"
success_signal = "USR2"
`, pid), nil},
		{"bounds of remediation", fmt.Sprintf(`[check.f]
command = "true"
pid = %d
fault_signal = "none"
recovery_backoff = "10s"
recovery_backoff_max = "1m"
recovery_limit_window = "2h"
flap_low = 10
flap_high = 40

[check.g]
command = "true"
watch_target = false

[check.h]
command = "true"
pid = %d
threshold = 2
flap_detection = true
recovery_backoff = "10s"
flap_low = 10
watch_target = false
`, pid, pid), []string{
			`$F:5: check "f": key "recovery_backoff" is unused: it has no effect without "threshold", the consecutive failures that start recovery; set "threshold", or remove it`,
			`$F:6: check "f": key "recovery_backoff_max" is unused: it has no effect without "threshold", the consecutive failures that start recovery; set "threshold", or remove it`,
			`$F:7: check "f": key "recovery_limit_window" is unused: it has no effect without "threshold", the consecutive failures that start recovery; set "threshold", or remove it`,
			`$F:8: check "f": key "flap_low" is unused: it has no effect without "flap_detection"; set flap_detection = true, or remove it`,
			`$F:9: check "f": key "flap_high" is unused: it has no effect without "flap_detection"; set flap_detection = true, or remove it`,
			`$F:13: check "g": key "watch_target" is unused: it has no effect without a target; set "pid" or "pidfile", or remove it`,
		}},
		{"only [defaults]", fmt.Sprintf(`[defaults]
recovery_timeout = "10s"
fault_signal = "USR1"

[check.e]
command = "true"
pid = %d
`, pid), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".toml")
			if err := os.WriteFile(name, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := loadAs(name, false)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var got []string
			for _, e := range cfg.Unused {
				got = append(got, strings.ReplaceAll(e.Error(), name, "$F"))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("key_unused warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if len(cfg.Warnings) != 0 {
				t.Errorf("other warnings: %q", cfg.Warnings)
			}
		})
	}
}
