package daemon

import (
	"errors"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
)

// beatSpec is a heartbeat check of every, looked at each interval.
func beatSpec(dir, name string, every, interval time.Duration) check.Spec {
	return check.Spec{Name: name, Probe: check.HeartbeatProbe{Every: every}, Interval: interval,
		Timeout: 10 * time.Second, ScriptTimeout: time.Minute, HeatLog: filepath.Join(dir, name+".log"), Dir: dir}
}

// A beat reaches the heartbeat check by name; a name that is no check's,
// or a check of another kind, is refused as such, and a bad code too.
func TestEngineBeat(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	e.Apply([]check.Spec{beatSpec(dir, "backup", time.Hour, time.Minute), spec(dir, "web", "true", time.Hour)},
		Settings{Grace: time.Second})
	if err := e.Beat("backup", check.Beat{}); err != nil {
		t.Errorf("a beat: %v", err)
	}
	var nh *check.NoHeartbeatError
	if err := e.Beat("web", check.Beat{}); !errors.As(err, &nh) || !nh.Exists || err.Error() != `check "web" is not a heartbeat check` {
		t.Errorf("a beat to a command: %v", err)
	}
	if err := e.Beat("nope", check.Beat{}); !errors.As(err, &nh) || nh.Exists || err.Error() != `no check named "nope"` {
		t.Errorf("a beat to no check: %v", err)
	}
	if err := e.Beat("backup", check.Beat{Code: 256}); err == nil || errors.As(err, &nh) {
		t.Errorf("a code of 256: %v", err)
	}
}

// The beat reaches the check's current instance, and a reload keeps the
// last beat whether it keeps the check or changes it: the wait counts from
// that beat, not from the reload.
func TestReloadKeepsTheLastBeat(t *testing.T) {
	for _, changed := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			dir := t.TempDir()
			e := NewEngine(zap.NewNop(), nil)
			defer e.Stop(time.Second)
			set := Settings{Grace: time.Second}
			e.Apply([]check.Spec{beatSpec(dir, "backup", time.Hour, time.Minute)}, set)
			time.Sleep(10 * time.Minute)
			if err := e.Beat("backup", check.Beat{}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(40 * time.Minute)
			next := beatSpec(dir, "backup", time.Hour, time.Minute)
			if changed {
				next.Interval = 2 * time.Minute
			}
			ch := e.Apply([]check.Spec{next}, set)
			if got := len(ch.Changed) == 1; got != changed {
				t.Fatalf("change %+v", ch)
			}
			time.Sleep(25 * time.Minute) // 65m since the beat, 25m since the reload
			synctest.Wait()
			if st := status(e, "backup"); st.LastResult != "failed" || st.LastCode != 1 {
				t.Errorf("changed %v: an hour after the last beat, the check's last run is %q (code %d), want failed (1)",
					changed, st.LastResult, st.LastCode)
			}
			if err := e.Beat("backup", check.Beat{}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Minute)
			synctest.Wait()
			if st := status(e, "backup"); st.LastResult != "ok" {
				t.Errorf("changed %v: after a beat to the new instance, the last run is %q", changed, st.LastResult)
			}
		})
	}
}
