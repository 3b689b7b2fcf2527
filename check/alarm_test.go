package check

import (
	"context"
	"fmt"
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

// TestAlarmsOf: today only recovering holds, in every mode but Normal.
func TestAlarmsOf(t *testing.T) {
	for _, tc := range []struct {
		st   State
		want Alarms
	}{
		{State{}, 0},
		{State{Streak: 5}, 0},
		{State{Mode: RecoveryDue, Streak: 3}, AlarmRecovering},
		{State{Mode: Verifying, Streak: 3}, AlarmRecovering},
	} {
		if got := alarmsOf(tc.st); got != tc.want {
			t.Errorf("alarmsOf(%+v) = %s, want %s", tc.st, got, tc.want)
		}
	}
	if s := (AlarmRecovering | AlarmFlapping).String(); s != "recovering|flapping" {
		t.Errorf("String() = %q", s)
	}
}
