package prometheus

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heatd/heatd/daemon/alert/alerttest"
)

// readmeBlock is the README's fenced yaml block whose first line is
// first, in its section "Watching a fleet".
func readmeBlock(t *testing.T, first string) string {
	t.Helper()
	text, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(text), "\n### Watching a fleet\n")
	if !ok {
		t.Fatal(`README.md has no section "Watching a fleet"`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "```yaml\n"+first+"\n")
	if !ok {
		t.Fatalf("README.md's Watching a fleet has no yaml block starting %q", first)
	}
	block, _, ok = strings.Cut(block, "```")
	if !ok {
		t.Fatalf("the README's %s block is not closed", first)
	}
	return block
}

// TestREADMEScrapeConfig: the README's prometheus.yml, with the shipped
// rules beside it as it says, is a configuration Prometheus takes.
func TestREADMEScrapeConfig(t *testing.T) {
	bin := alerttest.Need(t, "promtool")
	dir := t.TempDir()
	rules, err := os.ReadFile("heatd-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"prometheus.yml":  readmeBlock(t, "# prometheus.yml"),
		"heatd-rules.yml": string(rules),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(bin, "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 rule files found") {
		t.Errorf("promtool check config: %v\n%s", err, out)
	}
}

// TestREADMEAlertmanagerRoute: the README's alertmanager.yml is a
// configuration Alertmanager takes.
func TestREADMEAlertmanagerRoute(t *testing.T) {
	amtool := alerttest.Need(t, "amtool")
	path := filepath.Join(t.TempDir(), "alertmanager.yml")
	if err := os.WriteFile(path, []byte(readmeBlock(t, "# alertmanager.yml")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(amtool, "check-config", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Errorf("amtool check-config: %v\n%s", err, out)
	}
}
