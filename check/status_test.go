package check

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
)

// gone is a world whose target is gone: every signal fails.
type gone struct{ *world }

func (gone) Signal(syscall.Signal) (int, error) { return 0, errors.New("no such process") }

// statusAfter runs a check of spec against d for the fake time given, and
// returns its status then.
func statusAfter(spec Spec, d Doer, after time.Duration) Status {
	c := New(&spec, Options{Doer: d, Log: zap.NewNop()})
	stop, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(stop, context.Background()) }()
	time.Sleep(after)
	s := c.Status()
	cancel()
	<-done
	return s
}

// The counters a scrape reads are counted when things happen: attempts,
// failed attempts and failed signals, by occasion; the last ok run's start
// stays when failures follow it.
func TestStatusCountsRecoveriesAndFailedSignals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0, 5))
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 2, Recovery: "/r",
			Signal: syscall.SIGHUP, FaultSignal: syscall.SIGUSR1, SuccessSignal: syscall.SIGUSR2}
		// ok at 0; failing at 10 and 20; attempt 1 at 20, verified by runs
		// at 20 and 30, which fail; attempt 2 at 40.
		s := statusAfter(spec, gone{w}, 45*time.Second)
		if s.RecoveryAttempts != 2 || s.RecoveriesFailed != 1 || s.Recoveries != 0 {
			t.Errorf("attempts %d, failed %d, verified %d; want 2, 1, 0", s.RecoveryAttempts, s.RecoveriesFailed, s.Recoveries)
		}
		want := map[SignalKind]uint64{SignalFailure: 2, SignalFault: 2}
		if len(s.SignalsFailed) != len(want) || s.SignalsFailed[SignalFailure] != 2 || s.SignalsFailed[SignalFault] != 2 {
			t.Errorf("failed signals %v, want %v", s.SignalsFailed, want)
		}
		if len(s.Signals) != 0 {
			t.Errorf("signals sent %v, want none", s.Signals)
		}
		if !s.LastOK.Equal(w.t0) || !s.LastRun.Equal(w.t0.Add(40*time.Second)) {
			t.Errorf("last ok %v, last run %v; want %v and 40 s later", s.LastOK, s.LastRun, w.t0)
		}
	})
}

// A recovery verified at once still counts its attempt, however briefly
// the check was recovering.
func TestStatusCountsAQuickRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(3))
		w.fix = true
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r"}
		s := statusAfter(spec, w, 5*time.Second)
		if s.RecoveryAttempts != 1 || s.RecoveriesFailed != 0 || s.Recoveries != 1 || s.Health() != Healthy {
			t.Errorf("attempts %d, failed %d, verified %d, %s; want 1, 0, 1, healthy",
				s.RecoveryAttempts, s.RecoveriesFailed, s.Recoveries, s.Health())
		}
		if !s.LastOK.Equal(w.t0) {
			t.Errorf("last ok %v, want the verification run's start %v", s.LastOK, w.t0)
		}
	})
}
