package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// One heatd binary is heatd, heat and heatctl by the name it is run as,
// through a relative symlink as the .deb installs them; a copy under any
// other name is heatd.
func TestRunAsEachName(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "heatd")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=9.9-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, name := range []string{"heat", "heatctl"} {
		if err := os.Symlink("heatd", filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(bin, filepath.Join(dir, "heatd.new")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, version, help string }{
		{"heatd", "heatd 9.9-test", "heatd runs many named health checks"},
		{"heat", "heat 9.9-test", "heat runs one health check"},
		{"heatctl", "heatctl 9.9-test", "heatctl asks a running heatd"},
		{"heatd.new", "heatd 9.9-test", "heatd runs many named health checks"},
	} {
		out, err := exec.Command(filepath.Join(dir, c.name), "-version").Output()
		if err != nil || strings.TrimSpace(string(out)) != c.version {
			t.Errorf("%s -version: %q, %v; want %q", c.name, out, err, c.version)
		}
		// -h goes to stdout for heat and heatctl, to stderr for heatd.
		out, err = exec.Command(filepath.Join(dir, c.name), "-h").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), c.help) {
			t.Errorf("%s -h: %v\n%s\nwant it to begin %q", c.name, err, out, c.help)
		}
	}
}
