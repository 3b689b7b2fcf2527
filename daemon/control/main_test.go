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
	paused  []check.Pause
	resumed []int // the uids that resumed
	run     func(ctx context.Context) (check.Result, error)
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

// Pause records the pause of known names, as the engine takes it.
func (f *fakeSource) Pause(names []string, p check.Pause) ([]string, error) {
	done, err := f.known(names)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = append(f.paused, p)
	return done, nil
}

// Resume records the uid that resumed known names.
func (f *fakeSource) Resume(names []string, uid int) ([]string, error) {
	done, err := f.known(names)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resumed = append(f.resumed, uid)
	return done, nil
}

// Run answers with f.run's result for a known name.
func (f *fakeSource) Run(ctx context.Context, name string) (check.Result, error) {
	if _, err := f.known([]string{name}); err != nil {
		return check.Result{}, err
	}
	if f.run == nil {
		return check.Result{}, nil
	}
	return f.run(ctx)
}

// known is names (nil: every check), sorted, or an *check.UnknownError.
func (f *fakeSource) known(names []string) ([]string, error) {
	var all, unknown []string
	for _, s := range f.statuses {
		all = append(all, s.Name)
	}
	if names == nil {
		slices.Sort(all)
		return all, nil
	}
	for _, n := range names {
		if !slices.Contains(all, n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return nil, &check.UnknownError{Names: unknown}
	}
	names = slices.Clone(names)
	slices.Sort(names)
	return names, nil
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
