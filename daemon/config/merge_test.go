package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/heatd/heatd/check"
)

// TestDefaultsTablesMerge: every table-valued key that [defaults] sets is
// merged entry by entry with the check's own, the check's entries winning
// (env and http_headers alike), and a check that writes none keeps
// [defaults]' whole table.
func TestDefaultsTablesMerge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heat.toml")
	text := `
[defaults]
env = { LANG = "C", MODE = "default" }
http_headers = { Accept = "text/plain", X-Token = "default" }

[check.own]
http = "http://localhost:8000/"
env = { MODE = "own" }
http_headers = { X-Token = "own", X-Extra = "1" }

[check.inherit]
http = "http://localhost:8000/"
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadAs(path, false)
	if err != nil {
		t.Fatal(err)
	}
	checks := checksByName(t, cfg, "inherit", "own")
	for name, want := range map[string][2]map[string]string{
		"own": {
			{"LANG": "C", "MODE": "own"},
			{"Accept": "text/plain", "X-Token": "own", "X-Extra": "1"},
		},
		"inherit": {
			{"LANG": "C", "MODE": "default"},
			{"Accept": "text/plain", "X-Token": "default"},
		},
	} {
		c := checks[name]
		if !reflect.DeepEqual(c.Env, want[0]) {
			t.Errorf("check %q: Env = %v, want %v", name, c.Env, want[0])
		}
		if !reflect.DeepEqual(c.Probe.(check.HTTPProbe).Headers, want[1]) {
			t.Errorf("check %q: HTTP.Headers = %v, want %v", name, c.Probe.(check.HTTPProbe).Headers, want[1])
		}
	}
}
