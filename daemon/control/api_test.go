package control

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

// statuses are three checks as the engine could report them, out of order:
// one failing, one never run yet, one verifying its second recovery.
func statuses() []check.Status {
	zone := time.FixedZone("", 2*3600)
	last := time.Date(2025, 3, 4, 5, 6, 7, 891_234_567, zone)
	return []check.Status{
		{
			Name: "web", Interval: 2 * time.Second,
			State: check.State{Mode: check.Normal, Streak: 2},
			Runs:  40, FailedRuns: 3, TimeoutRuns: 1, RunErrors: 1, Recoveries: 1,
			Signals:    map[check.SignalKind]uint64{check.SignalFailure: 3},
			LastResult: "failed", LastCode: 7, LastRun: last, LastTook: 12500 * time.Microsecond,
			NextRun: last.Add(2 * time.Second),
		},
		{
			Name: "db", Interval: 500 * time.Millisecond,
			Signals: map[check.SignalKind]uint64{},
			NextRun: last,
		},
		{
			Name: "queue", Interval: 30 * time.Second,
			State: check.State{Mode: check.Verifying, Streak: 5, Attempt: 2},
			Runs:  9, FailedRuns: 5, TimeoutRuns: 5,
			Signals:    map[check.SignalKind]uint64{check.SignalFault: 2, check.SignalSuccess: 0},
			LastResult: "timeout", LastCode: 124, LastRun: last.In(time.UTC), LastTook: 30 * time.Second,
		},
	}
}

const wantStatus = `{
  "checks": [
    {
      "name": "db",
      "state": "healthy",
      "consecutive_failures": 0,
      "last_result": null,
      "last_exit_code": null,
      "last_run": null,
      "next_run": "2025-03-04T05:06:07.891+02:00",
      "last_duration_seconds": null,
      "interval_seconds": 0.5,
      "runs": 0,
      "failures": 0,
      "timeouts": 0,
      "run_errors": 0,
      "recoveries": 0,
      "recovery_attempt": 0,
      "signals": {
        "failure": 0,
        "fault": 0,
        "success": 0
      },
      "pause": null,
      "blocked_by": null
    },
    {
      "name": "queue",
      "state": "recovering",
      "consecutive_failures": 5,
      "last_result": "timeout",
      "last_exit_code": 124,
      "last_run": "2025-03-04T03:06:07.891Z",
      "next_run": null,
      "last_duration_seconds": 30,
      "interval_seconds": 30,
      "runs": 9,
      "failures": 5,
      "timeouts": 5,
      "run_errors": 0,
      "recoveries": 0,
      "recovery_attempt": 2,
      "signals": {
        "failure": 0,
        "fault": 2,
        "success": 0
      },
      "pause": null,
      "blocked_by": null
    },
    {
      "name": "web",
      "state": "failing",
      "consecutive_failures": 2,
      "last_result": "failed",
      "last_exit_code": 7,
      "last_run": "2025-03-04T05:06:07.891+02:00",
      "next_run": "2025-03-04T05:06:09.891+02:00",
      "last_duration_seconds": 0.0125,
      "interval_seconds": 2,
      "runs": 40,
      "failures": 3,
      "timeouts": 1,
      "run_errors": 1,
      "recoveries": 1,
      "recovery_attempt": 0,
      "signals": {
        "failure": 3,
        "fault": 0,
        "success": 0
      },
      "pause": null,
      "blocked_by": null
    }
  ]
}
`

func TestStatusJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	serve(t, path, testLimits(), &fakeSource{statuses: statuses()})
	got, err := Dial(path).StatusJSON(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != wantStatus {
		t.Errorf("status JSON:\n%s\nwant:\n%s", got, wantStatus)
	}
}

func TestStatusNoChecks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	serve(t, path, testLimits(), &fakeSource{})
	got, err := Dial(path).StatusJSON(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"checks\": []\n}\n"; string(got) != want {
		t.Errorf("no checks: %q, want %q", got, want)
	}
}

func TestStatusByName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	serve(t, path, testLimits(), &fakeSource{statuses: statuses()})
	c := Dial(path)

	reply, err := c.Status(ctx(t), "web", "db", "web")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(reply); !slices.Equal(got, []string{"db", "web"}) {
		t.Errorf("status web db web: %v, want [db web]: sorted, once each", got)
	}
	reply, err = c.Status(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(reply); !slices.Equal(got, []string{"db", "queue", "web"}) {
		t.Errorf("status: %v", got)
	}
	w := reply.Checks[2]
	if w.LastResult == nil || *w.LastResult != "failed" || *w.LastExitCode != 7 || w.Runs != 40 {
		t.Errorf("web decoded as %+v", w)
	}

	_, err = c.Status(ctx(t), "web", "nope", "ghost")
	var ae *AnswerError
	if !errors.As(err, &ae) || ae.Code != http.StatusNotFound ||
		ae.Message != `no checks named "ghost", "nope"` || !slices.Equal(ae.Unknown, []string{"ghost", "nope"}) {
		t.Errorf("unknown names: %#v", err)
	}
	_, err = c.Status(ctx(t), "nope")
	if err == nil || err.Error() != `no check named "nope"` {
		t.Errorf("one unknown name: %v", err)
	}
}

func names(r *StatusReply) []string {
	var out []string
	for _, c := range r.Checks {
		out = append(out, c.Name)
	}
	return out
}

func TestReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	src := &fakeSource{}
	serve(t, path, testLimits(), src)
	c := Dial(path)

	reply, err := c.Reload(ctx(t))
	if err != nil || !reply.Applied || len(reply.Errors) != 0 {
		t.Fatalf("applied reload: %+v, %v", reply, err)
	}

	problems := "/etc/heat.toml:12: check \"web\": key \"treshold\" is not known (did you mean \"threshold\"?)\n" +
		"/etc/heat.toml:3: [daemon] key \"log_level\": must be one of debug, info, warn or error, not \"verbose\""
	src.reload = func(context.Context) error { return errors.New(problems) }
	reply, err = c.Reload(ctx(t))
	if err != nil || reply.Applied || !slices.Equal(reply.Errors, strings.Split(problems, "\n")) {
		t.Fatalf("rejected reload: %+v, %v", reply, err)
	}
	if src.reloads != 2 {
		t.Errorf("%d reloads, want 2", src.reloads)
	}
}

func TestReloadWithoutVerdict(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	lim := testLimits()
	lim.request = 100 * time.Millisecond
	serve(t, path, lim, &fakeSource{reload: func(ctx context.Context) error {
		<-ctx.Done() // a main loop too busy to take it
		return ctx.Err()
	}})
	_, err := Dial(path).Reload(ctx(t))
	var ae *AnswerError
	if !errors.As(err, &ae) || ae.Code != http.StatusServiceUnavailable ||
		ae.Message != "reload not confirmed: context deadline exceeded" {
		t.Errorf("reload with no verdict: %#v", err)
	}
}

func TestWrongRequests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	serve(t, path, testLimits(), &fakeSource{})
	client := http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
		DisableKeepAlives: true,
	}}
	for _, tc := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"POST", "/v1/status", 405, `"error": "POST /v1/status: use GET"`},
		{"GET", "/v1/reload", 405, `"error": "GET /v1/reload: use POST"`},
		{"GET", "/v2/status", 404, `"error": "no such endpoint: /v2/status"`},
	} {
		req, _ := http.NewRequestWithContext(ctx(t), tc.method, "http://heatd"+tc.path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.Contains(string(body), tc.body) ||
			resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s, want %d with %s", tc.method, tc.path, resp.StatusCode, body, tc.code, tc.body)
		}
	}
}

func TestRecoveryAttempt(t *testing.T) {
	for _, tc := range []struct {
		st   check.State
		want int
	}{
		{check.State{Mode: check.Normal, Streak: 2}, 0},
		{check.State{Mode: check.RecoveryDue, Streak: 3}, 1},             // threshold reached, first attempt next
		{check.State{Mode: check.Verifying, Streak: 3, Attempt: 1}, 1},   // first attempt verifying
		{check.State{Mode: check.RecoveryDue, Streak: 6, Attempt: 1}, 2}, // first failed, waiting for the second
	} {
		if got := attempt(tc.st); got != tc.want {
			t.Errorf("attempt(%+v) = %d, want %d", tc.st, got, tc.want)
		}
	}
}
