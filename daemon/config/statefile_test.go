package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStateFileOff: state_file = "" keeps no state file, and a relative
// path starts in the config's folder.
func TestStateFileOff(t *testing.T) {
	dir := t.TempDir()
	for text, want := range map[string]string{
		`state_file = ""`:           "",
		`state_file = "state.json"`: filepath.Join(dir, "state.json"),
		``:                          "/var/lib/heatd/state.json",
	} {
		path := filepath.Join(dir, "heat.toml")
		if err := os.WriteFile(path, []byte("[daemon]\n"+text+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadAs(path, false)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if cfg.Daemon.StateFile != want {
			t.Errorf("%s: StateFile %q, want %q", text, cfg.Daemon.StateFile, want)
		}
	}
}
