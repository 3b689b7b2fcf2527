package daemon

import (
	"errors"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/alert"
	"github.com/heatd/heatd/daemon/alert/alerttest"
)

// TestAnnotations: the summary is one line an operator reads, naming the
// check and what its latest run came to; a run that could not start has
// no exit code.
func TestAnnotations(t *testing.T) {
	ran := time.Now()
	for _, tc := range []struct {
		row  int
		last check.Result
		want alert.Annotations
	}{
		{0, check.Result{Start: ran, Code: 7, Output: []byte("connection refused")},
			alert.Annotations{Summary: `check "web" is recovering: exit code 7`, ExitCode: 7, Output: "connection refused"}},
		{0, check.Result{Start: ran, Code: 124, TimedOut: true},
			alert.Annotations{Summary: `check "web" is recovering: exit code 124 (timed out)`, ExitCode: 124}},
		{1, check.Result{Start: ran, Code: 137, Reason: "killed by signal 9"},
			alert.Annotations{Summary: `heatd gave up recovering check "web": exit code 137 (killed by signal 9)`, ExitCode: 137}},
		{2, check.Result{Start: ran},
			alert.Annotations{Summary: `check "web" is flapping: the last run was ok`}},
		{0, check.Result{Start: ran, Err: errors.New("too many open files")},
			alert.Annotations{Summary: `check "web" is recovering: cannot run: too many open files`, ExitCode: alert.NoExitCode}},
		{0, check.Result{},
			alert.Annotations{Summary: `check "web" is recovering`, ExitCode: alert.NoExitCode}},
	} {
		if got := annotations(alarmAlerts[tc.row], "web", tc.last); got != tc.want {
			t.Errorf("annotations(%s, %+v) =\n%+v, want\n%+v", alarmAlerts[tc.row].alert.Name(), tc.last, got, tc.want)
		}
	}
}

// TestPausedFiresNothingNew, with a real Alertmanager: a paused check that
// starts flapping fires nothing, while another check's flapping, told
// after it and so posted with it or later, is there.
func TestPausedFiresNothingNew(t *testing.T) {
	base := alerttest.Start(t)
	s := alert.New(alert.Config{URLs: []string{base}, Resend: time.Minute}, zap.NewNop())
	defer s.Close()
	tell := alarmsToAlerts(s)
	ran := check.Result{Start: time.Now(), Code: 1}
	tell("paused", check.AlarmPaused, check.AlarmPaused|check.AlarmFlapping, ran)
	tell("running", 0, check.AlarmFlapping, ran)
	alerts := alerttest.WaitFor(t, base, "", "the running check's HeatdCheckFlapping", 10*time.Second,
		func(as []alerttest.Alert) bool {
			return slices.ContainsFunc(as, func(a alerttest.Alert) bool { return a.Labels["check"] == "running" })
		})
	for _, a := range alerts {
		if a.Labels["check"] == "paused" {
			t.Errorf("a paused check fired %s", a.Labels["alertname"])
		}
	}
}
