package state

import (
	"testing"

	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestMain fails the package when a test leaves a writer running: every
// Store must end with Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// open opens the store at path with a logger whose events the test reads,
// and closes it when the test ends (a second Close is harmless).
func open(t *testing.T, path string, strict bool) (*Store, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	s := Open(path, strict, zap.New(core))
	t.Cleanup(func() { s.Close() })
	return s, logs
}

// events are the names of the events logged.
func events(logs *observer.ObservedLogs) []string {
	var names []string
	for _, e := range logs.All() {
		names = append(names, e.Message)
	}
	return names
}
