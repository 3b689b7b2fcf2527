package check

import (
	"errors"
	"testing"
	"time"
)

// A check whose runs cannot start (a command that execve refuses, no
// processes left) is never shown healthy, though run_error counts no
// failure; the next run that completes says how it is again.
func TestRunErrorIsNotHealthy(t *testing.T) {
	var c Check
	if h := c.Health(); h != Healthy {
		t.Fatalf("before any run: %q", h)
	}
	c.record(&Result{Err: errors.New("exec: no such file"), Start: time.Now()}, &State{})
	if h, s := c.Health(), c.Status(); h == Healthy || s.LastResult != "run_error" || s.LastCode != -1 || s.RunErrors != 1 || s.Runs != 0 {
		t.Errorf("after a run_error: health %q, last result %q, %d run errors, %d runs", h, s.LastResult, s.RunErrors, s.Runs)
	}
	c.record(&Result{Code: 0, Start: time.Now()}, &State{})
	if h := c.Health(); h != Healthy {
		t.Errorf("after an ok run: %q", h)
	}
}
