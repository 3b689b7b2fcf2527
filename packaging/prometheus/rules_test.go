// Package prometheus holds heatd's alerting rules for Prometheus
// (heatd-rules.yml) and their unit tests (heatd-rules.test.yml).
package prometheus

import (
	"os"
	"os/exec"
	"testing"
)

// promtool is Prometheus' own checker. The rules are only proven by it, so
// on CI (CI set, where .ci/run installs Debian's prometheus package) a
// missing promtool fails the test instead of skipping it.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is not installed (Debian: apt-get install prometheus)")
		}
		t.Skip("promtool is not installed (Debian: apt-get install prometheus)")
	}
	return path
}

// TestRules checks the rules' syntax and runs their unit tests: every
// alert fires on the series that should fire it, with its labels and
// summary, and not before its time.
func TestRules(t *testing.T) {
	bin := promtool(t)
	for _, args := range [][]string{
		{"check", "rules", "heatd-rules.yml"},
		{"test", "rules", "heatd-rules.test.yml"},
	} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}
