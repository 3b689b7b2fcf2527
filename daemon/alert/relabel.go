package alert

import (
	"maps"
	"time"
)

// relabeled tells whether a reload from old to cfg changed the labels heatd
// gives every alert: to Alertmanager, labels are an alert's identity, so
// the alerts firing are then other alerts.
func relabeled(old, cfg Config) bool {
	return !maps.Equal(old.Labels, cfg.Labels) || old.Instance != cfg.Instance
}

// retract resolves, under old's labels and at old's Alertmanagers, the
// firing alerts that were posted with them: they would otherwise stay
// active beside the same alerts under the new labels until their endsAt.
// One try, bounded as a post is: what fails expires by itself.
func (s *Sender) retract(old Config) {
	if len(old.URLs) == 0 {
		return
	}
	now := time.Now()
	var ds []due
	for k, e := range s.alerts {
		if e.resolvedAt.IsZero() && !e.lastSent.IsZero() {
			gone := *e
			gone.resolvedAt = now
			ds = append(ds, due{k, gone})
		}
	}
	if len(ds) > 0 {
		s.postAll(old, ds, now, min(maxPostTimeout, old.Resend))
	}
}
