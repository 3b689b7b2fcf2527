package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ControlSocket finds the socket a file names, relative to its folder, or
// the default, even when the rest of the file is wrong; a file that is not
// TOML, or a socket key that is wrong, is an error naming file and line.
func TestControlSocket(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, text, want, err string
	}{
		{"default", "[check.a]\ncommand = \"true\"\n", "/run/heatd/heatd.sock", ""},
		{"relative", "[daemon]\ncontrol_socket = \"run/h.sock\"\n", filepath.Join(dir, "run/h.sock"), ""},
		{"absolute", "[daemon]\ncontrol_socket = \"/tmp/x.sock\"\n", "/tmp/x.sock", ""},
		{"errors elsewhere", "[daemon]\ncontrol_socket = \"h.sock\"\nlog_level = \"loud\"\n[check.a]\ntreshold = 3\n",
			filepath.Join(dir, "h.sock"), ""},
		{"not toml", "[daemon\n", "", "TOML syntax error"},
		{"bad key", "[daemon]\n\ncontrol_socket = 7\n", "", `:3: [daemon] key "control_socket"`},
		{"not a table", "daemon = 3\n", "", `[daemon]: must be a table`},
	} {
		path := filepath.Join(dir, c.name+".toml")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ControlSocket(path)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: %q, %v; want an error with %q", c.name, got, err, c.err)
		}
	}
	if _, err := ControlSocket(filepath.Join(dir, "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("a missing file: %v", err)
	}
}
