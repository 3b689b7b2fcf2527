package heatctl

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/control"
)

// These tests run heatctl (its run function: main adds only os.Exit)
// against a real control socket served by this process.

// heatd is a fake heatd behind a real control socket.
type heatd struct {
	statuses []check.Status
	reject   error // what a reload answers

	mu      sync.Mutex
	beats   map[string][]check.Beat // by heartbeat check: those a name here takes
	paused  []check.Pause
	results map[string]check.Result // what a run of each check comes to
}

// names is names (nil: every check), or an *check.UnknownError that
// suggests "web" for "wbe", as the engine does.
func (h *heatd) names(names []string) ([]string, error) {
	var all []string
	for _, s := range h.statuses {
		all = append(all, s.Name)
	}
	if names == nil {
		return all, nil
	}
	for _, n := range names {
		if !slices.Contains(all, n) {
			return nil, &check.UnknownError{Names: []string{n}, Hints: map[string]string{"wbe": "web"}}
		}
	}
	return names, nil
}

func (h *heatd) Pause(names []string, p check.Pause) ([]string, error) {
	done, err := h.names(names)
	if err == nil {
		h.mu.Lock()
		h.paused = append(h.paused, p)
		h.mu.Unlock()
	}
	return done, err
}

func (h *heatd) Resume(names []string, uid int) ([]string, error) { return h.names(names) }

func (h *heatd) Run(_ context.Context, name string) (check.Result, error) {
	if _, err := h.names([]string{name}); err != nil {
		return check.Result{}, err
	}
	return h.results[name], nil
}

// Beat records b for a heartbeat check, as heatd's engine hands it on.
func (h *heatd) Beat(name string, b check.Beat) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.beats[name]; !ok {
		return &check.NoHeartbeatError{Name: name}
	}
	h.beats[name] = append(h.beats[name], b)
	return nil
}

func (h *heatd) Statuses() []check.Status { return h.statuses }

func (h *heatd) Reload(context.Context) error { return h.reject }

// start serves h on a socket in a fresh folder, until the test ends.
func start(t *testing.T, h *heatd) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "heatd.sock")
	s, err := control.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(h) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return path
}

// heatctl runs heatctl with args; it returns its exit status and output.
func heatctl(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs strings.Builder
	code = run(context.Background(), "dev", args, &out, &errs)
	return code, out.String(), errs.String()
}

// checks are three checks as of now; the half seconds keep the table's
// relative times steady for half a second of test.
func checks(now time.Time) []check.Status {
	return []check.Status{
		{Name: "web", Interval: 30 * time.Second, State: check.State{Streak: 2},
			Runs: 40, FailedRuns: 3, Recoveries: 1, LastResult: "failed", LastCode: 7,
			LastRun: now.Add(-12500 * time.Millisecond), NextRun: now.Add(17500 * time.Millisecond)},
		{Name: "db", Interval: 30 * time.Second, NextRun: now.Add(17500 * time.Millisecond)},
		{Name: "queue", Interval: time.Minute, State: check.State{Mode: check.Verifying, Streak: 5, Attempt: 1},
			Runs: 9, FailedRuns: 5, TimeoutRuns: 5, LastResult: "timeout", LastCode: 124,
			LastRun: now.Add(-190 * time.Second), NextRun: now.Add(-time.Second)},
	}
}

func TestStatusTable(t *testing.T) {
	sock := start(t, &heatd{statuses: checks(time.Now())})
	code, out, errs := heatctl(t, "-s", sock, "status")
	want := `NAME   STATE       FAILURES  LAST           LAST RUN  NEXT RUN  RECOVERIES
db     healthy     0         -              -         in 18s    0
queue  recovering  5         timeout (124)  3m ago    now       0
web    failing     2         failed (7)     12s ago   in 18s    1
`
	if code != 0 || out != want || errs != "" {
		t.Errorf("status: exit %d, stderr %q, table:\n%s\nwant:\n%s", code, errs, out, want)
	}

	code, out, _ = heatctl(t, "status", "-s", sock, "web", "db")
	if code != 0 || len(strings.Split(out, "\n")) != 4 || !strings.HasPrefix(strings.Split(out, "\n")[1], "db ") ||
		!strings.HasPrefix(strings.Split(out, "\n")[2], "web ") {
		t.Errorf("status web db: exit %d:\n%s", code, out)
	}
}

func TestStatusNoChecks(t *testing.T) {
	sock := start(t, &heatd{})
	if code, out, _ := heatctl(t, "-s", sock, "status"); code != 0 || out != "heatd runs no checks\n" {
		t.Errorf("no checks: exit %d, %q", code, out)
	}
}

func TestStatusJSON(t *testing.T) {
	sock := start(t, &heatd{statuses: checks(time.Now())})
	raw, err := control.Dial(sock).StatusJSON(context.Background(), "web")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := heatctl(t, "-s", sock, "status", "--json", "web")
	if code != 0 || errs != "" || out != string(raw) {
		t.Errorf("status --json web: exit %d, stderr %q:\n%s\nwant heatd's own:\n%s", code, errs, out, raw)
	}
	for _, field := range []string{`"name": "web"`, `"state": "failing"`, `"last_exit_code": 7`, `"runs": 40`} {
		if !strings.Contains(out, field) {
			t.Errorf("status --json web lacks %s:\n%s", field, out)
		}
	}
	if strings.Contains(out, `"db"`) {
		t.Errorf("status --json web shows db:\n%s", out)
	}
}

func TestStatusUnknownName(t *testing.T) {
	sock := start(t, &heatd{statuses: checks(time.Now())})
	code, out, errs := heatctl(t, "-s", sock, "status", "web", "nope")
	if code != 1 || out != "" || errs != "heatctl: no check named \"nope\"\n" {
		t.Errorf("unknown name: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, _ := heatctl(t, "-s", sock, "status", "--json", "nope"); code != 1 {
		t.Errorf("unknown name with --json: exit %d", code)
	}
}

func TestReload(t *testing.T) {
	h := &heatd{}
	sock := start(t, h)
	if code, out, errs := heatctl(t, "-s", sock, "reload"); code != 0 || out != "reload applied\n" || errs != "" {
		t.Errorf("applied: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	h.reject = errors.New("/etc/heat.toml:12: check \"web\": key \"treshold\" is not known (did you mean \"threshold\"?)\n" +
		"/etc/heat.toml:20: check \"db\": key \"interval\": must be positive, not \"0s\"")
	code, out, errs := heatctl(t, "-s", sock, "reload")
	want := `reload rejected:
  /etc/heat.toml:12: check "web": key "treshold" is not known (did you mean "threshold"?)
  /etc/heat.toml:20: check "db": key "interval": must be positive, not "0s"
`
	if code != 1 || out != "" || errs != want {
		t.Errorf("rejected: exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, out, errs, want)
	}
}

func TestNoDaemon(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "heatd.sock")
	code, out, errs := heatctl(t, "-s", missing, "status")
	want := "heatctl: no heatd answers on " + missing + ": the socket does not exist\n" +
		"heatctl: is heatd running (systemctl status heatd)? If its [daemon] control_socket is elsewhere, give it with -s SOCKET\n"
	if code != 3 || out != "" || errs != want {
		t.Errorf("no socket: exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, out, errs, want)
	}

	// A socket a crash left: there, but nobody listens.
	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	code, _, errs = heatctl(t, "-s", stale, "reload")
	if code != 3 || !strings.Contains(errs, "connection refused") {
		t.Errorf("stale socket: exit %d, stderr %q", code, errs)
	}

	// Permission denied cannot be staged for root, who passes every mode.
	if os.Geteuid() != 0 {
		closed := start(t, &heatd{})
		os.Chmod(closed, 0)
		if code, _, errs := heatctl(t, "-s", closed, "status"); code != 3 || !strings.Contains(errs, "permission denied") {
			t.Errorf("socket we may not use: exit %d, stderr %q", code, errs)
		}
	}
}

func TestUsage(t *testing.T) {
	if code, out, errs := heatctl(t); code != 2 || out != "" || !strings.HasPrefix(errs, "heatctl: no command") ||
		!strings.Contains(errs, "usage: heatctl") {
		t.Errorf("no command: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, out, _ := heatctl(t, "-h"); code != 0 || out != usage {
		t.Errorf("-h: exit %d, %q", code, out)
	}
	if code, _, _ := heatctl(t, "status", "--bogus"); code != 2 {
		t.Errorf("bad option: exit %d", code)
	}
}

// beat reports to the heartbeat check silently, exit 0; a name that is no
// heartbeat check's exits 1 saying so; a failed job's code and message go
// with the report.
func TestBeat(t *testing.T) {
	h := &heatd{beats: map[string][]check.Beat{"backup": nil}}
	sock := start(t, h)
	if code, out, errs := heatctl(t, "-s", sock, "beat", "backup"); code != 0 || out != "" || errs != "" {
		t.Errorf("beat: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs := heatctl(t, "-s", sock, "beat", "backup", "--fail", "3", "--message", "disk full"); code != 0 {
		t.Errorf("beat --fail: exit %d, stderr %q", code, errs)
	}
	code, out, errs := heatctl(t, "-s", sock, "beat", "web")
	if code != 1 || out != "" || errs != "heatctl: no check named \"web\"\n" {
		t.Errorf("beat to no heartbeat check: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if want := []check.Beat{{}, {Code: 3, Message: "disk full"}}; !slices.Equal(h.beats["backup"], want) {
		t.Errorf("beats %+v, want %+v", h.beats["backup"], want)
	}
}
