package daemon

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heatd/heatd/daemon/config"
)

// A parse that never ends is abandoned at its deadline: the reload is
// rejected, not stuck.
func TestLoadWithinDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		stuck := func(string) (*config.Config, error) { <-release; return nil, nil }
		start := time.Now()
		cfg, err := loadWithin(stuck, "/etc/heat.toml", parseDeadline)
		if cfg != nil || err == nil || err.Error() != "/etc/heat.toml: not parsed within 30s; the reload is rejected" {
			t.Errorf("loadWithin = %v, %v", cfg, err)
		}
		if took := time.Since(start); took != parseDeadline {
			t.Errorf("gave up after %v, want %v", took, parseDeadline)
		}
	})
}

// A parse that panics is a rejected reload, not a dead daemon.
func TestLoadWithinPanic(t *testing.T) {
	broken := func(string) (*config.Config, error) { panic("index out of range") }
	cfg, err := loadWithin(broken, "/etc/heat.toml", parseDeadline)
	if cfg != nil || err == nil || err.Error() != "/etc/heat.toml: cannot be parsed: index out of range" {
		t.Errorf("loadWithin = %v, %v", cfg, err)
	}
	want := errors.New("x")
	if _, err := loadWithin(func(string) (*config.Config, error) { return nil, want }, "f", parseDeadline); err != want {
		t.Errorf("the loader's own error became %v", err)
	}
}
