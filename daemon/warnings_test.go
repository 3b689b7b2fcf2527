package daemon

import (
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/daemon/config"
)

// A key that can have no effect where it is written is a key_unused event
// at each load, with the check and the key, at warn level.
func TestKeyUnusedEvent(t *testing.T) {
	name := filepath.Join(t.TempDir(), "heat.toml")
	text := "[daemon]\ncontrol_socket = \"heatd.sock\"\n\n[check.web]\ncommand = \"true\"\nrecovery_timeout = \"10s\"\n"
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.DebugLevel)
	logWarnings(zap.New(core), cfg)
	events := logs.FilterMessage("key_unused").All()
	if len(events) != 1 {
		t.Fatalf("key_unused events: %v, want one", logs.All())
	}
	e := events[0]
	fields := e.ContextMap()
	if e.Level != zapcore.WarnLevel || fields["check"] != "web" || fields["key"] != "recovery_timeout" ||
		fields["warning"] != cfg.Unused[0].Error() {
		t.Errorf("key_unused event: %v %v", e.Level, fields)
	}
}
