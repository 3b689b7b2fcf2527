package control

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/heatd/heatd/check"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// connection, handler and client must end with its server.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeSource is a heatd with fixed statuses and a reload of the test's
// choosing.
type fakeSource struct {
	statuses []check.Status
	reload   func(ctx context.Context) error

	mu      sync.Mutex
	reloads int
	beats   map[string][]check.Beat // by heartbeat check: those a name here takes
}

// Beat records b for a heartbeat check, as the engine hands it on.
func (f *fakeSource) Beat(name string, b check.Beat) error {
	if err := b.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.beats[name]; !ok {
		exists := slices.ContainsFunc(f.statuses, func(s check.Status) bool { return s.Name == name })
		return &check.NoHeartbeatError{Name: name, Exists: exists}
	}
	f.beats[name] = append(f.beats[name], b)
	return nil
}

func (f *fakeSource) Statuses() []check.Status { return f.statuses }

func (f *fakeSource) Reload(ctx context.Context) error {
	f.mu.Lock()
	f.reloads++
	f.mu.Unlock()
	if f.reload == nil {
		return nil
	}
	return f.reload(ctx)
}

// testLimits are the server's limits, short enough for a test to see them.
func testLimits() limits {
	return limits{header: 200 * time.Millisecond, request: time.Second, idle: time.Second, grace: 200 * time.Millisecond}
}

// serve listens at path and serves src until the test ends.
func serve(t *testing.T, path string, lim limits, src Source) *Server {
	t.Helper()
	s, err := listen(path, lim)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(src) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s
}

// ctx is a test request's context.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}
