// Package prometheus holds heatd's alerting rules for Prometheus
// (heatd-rules.yml) and their unit tests (heatd-rules.test.yml).
package prometheus

import (
	"os/exec"
	"testing"

	"github.com/heatd/heatd/daemon/alert/alerttest"
)

// TestRules checks the rules' syntax and runs their unit tests: every
// alert fires on the series that should fire it, with its labels and
// summary, and not before its time.
func TestRules(t *testing.T) {
	bin := alerttest.Need(t, "promtool")
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
