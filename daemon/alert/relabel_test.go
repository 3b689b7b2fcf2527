package alert

import (
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
)

// TestReloadRelabels: new alert_labels make the firing alerts new alerts
// to Alertmanager (labels are an alert's identity). A reload that changes
// them posts the firing alerts with the new labels at once, and resolves
// them under the old labels, which would otherwise stay active beside the
// new ones until their endsAt.
func TestReloadRelabels(t *testing.T) {
	rec := newRecorder(t, "")
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{URLs: []string{rec.url()}, Resend: time.Minute, Labels: map[string]string{"env": "staging"}}, zap.NewNop())
		defer s.Close()
		s.Fire(CheckRecovering, "web", Annotations{ExitCode: 7}, false)
		time.Sleep(10 * time.Second)
		s.SetConfig(Config{URLs: []string{rec.url()}, Resend: time.Minute, Labels: map[string]string{"env": "prod"}})
		reloaded := time.Now()
		time.Sleep(time.Second)

		var firing, resolved int
		for _, p := range rec.got()[1:] {
			for _, a := range p {
				switch env := a.Labels["env"]; {
				case env == "prod" && a.EndsAt.After(reloaded):
					firing++
				case env == "staging" && a.EndsAt.Equal(reloaded):
					resolved++
				default:
					t.Errorf("posted after the reload: %+v", a)
				}
			}
		}
		if firing != 1 || resolved != 1 {
			t.Errorf("after the reload: %d firing with the new labels, %d resolved with the old; want 1 and 1", firing, resolved)
		}
		// The alerts under the old labels are done with: resends carry
		// the new ones only.
		n := len(rec.got())
		time.Sleep(time.Minute)
		for _, p := range rec.got()[n:] {
			for _, a := range p {
				if a.Labels["env"] != "prod" {
					t.Errorf("a resend carries the old labels: %+v", a)
				}
			}
		}
	})
}
