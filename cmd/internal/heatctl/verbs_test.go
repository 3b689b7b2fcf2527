package heatctl

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

func TestPauseAndResume(t *testing.T) {
	h := &heatd{statuses: checks(time.Now())}
	sock := start(t, h)
	code, out, errs := heatctl(t, "-s", sock, "pause", "web", "db", "--for", "90m", "--reason", "deploy")
	if code != 0 || !strings.HasPrefix(out, "paused web, db until ") || errs != "" {
		t.Errorf("pause: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if len(h.paused) != 1 || h.paused[0].Reason != "deploy" || h.paused[0].Until.Sub(h.paused[0].Since) != 90*time.Minute {
		t.Errorf("heatd got %+v, want one pause of 90m for deploy", h.paused)
	}
	code, out, _ = heatctl(t, "-s", sock, "resume", "--all")
	if code != 0 || out != "resumed web, db, queue\n" {
		t.Errorf("resume --all: exit %d, %q", code, out)
	}
}

func TestVerbsUnknownName(t *testing.T) {
	sock := start(t, &heatd{statuses: checks(time.Now())})
	for _, args := range [][]string{{"pause", "wbe"}, {"resume", "wbe"}, {"run", "wbe"}} {
		code, out, errs := heatctl(t, append([]string{"-s", sock}, args...)...)
		if code != 1 || out != "" || errs != "heatctl: no check named \"wbe\" (did you mean \"web\"?)\n" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1 and the name with a hint", args, code, out, errs)
		}
	}
}

func TestBadPauseArgs(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"pause", "pause takes the NAME of each check, or --all"},
		{"pause web --all", "pause takes NAME... or --all, not both"},
		{"pause web --for soon", `--for takes how long the pause lasts, a duration such as "30m" or a number of seconds above 0, not "soon"`},
		{"pause web --for 0", `--for takes how long the pause lasts, a duration such as "30m" or a number of seconds above 0, not "0"`},
		{"pause web --for -5m", `--for takes how long the pause lasts, a duration such as "30m" or a number of seconds above 0, not "-5m"`},
		{"pause web --for", "--for needs a DURATION"},
		{"resume web --for 1h", "--for and --reason are options of pause"},
		{"status --all", "--all is an option of pause and resume"},
		{"run", "run takes one NAME, the check's"},
		{"run a b", "run takes one NAME, the check's"},
	} {
		code, out, errs := heatctl(t, strings.Fields(tc.args)...)
		if code != 2 || out != "" || !strings.HasPrefix(errs, "heatctl: "+tc.want+"\n") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestRunPrintsTheResult(t *testing.T) {
	sock := start(t, &heatd{statuses: checks(time.Now()), results: map[string]check.Result{
		"web":   {Code: 7, Output: []byte("curl: (7) refused\nmore\n")},
		"queue": {Err: errors.New("no descriptors")},
	}})
	for _, tc := range []struct {
		name, want string
		code       int
	}{
		{"db", "ok\n", 0},
		{"web", "failed: exit code 7\ncurl: (7) refused\n", 1},
		{"queue", "not run: no descriptors\n", 1},
	} {
		code, out, errs := heatctl(t, "-s", sock, "run", tc.name)
		if code != tc.code || out != tc.want || errs != "" {
			t.Errorf("run %s: exit %d, stdout %q, stderr %q; want %d, %q", tc.name, code, out, errs, tc.code, tc.want)
		}
	}
}

// status shows a paused check's pause under the table, and in the JSON.
func TestStatusShowsThePause(t *testing.T) {
	now := time.Now()
	all := checks(now)
	all[0].State.Paused = true
	all[0].Pause = &check.Pause{Since: now.Add(-time.Minute), Until: now.Add(90*time.Minute + 500*time.Millisecond), Reason: "deploy", UID: 1000}
	sock := start(t, &heatd{statuses: all})
	code, out, _ := heatctl(t, "-s", sock, "status")
	until := all[0].Pause.Until.Truncate(time.Millisecond).Local().Format(time.DateTime + " MST")
	if want := "web: paused by uid 1000 until " + until + " (in 90m): deploy\n"; code != 0 || !strings.HasSuffix(out, want) ||
		!strings.Contains(out, "\nweb    paused ") {
		t.Errorf("status: exit %d:\n%s\nwant it to end with %q", code, out, want)
	}
	_, out, _ = heatctl(t, "-s", sock, "status", "--json", "web")
	if !strings.Contains(out, `"reason": "deploy"`) || !strings.Contains(out, `"uid": 1000`) {
		t.Errorf("status --json:\n%s", out)
	}
}
