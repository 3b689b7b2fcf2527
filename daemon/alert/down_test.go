package alert

import (
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/daemon/alert/alerttest"
)

// TestDownAlertmanagerNeverBlocks: with an Alertmanager that refuses, hangs
// or answers 500, Fire and Resolve return at once, call after call, and the
// alert is delivered once the Alertmanager is back.
func TestDownAlertmanagerNeverBlocks(t *testing.T) {
	for _, down := range []string{"refuses", "hangs", "answers 500"} {
		t.Run(down, func(t *testing.T) {
			addr := alerttest.FreeAddr(t)
			var back *recorder
			var stop func()
			switch down {
			case "hangs":
				stop = alerttest.Hang(t, addr)
			case "answers 500":
				back = newRecorder(t, addr)
				back.failing.Store(true)
			}
			// A resend of a second: posts to the hung one time out after
			// a second, so a call that waited for one would show even
			// past the scheduler's delays on a busy machine.
			s := New(Config{URLs: []string{"http://" + addr}, Resend: time.Second}, zap.NewNop())
			defer s.Close()

			const calls = 5000
			took := make([]time.Duration, 0, calls)
			// At least a second of calls, at most ten: a Sender that
			// blocked would take minutes for them all.
			first := time.Now()
			for i := 0; (i < calls || time.Since(first) < time.Second) && time.Since(first) < 10*time.Second; i++ {
				check := string(rune('a' + i%8))
				start := time.Now()
				if i%3 == 2 {
					s.Resolve(CheckRecovering, check)
				} else {
					s.Fire(CheckRecovering, check, Annotations{ExitCode: i}, false)
				}
				took = append(took, time.Since(start))
				if i%500 == 0 {
					time.Sleep(10 * time.Millisecond) // let posts start and fail
				}
			}
			slices.Sort(took)
			p99, worst := took[len(took)*99/100], took[len(took)-1]
			t.Logf("%d calls: median %v, p99 %v, worst %v", len(took), took[len(took)/2], p99, worst)
			if p99 > time.Millisecond || worst > 500*time.Millisecond {
				t.Errorf("calls waited: p99 %v, worst %v; want under 1ms and 500ms", p99, worst)
			}
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if _, failed := s.Sent(); failed > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no post failed against an Alertmanager that %s", down)
				}
			}

			s.Fire(CheckFlapping, "back", Annotations{}, false)
			switch down {
			case "refuses":
				back = newRecorder(t, addr)
			case "hangs":
				stop()
				back = newRecorder(t, addr)
			case "answers 500":
				back.failing.Store(false)
			}
			deadline := time.Now().Add(10 * time.Second)
			for !delivered(back, "back") {
				if time.Now().After(deadline) {
					t.Fatalf("the alert never reached the Alertmanager that came back")
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// delivered tells whether rec took a firing alert for check.
func delivered(rec *recorder, check string) bool {
	for _, p := range rec.got() {
		for _, a := range p {
			if a.Labels["check"] == check && a.EndsAt.After(time.Now()) {
				return true
			}
		}
	}
	return false
}

// TestCloseBoundedByDeadAlertmanager: Close waits for its last post at most
// flushTimeout, however long the Alertmanager would hang.
func TestCloseBoundedByDeadAlertmanager(t *testing.T) {
	addr := alerttest.FreeAddr(t)
	alerttest.Hang(t, addr)
	s := New(Config{URLs: []string{"http://" + addr}, Resend: time.Hour}, zap.NewNop())
	s.Fire(CheckRecovering, "web", Annotations{}, false)
	time.Sleep(100 * time.Millisecond) // the first post is under way, hung
	s.Fire(CheckFlapping, "web", Annotations{}, false)
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > flushTimeout+time.Second {
		t.Errorf("Close took %v with a hung Alertmanager, want at most %v", d, flushTimeout)
	}
}
