package alert

import (
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestResendWhileFiring: a firing alert goes out at once and again every
// resend period, each time ending four periods ahead; resolved, it goes out
// once more ending when it was resolved, and then never again.
func TestResendWhileFiring(t *testing.T) {
	rec := newRecorder(t, "")
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{URLs: []string{rec.url() + "/am/"}, Resend: time.Minute, Instance: "h"}, zap.NewNop())
		defer s.Close()
		t0 := time.Now()
		s.Fire(CheckRecovering, "web", Annotations{ExitCode: NoExitCode}, false)
		time.Sleep(30 * time.Second)
		// Fired again while firing: the next resend carries the new
		// output, and nothing goes out before it.
		s.Fire(CheckRecovering, "web", Annotations{ExitCode: NoExitCode, Output: "still down"}, false)

		time.Sleep(3 * time.Minute)
		posts := rec.got()
		if len(posts) != 4 {
			t.Fatalf("%d posts in 3m30s of firing, want 4 (at 0, 1m, 2m, 3m)", len(posts))
		}
		for i, p := range posts {
			if len(p) != 1 {
				t.Fatalf("post %d has %d alerts, want 1", i, len(p))
			}
			a := p[0]
			if !a.StartsAt.Equal(t0) {
				t.Errorf("post %d: startsAt %v, want %v", i, a.StartsAt, t0)
			}
			if want := t0.Add(time.Duration(i+4) * time.Minute); !a.EndsAt.Equal(want) {
				t.Errorf("post %d: endsAt %v, want %v (four resends ahead)", i, a.EndsAt, want)
			}
			if out := a.Annotations["output"]; (i == 0) != (out == "") {
				t.Errorf("post %d: output %q", i, out)
			}
			if _, ok := a.Annotations["exit_code"]; ok {
				t.Errorf("post %d: exit_code %q sent for NoExitCode", i, a.Annotations["exit_code"])
			}
		}
		if p := rec.path(0); p != "/am/api/v2/alerts" {
			t.Errorf("posted to %q, want /am/api/v2/alerts", p)
		}

		s.Resolve(CheckRecovering, "web")
		resolved := time.Now()
		time.Sleep(10 * time.Minute)
		posts = rec.got()
		if len(posts) != 5 {
			t.Fatalf("%d posts after resolving and 10 minutes, want 5 (one resolved post)", len(posts))
		}
		if a := posts[4][0]; !a.EndsAt.Equal(resolved) {
			t.Errorf("resolved post: endsAt %v, want %v", a.EndsAt, resolved)
		}
		if ok, failed := s.Sent(); ok != 5 || failed != 0 {
			t.Errorf("Sent() = %d, %d; want 5, 0", ok, failed)
		}
	})
}

// TestPausedFiresNothing: a paused check's Fire posts nothing, and an alert
// already firing goes on being resent.
func TestPausedFiresNothing(t *testing.T) {
	rec := newRecorder(t, "")
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{URLs: []string{rec.url()}, Resend: time.Minute}, zap.NewNop())
		defer s.Close()
		s.Fire(CheckFlapping, "db", Annotations{}, true)
		time.Sleep(5 * time.Minute)
		if n := len(rec.got()); n != 0 {
			t.Fatalf("%d posts for a paused check, want none", n)
		}
		s.Fire(CheckFlapping, "db", Annotations{}, false)
		s.Fire(CheckFlapping, "db", Annotations{Summary: "again"}, true)
		time.Sleep(90 * time.Second)
		posts := rec.got()
		if len(posts) != 2 {
			t.Fatalf("%d posts in 90s of firing, want 2", len(posts))
		}
		if got := posts[1][0].Annotations["summary"]; got != "check db is flapping" {
			t.Errorf("summary %q: a paused Fire changed the alert", got)
		}
	})
}

// TestFailureEventOncePerMinute: an Alertmanager answering 500 costs one
// alert_send_failed a minute however often posts fail, and the alert is
// delivered at the first resend after it comes back.
func TestFailureEventOncePerMinute(t *testing.T) {
	rec := newRecorder(t, "")
	rec.failing.Store(true)
	synctest.Test(t, func(t *testing.T) {
		core, logs := observer.New(zapcore.DebugLevel)
		s := New(Config{URLs: []string{rec.url()}, Resend: 10 * time.Second}, zap.New(core))
		defer s.Close()
		s.Fire(CheckRecovering, "web", Annotations{}, false)
		s.Fire(CheckFlapping, "web", Annotations{}, false)

		// Posts fail at 0, 10s, ..., 290s: 30 of them, 60 alerts.
		time.Sleep(4*time.Minute + 55*time.Second)
		events := logs.FilterMessage("alert_send_failed").All()
		if len(events) != 5 {
			t.Fatalf("%d alert_send_failed events in 4m55s of failures, want 5 (one a minute)", len(events))
		}
		for _, e := range events {
			if e.Level != zapcore.WarnLevel {
				t.Errorf("alert_send_failed at %v, want warn", e.Level)
			}
		}
		if n := events[1].ContextMap()["suppressed"]; n != int64(5) {
			t.Errorf("second event says %v suppressed, want 5", n)
		}
		if ok, failed := s.Sent(); ok != 0 || failed != 60 {
			t.Errorf("Sent() = %d, %d; want 0, 60", ok, failed)
		}

		rec.failing.Store(false)
		time.Sleep(10 * time.Second)
		posts := rec.got()
		if len(posts) != 1 || len(posts[0]) != 2 {
			t.Fatalf("after the Alertmanager came back: posts %v, want one of both alerts", posts)
		}
		if ok, _ := s.Sent(); ok != 2 {
			t.Errorf("Sent() ok = %d, want 2", ok)
		}
	})
}

// TestResolvedRetriedUntilTaken: a resolve that fails is sent again at the
// next resend, and only until Alertmanager would have resolved the alert by
// itself.
func TestResolvedRetriedUntilTaken(t *testing.T) {
	rec := newRecorder(t, "")
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{URLs: []string{rec.url()}, Resend: time.Minute}, zap.NewNop())
		defer s.Close()
		s.Fire(CheckRecovering, "web", Annotations{}, false)
		time.Sleep(time.Second)
		rec.failing.Store(true)
		s.Resolve(CheckRecovering, "web")
		time.Sleep(90 * time.Second)
		rec.failing.Store(false)
		time.Sleep(time.Minute)
		posts := rec.got()
		if len(posts) != 2 || posts[1][0].EndsAt.After(time.Now()) {
			t.Fatalf("posts %v, want the firing one and the resolved one, retried", posts)
		}

		s.Fire(CheckFlapping, "db", Annotations{}, false)
		time.Sleep(time.Second)
		rec.failing.Store(true)
		s.Resolve(CheckFlapping, "db")
		time.Sleep(10 * time.Minute)
		s.Close()
		if n := len(s.alerts); n != 0 {
			t.Errorf("%d alerts held 10 minutes after a resolve Alertmanager never took, want 0", n)
		}
	})
}

// TestReloadTellsNewAlertmanager: an Alertmanager added by a reload hears
// of the alerts already firing at once, not at their next resend.
func TestReloadTellsNewAlertmanager(t *testing.T) {
	a, b := newRecorder(t, ""), newRecorder(t, "")
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{URLs: []string{a.url()}, Resend: time.Minute}, zap.NewNop())
		defer s.Close()
		s.Fire(RecoveryGaveUp, "web", Annotations{}, false)
		time.Sleep(10 * time.Second)
		s.SetConfig(Config{URLs: []string{b.url()}, Resend: time.Minute, Labels: map[string]string{"env": "prod"}})
		time.Sleep(time.Second)
		got := b.got()
		if len(got) != 1 || got[0][0].Labels["env"] != "prod" {
			t.Fatalf("new Alertmanager got %v, want the firing alert with the new labels", got)
		}
		// The labels changed too: the dropped Alertmanager hears the alert
		// under its old labels resolved (TestReloadRelabels).
		if got := a.got(); len(got) != 2 || !got[1][0].EndsAt.Before(time.Now()) || got[1][0].Labels["env"] != "" {
			t.Errorf("the dropped Alertmanager got %v, want 2 posts: before the reload, and the alert resolved", got)
		}
	})
}

// TestCloseFlushesChanges: Close posts what changed since the last post,
// and only that: the alerts already told wait for a heatd to resend them.
func TestCloseFlushesChanges(t *testing.T) {
	rec := newRecorder(t, "")
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{URLs: []string{rec.url()}, Resend: time.Minute}, zap.NewNop())
		s.Fire(CheckRecovering, "web", Annotations{}, false)
		time.Sleep(30 * time.Second)
		s.Fire(CheckFlapping, "db", Annotations{}, false)
		// web's resend is two seconds away, not yet posted.
		time.Sleep(28 * time.Second)
		s.Close()
		if posts := rec.got(); len(posts) != 2 {
			t.Fatalf("posts %v, want web's and db's first posts only", posts)
		}
		s.Fire(CheckFlapping, "mail", Annotations{}, false)
		time.Sleep(time.Hour)
		if n := len(rec.got()); n != 2 {
			t.Errorf("%d posts after Close, want none more", n-2)
		}

		// Fired and closed at once: the alert still goes out.
		s = New(Config{URLs: []string{rec.url()}, Resend: time.Minute}, zap.NewNop())
		s.Fire(CheckFlapping, "mail", Annotations{}, false)
		s.Close()
		if n := len(rec.got()); n != 3 {
			t.Errorf("%d posts after a Fire and Close, want 1", n-2)
		}
	})
}
