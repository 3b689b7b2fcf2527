package heatd

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// heatd -t prints a key that can have no effect as a warning on stderr,
// and the configuration is still valid: exit 0, "config OK" on stdout.
func TestCheckPrintsKeyUnused(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "heat.toml")
	text := "[daemon]\ncontrol_socket = \"heatd.sock\"\n\n[check.web]\ncommand = \"true\"\nrecovery_timeout = \"10s\"\n"
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run("dev", []string{"-t", "-c", name}, &stdout, &stderr); code != 0 {
		t.Fatalf("heatd -t: exit %d, stderr:\n%s", code, stderr.String())
	}
	if got, want := stdout.String(), "config OK: 1 check\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	want := "warning: " + name + `:6: check "web": key "recovery_timeout" is unused: it has no effect without "threshold", ` +
		`the consecutive failures that start recovery; set "threshold", or remove it` + "\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
	}
}
