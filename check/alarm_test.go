package check

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
)

// alarmLog writes down each OnAlarms call, with the fake clock's offset.
type alarmLog struct {
	w     *world
	mu    sync.Mutex
	calls []string
}

func (l *alarmLog) note(name string, from, to Alarms, last Result) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, fmt.Sprintf("%s %s %s->%s code %d %q", l.w.at(), name, from, to, last.Code, last.Output))
}

// TestAlarmsFollowRecovery: entering recovery turns AlarmRecovering on,
// told with the run that led there (stderr's first line only); the
// recovery's own step, which has no run, changes nothing; the verified
// recovery turns it off, told with the ok run. Runs that change nothing
// are not told.
func TestAlarmsFollowRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0, 7, 7, 7))
		w.fix = true
		w.scriptFor = 2 * time.Second
		l := &alarmLog{w: w}
		spec := Spec{Name: "web", Interval: 10 * time.Second, Threshold: 2, Recovery: "/r"}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop(), OnAlarms: l.note})
		stop, cancel := context.WithCancel(context.Background())
		c.Start(stop, context.Background())
		time.Sleep(45 * time.Second)
		cancel()
		<-c.Done()
		check(t, l.calls, []string{
			`20s web none->recovering code 7 "error 3"`,
			`22s web recovering->none code 0 ""`,
		})
		check(t, w.lines(), []string{
			"0s run 1 -> 0", "10s run 2 -> 7", `10s heat log "error 2"`,
			"20s run 3 -> 7", `20s heat log "error 3"`, "20s recovery script 1",
			"22s run 4 -> 0", "32s run 5 -> 0", "42s run 6 -> 0",
		})
	})
}

// TestAlarmsOf: recovering in every mode but Normal and GivenUp; gave_up
// in its place; flapping beside either, or alone; paused beside any.
func TestAlarmsOf(t *testing.T) {
	for _, tc := range []struct {
		st   State
		want Alarms
	}{
		{State{}, 0},
		{State{Streak: 5}, 0},
		{State{Starting: true}, 0},
		{State{Mode: RecoveryDue, Streak: 3}, AlarmRecovering},
		{State{Mode: Verifying, Streak: 3}, AlarmRecovering},
		{State{Mode: BackingOff, Streak: 3}, AlarmRecovering},
		{State{Mode: GivenUp, Streak: 9}, AlarmGaveUp},
		{State{Flapping: true, Streak: 1}, AlarmFlapping},
		{State{Mode: Verifying, Flapping: true}, AlarmRecovering | AlarmFlapping},
		{State{Mode: GivenUp, Flapping: true}, AlarmGaveUp | AlarmFlapping},
		{State{Paused: true, Streak: 4}, AlarmPaused},
		{State{Mode: Verifying, Paused: true}, AlarmRecovering | AlarmPaused},
	} {
		if got := alarmsOf(tc.st); got != tc.want {
			t.Errorf("alarmsOf(%+v) = %s, want %s", tc.st, got, tc.want)
		}
	}
	if s := (AlarmRecovering | AlarmFlapping).String(); s != "recovering|flapping" {
		t.Errorf("String() = %q", s)
	}
}

// TestAlarmsGiveUp: giving up turns recovering off and gave_up on in one
// change, told with the last failed run (the recovery step that gives up
// has none of its own); ok again by itself, the check's gave_up turns off.
func TestAlarmsGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(1, 1, 1, 0))
		l := &alarmLog{w: w}
		spec := Spec{Name: "a", Interval: 10 * time.Second, Threshold: 1, Recovery: "/r",
			SuccessThreshold: 2, RecoveryLimit: 1, RecoveryLimitWindow: time.Hour}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop(), OnAlarms: l.note})
		stop, cancel := context.WithCancel(context.Background())
		c.Start(stop, context.Background())
		time.Sleep(55 * time.Second)
		cancel()
		<-c.Done()
		check(t, l.calls, []string{
			`0s a none->recovering code 1 "error 1"`,
			`10s a recovering->gave_up code 1 "error 2"`,
			`40s a gave_up->none code 0 ""`,
		})
	})
}

// TestAlarmsFlapping: a check that flaps has its flapping alarm beside
// what else holds, and loses it when flapping stops.
func TestAlarmsFlapping(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 21 results alternating, then ok for good.
		w := newWorld(func(n int) int {
			if n <= 22 && n%2 == 0 {
				return 1
			}
			return 0
		})
		l := &alarmLog{w: w}
		spec := Spec{Name: "f", Interval: time.Second, FlapDetection: true}
		c := New(&spec, Options{Doer: w, Log: zap.NewNop(), OnAlarms: l.note})
		stop, cancel := context.WithCancel(context.Background())
		c.Start(stop, context.Background())
		time.Sleep(60 * time.Second)
		cancel()
		<-c.Done()
		if len(l.calls) != 2 || !strings.Contains(l.calls[0], "none->flapping") || !strings.Contains(l.calls[1], "flapping->none") {
			t.Errorf("alarms told: %q, want flapping on, then off", l.calls)
		}
	})
}
