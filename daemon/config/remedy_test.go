package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

// The keys that bound remediation reach the Spec, [defaults] under a
// check's own, and "none" or "" unset what [defaults] gives.
func TestRemedyKeys(t *testing.T) {
	dir := t.TempDir()
	fail := filepath.Join(dir, "fail")
	if err := os.WriteFile(fail, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "heat.toml")
	if err := os.WriteFile(config, []byte(`
[defaults]
fail = "fail"
recovery = "fail"
threshold = 3
signal = "HUP"
fault_signal = "USR1"
success_signal = "USR2"
retry_interval = "5s"
recovery_limit = 4

[check.plain]
command = "true"
pid = 4242

[check.bounded]
command = "true"
fail = ""
recovery = ""
signal = "none"
fault_signal = "none"
success_signal = "none"
start_period = "1m"
success_threshold = 2
watch_target = false
recovery_backoff = "10s"
recovery_backoff_max = 20
recovery_limit = 5
recovery_limit_window = "30m"
flap_detection = true
flap_low = 10
flap_high = 50
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadAs(config, false)
	if err != nil {
		t.Fatal(err)
	}
	checks := checksByName(t, cfg, "bounded", "plain")
	p, b := checks["plain"], checks["bounded"]
	if p.Fail != fail || p.Signal == 0 || p.RetryInterval != 5*time.Second || p.RecoveryLimit != 4 || p.NoWatch ||
		p.RecoveryBackoffMax != 0 || p.FlapLow != 0 || p.SuccessThreshold != 0 {
		t.Errorf("plain: %+v", p)
	}
	want := check.Spec{Threshold: 3, RetryInterval: 5 * time.Second,
		StartPeriod: time.Minute, SuccessThreshold: 2, NoWatch: true,
		RecoveryBackoff: 10 * time.Second, RecoveryBackoffMax: 20 * time.Second,
		RecoveryLimit: 5, RecoveryLimitWindow: 30 * time.Minute,
		FlapDetection: true, FlapLow: 10, FlapHigh: 50}
	got := b
	got.Name, got.Probe, got.Interval, got.Timeout, got.ScriptTimeout, got.HeatLog, got.Dir =
		"", nil, 0, 0, 0, "", ""
	sameSpec(t, got, want)
}
