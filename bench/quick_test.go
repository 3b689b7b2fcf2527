package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuickSmoke runs the whole suite in -quick mode, which keeps every
// path of it working: it builds heatd, runs it, monit and HEAT when they are
// installed, and writes the report. It judges no timing; what is missing
// (cc, monit, python3, curl, perf) is logged and left out, never a failure.
func TestQuickSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs heatd, monit and HEAT for about twenty seconds")
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs Linux's /proc")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command to build heatd")
	}
	for _, tool := range []string{"cc", "monit", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("%s is not installed: its part of the suite is left out", tool)
		}
	}
	md := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-quick", "-out", md}, &stdout, &stderr); code != 0 {
		t.Fatalf("heatbench -quick exited %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	t.Log(stdout.String())
	report, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Machine", "## Results", "heatd: script", "Start and reload", "Punctuality"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("the report has no %q:\n%s", want, report)
		}
	}
}
