package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyUnused: recovery_timeout, fault_signal and success_signal
// written in a check's own table without threshold can have no effect: a
// key_unused warning each, at its line, and the config is valid. Through
// [defaults] they are silent, and so they are beside a threshold, the
// check's own or [defaults]'.
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
