package alert

import (
	"maps"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/heatd/heatd/daemon/alert/alerttest"
)

// TestAlertmanagerTakesAndResolves posts to a real Alertmanager and reads
// the alert back through its own API: active with every label and
// annotation while it fires, gone from the active list once resolved.
func TestAlertmanagerTakesAndResolves(t *testing.T) {
	base := alerttest.Start(t)
	s := New(Config{
		URLs:     []string{base},
		Labels:   map[string]string{"env": "prod", "team": "web"},
		Resend:   time.Minute,
		Instance: "host1",
	}, zaptest.NewLogger(t))
	defer s.Close()

	s.Fire(RecoveryGaveUp, "nginx", Annotations{ExitCode: 7, Output: "connection refused\nsecond line"}, false)

	want := map[string]string{
		"alertname": "HeatdRecoveryGaveUp",
		"check":     "nginx",
		"instance":  "host1",
		"severity":  "critical",
		"source":    "heatd",
		"env":       "prod",
		"team":      "web",
	}
	wantAnn := map[string]string{
		"summary":   "heatd gave up recovering check nginx",
		"exit_code": "7",
		"output":    "connection refused",
	}
	got := alerttest.WaitFor(t, base, "", "the firing alert", 10*time.Second, func(as []alerttest.Alert) bool { return len(as) == 1 })
	a := got[0]
	if !maps.Equal(a.Labels, want) {
		t.Errorf("labels = %v, want %v", a.Labels, want)
	}
	if !maps.Equal(a.Annotations, wantAnn) {
		t.Errorf("annotations = %v, want %v", a.Annotations, wantAnn)
	}
	if a.Status.State != "active" {
		t.Errorf("state = %q, want active", a.Status.State)
	}
	if d := time.Until(a.EndsAt); d < 3*time.Minute || d > 4*time.Minute {
		t.Errorf("endsAt is %v ahead, want four resends (4m)", d)
	}

	s.Resolve(RecoveryGaveUp, "nginx")
	alerttest.WaitFor(t, base, "", "the alert resolved", 10*time.Second, func(as []alerttest.Alert) bool { return len(as) == 0 })
	// Alertmanager may list the change before its answer reaches heatd.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ok, failed := s.Sent()
		if ok == 2 && failed == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Sent() = %d ok, %d failed; want 2, 0", ok, failed)
		}
	}
}
