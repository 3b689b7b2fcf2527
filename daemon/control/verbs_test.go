package control

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

// The verbs over a real socket: the caller's uid is the kernel's
// (SO_PEERCRED), so this test, run as root, is uid 0, and run as another
// user, is heatd's own user (the server runs in this process); both may.
func TestPauseResumeCarryTheCallersUID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	src := &fakeSource{statuses: statuses()}
	serve(t, path, testLimits(), src)
	c := Dial(path)

	reply, err := c.Pause(ctx(t), PauseRequest{Checks: []string{"web", "db"}, ForSeconds: 90, Reason: "deploy"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(reply.Checks, []string{"db", "web"}) || reply.Until == nil {
		t.Errorf("pause answered %+v, want db and web until a time", reply)
	}
	if len(src.paused) != 1 {
		t.Fatalf("%d pauses reached heatd, want 1", len(src.paused))
	}
	p := src.paused[0]
	if p.UID != os.Geteuid() || p.Reason != "deploy" || p.Until.Sub(p.Since) != 90*time.Second {
		t.Errorf("the pause heatd got: %+v; want uid %d, the reason, 90s long", p, os.Geteuid())
	}
	if got := reply.Until.Sub(p.Until); got > timePrecision || got < -timePrecision {
		t.Errorf("the answer's until %v, the pause's %v", reply.Until, p.Until)
	}

	all, err := c.Resume(ctx(t), ResumeRequest{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Checks, []string{"db", "queue", "web"}) || !slices.Equal(src.resumed, []int{os.Geteuid()}) {
		t.Errorf("resume --all: %+v, uids %v", all, src.resumed)
	}
}

func TestVerbsNameUnknownChecks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	src := &fakeSource{statuses: statuses()}
	serve(t, path, testLimits(), src)
	c := Dial(path)
	for verb, call := range map[string]func() error{
		"pause": func() error {
			_, err := c.Pause(ctx(t), PauseRequest{Checks: []string{"web", "wbe", "nope"}})
			return err
		},
		"resume": func() error { _, err := c.Resume(ctx(t), ResumeRequest{Checks: []string{"wbe", "nope"}}); return err },
		"run":    func() error { _, err := c.Run(ctx(t), "wbe"); return err },
	} {
		var ae *AnswerError
		if err := call(); !errors.As(err, &ae) || ae.Code != 404 || !slices.Contains(ae.Unknown, "wbe") {
			t.Errorf("%s of unknown names: %v, want a 404 naming them", verb, err)
		}
	}
	if len(src.paused) != 0 || len(src.resumed) != 0 {
		t.Errorf("a verb with an unknown name still acted: paused %v, resumed %v", src.paused, src.resumed)
	}
}

func TestBadVerbRequests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	serve(t, path, testLimits(), &fakeSource{statuses: statuses()})
	c := Dial(path)
	for name, req := range map[string]PauseRequest{
		"both":     {Checks: []string{"web"}, All: true},
		"neither":  {},
		"negative": {All: true, ForSeconds: -1},
		"too long": {All: true, ForSeconds: 1e12},
	} {
		var ae *AnswerError
		if _, err := c.Pause(ctx(t), req); !errors.As(err, &ae) || ae.Code != 400 {
			t.Errorf("pause %s: %v, want 400", name, err)
		}
	}
}

// A run answers with its result once it is done, however long that takes
// past a status's bounds; a client that gives up ends the wait.
func TestRunAnswersWithTheResult(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	lim := testLimits()
	src := &fakeSource{statuses: statuses(), run: func(ctx context.Context) (check.Result, error) {
		select {
		case <-time.After(2 * lim.request): // past a status's write deadline
			return check.Result{Code: 7, Output: []byte("refused\nmore\n")}, nil
		case <-ctx.Done():
			return check.Result{}, ctx.Err()
		}
	}}
	serve(t, path, lim, src)
	c := Dial(path)
	reply, err := c.Run(ctx(t), "web")
	if err != nil {
		t.Fatal(err)
	}
	if *reply != (RunReply{Check: "web", Result: "failed", ExitCode: 7, Output: "refused"}) {
		t.Errorf("run answered %+v", reply)
	}
}
