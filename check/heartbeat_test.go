package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// beatRun runs r's check once and says what came of it: "ok", or the code and
// output.
func beatRun(t *testing.T, r *Runner) string {
	t.Helper()
	res := r.Check(context.Background())
	if res.Err != nil || res.PID != 0 {
		t.Fatalf("a heartbeat run: %+v", res)
	}
	if res.Code == 0 {
		if len(res.Output) != 0 {
			t.Errorf("an ok run with output %q", res.Output)
		}
		return "ok"
	}
	return fmt.Sprintf("%s (%d)", strings.TrimSuffix(string(res.Output), "\n"), res.Code)
}

// newHeartbeat is the Runner of a `heartbeat = every` check.
func newHeartbeat(t *testing.T, every time.Duration) *Runner {
	t.Helper()
	r, _ := NewRunner(&Spec{Name: "backup", Probe: HeartbeatProbe{Every: every}}, nil, nil)
	t.Cleanup(func() { r.Close() })
	return r
}

// With no beat yet, the wait counts from when the check began: ok while it
// is younger than the heartbeat, failed with code 1 from then on.
func TestHeartbeatCountsFromStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newHeartbeat(t, 10*time.Minute)
		time.Sleep(10*time.Minute - time.Nanosecond)
		if got := beatRun(t, r); got != "ok" {
			t.Errorf("just before the heartbeat: %s, want ok", got)
		}
		time.Sleep(time.Nanosecond)
		if got, want := beatRun(t, r), "no heartbeat for 10m (1)"; got != want {
			t.Errorf("at the heartbeat: %s, want %s", got, want)
		}
		time.Sleep(time.Hour)
		if got, want := beatRun(t, r), "no heartbeat for 10m (1)"; got != want {
			t.Errorf("an hour later: %s, want %s", got, want)
		}
	})
}

// Each beat starts the wait again: the check is ok while the latest beat
// is younger than the heartbeat, and fails once it is not.
func TestHeartbeatOkWhileYoung(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newHeartbeat(t, time.Minute)
		for range 5 {
			time.Sleep(50 * time.Second)
			if err := r.Beat(Beat{}); err != nil {
				t.Fatal(err)
			}
			if got := beatRun(t, r); got != "ok" {
				t.Fatalf("after a beat: %s", got)
			}
		}
		time.Sleep(59 * time.Second)
		if got := beatRun(t, r); got != "ok" {
			t.Errorf("59s after the last beat: %s, want ok", got)
		}
		time.Sleep(time.Second)
		if got := beatRun(t, r); got != "no heartbeat for 1m (1)" {
			t.Errorf("1m after the last beat: %s", got)
		}
		r.Beat(Beat{})
		if got := beatRun(t, r); got != "ok" {
			t.Errorf("a late beat: %s, want ok", got)
		}
	})
}

// A failed job's report fails the next run with the job's code and
// message, once; as a report, it starts the wait again.
func TestHeartbeatFailedJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newHeartbeat(t, time.Hour)
		time.Sleep(30 * time.Minute)
		r.Beat(Beat{Code: 3, Message: "disk full\nsecond line"})
		if got, want := beatRun(t, r), "disk full second line (3)"; got != want {
			t.Errorf("after a failed job: %s, want %s", got, want)
		}
		if got := beatRun(t, r); got != "ok" {
			t.Errorf("the run after: %s, want ok", got)
		}
		time.Sleep(59 * time.Minute)
		if got := beatRun(t, r); got != "ok" {
			t.Errorf("59m after the failed job's report: %s, want ok", got)
		}
		r.Beat(Beat{Code: 2})
		r.Beat(Beat{}) // a later good report does not erase the failure
		if got, want := beatRun(t, r), "the job reported a failure, code 2 (2)"; got != want {
			t.Errorf("a failure with no message: %s, want %s", got, want)
		}
	})
}

// A changed check's new instance keeps the last beat (and a failure not
// yet reported); a new check starts its own wait.
func TestHeartbeatInherit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		old := newHeartbeat(t, time.Hour)
		time.Sleep(2 * time.Hour)
		old.Beat(Beat{Code: 5})
		time.Sleep(50 * time.Minute)
		changed := newHeartbeat(t, time.Hour)
		changed.Inherit(old)
		if got, want := beatRun(t, changed), "the job reported a failure, code 5 (5)"; got != want {
			t.Errorf("the changed check's first run: %s, want %s", got, want)
		}
		time.Sleep(10 * time.Minute)
		if got := beatRun(t, changed); got != "no heartbeat for 1h (1)" {
			t.Errorf("an hour after the beat the old instance had: %s", got)
		}
		fresh := newHeartbeat(t, time.Hour)
		cmd := newCommandRunner(t)
		fresh.Inherit(cmd) // not a heartbeat before: nothing to keep
		if got := beatRun(t, fresh); got != "ok" {
			t.Errorf("a new check: %s, want ok", got)
		}
	})
}

func newCommandRunner(t *testing.T) *Runner {
	r, _ := NewRunner(&Spec{Name: "c", Probe: Command("true")}, nil, nil)
	t.Cleanup(func() { r.Close() })
	return r
}

// Only a heartbeat check takes beats.
func TestBeatNotHeartbeat(t *testing.T) {
	if err := newCommandRunner(t).Beat(Beat{}); !errors.Is(err, ErrNotHeartbeat) {
		t.Errorf("a beat to a command: %v, want ErrNotHeartbeat", err)
	}
	r, _ := NewRunner(&Spec{Name: "h", Probe: HTTPProbe{URL: "http://localhost:1/"}}, nil, nil)
	defer r.Close()
	if err := r.Beat(Beat{Code: 1}); !errors.Is(err, ErrNotHeartbeat) {
		t.Errorf("a beat to an http check: %v, want ErrNotHeartbeat", err)
	}
}

// The default interval is a tenth of the heartbeat, 1s at least; other
// kinds keep the configuration's.
func TestHeartbeatDefaultInterval(t *testing.T) {
	for every, want := range map[time.Duration]time.Duration{
		10 * time.Minute: time.Minute, 5 * time.Second: time.Second, time.Second: time.Second, 25 * time.Hour: 150 * time.Minute,
	} {
		if got := DefaultInterval(HeartbeatProbe{Every: every}, 30*time.Second); got != want {
			t.Errorf("heartbeat %v: interval %v, want %v", every, got, want)
		}
	}
	if got := DefaultInterval(Command("true"), 30*time.Second); got != 30*time.Second {
		t.Errorf("a command: %v", got)
	}
}

// A failed job's message is kept to one bounded line, cut at a character;
// a code is an exit status.
func TestBeatBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newHeartbeat(t, time.Hour)
		r.Beat(Beat{Code: 1, Message: strings.Repeat("é", maxBeatMessage)})
		out := r.Check(context.Background()).Output
		if len(out) > maxBeatMessage+len("…\n") || !strings.HasSuffix(string(out), "é…\n") {
			t.Errorf("a long message: %d bytes ending %q", len(out), out[len(out)-8:])
		}
	})
	for code, ok := range map[int]bool{0: true, 1: true, 255: true, 256: false, -1: false} {
		if err := (Beat{Code: code}).Validate(); (err == nil) != ok {
			t.Errorf("code %d: %v", code, err)
		}
	}
}

// A run once heatd is stopping is not started.
func TestHeartbeatInterrupted(t *testing.T) {
	r := newHeartbeat(t, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res := r.Check(ctx); !res.Interrupted || res.Err == nil {
		t.Errorf("a run after the stop: %+v", res)
	}
}
