package daemon

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func spec(dir, name, command string, interval time.Duration) check.Spec {
	return check.Spec{Name: name, Probe: check.Command(command), Interval: interval, Timeout: 10 * time.Second,
		ScriptTimeout: time.Minute, HeatLog: filepath.Join(dir, name+".log"), Dir: dir}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func status(e *Engine, name string) check.Status {
	for _, s := range e.Statuses() {
		if s.Name == name {
			return s
		}
	}
	return check.Status{}
}

func TestApplyIsADifference(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	failing := spec(dir, "failing", "exit 1", 20*time.Millisecond)
	first := []check.Spec{failing, spec(dir, "gone", "true", time.Hour), spec(dir, "changed", "true", time.Hour)}
	ch := e.Apply(first, Settings{Grace: time.Second})
	if want := []string{"failing", "gone", "changed"}; !slices.Equal(ch.Added, want) {
		t.Errorf("added %v, want %v", ch.Added, want)
	}
	waitFor(t, "failures", func() bool { return status(e, "failing").State.Streak >= 3 })

	second := []check.Spec{failing, spec(dir, "changed", "exit 0", time.Hour), spec(dir, "new", "true", time.Hour)}
	before := status(e, "failing").State.Streak
	ch = e.Apply(second, Settings{Grace: time.Second})
	if !slices.Equal(ch.Added, []string{"new"}) || !slices.Equal(ch.Changed, []string{"changed"}) ||
		!slices.Equal(ch.Removed, []string{"gone"}) || !slices.Equal(ch.Kept, []string{"failing"}) {
		t.Errorf("change %+v", ch)
	}
	// The kept check's streak goes on; it was not restarted.
	waitFor(t, "more failures", func() bool { return status(e, "failing").State.Streak >= before+2 })
	var names []string
	for _, s := range e.Statuses() {
		names = append(names, s.Name)
	}
	if want := []string{"changed", "failing", "new"}; !slices.Equal(names, want) {
		t.Errorf("checks %v, want %v", names, want)
	}
	// Applying the same again touches nothing.
	if ch := e.Apply(second, Settings{Grace: time.Second}); len(ch.Kept) != 3 || len(ch.Added)+len(ch.Changed)+len(ch.Removed) != 0 {
		t.Errorf("a no-op apply changed %+v", ch)
	}
}

// A changed check's new instance starts only once the old one has ended.
func TestChangedCheckNeverRunsTwiceAtOnce(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	old := spec(dir, "c", "echo old start >> trace; sleep 0.5; echo old end >> trace", time.Hour)
	e.Apply([]check.Spec{old}, Settings{Grace: 5 * time.Second})
	trace := filepath.Join(dir, "trace")
	waitFor(t, "the old run", func() bool { b, _ := os.ReadFile(trace); return len(b) > 0 })
	e.Apply([]check.Spec{spec(dir, "c", "echo new >> trace", time.Hour)}, Settings{Grace: 5 * time.Second})
	waitFor(t, "the new run", func() bool { b, _ := os.ReadFile(trace); return strings.Contains(string(b), "new") })
	e.Stop(time.Second)
	b, _ := os.ReadFile(trace)
	if string(b) != "old start\nold end\nnew\n" {
		t.Errorf("trace %q", b)
	}
}

func TestStopEndsEveryLoop(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	e.Apply([]check.Spec{spec(dir, "a", "sleep 30", time.Hour), spec(dir, "b", "true", time.Hour)}, Settings{Grace: time.Second})
	waitFor(t, "a run", func() bool { return status(e, "b").Runs == 1 })
	began := time.Now()
	e.Stop(100 * time.Millisecond)
	// sleep dies of the SIGTERM that follows the grace.
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("stop took %v", d)
	}
	if n := len(e.Statuses()); n != 0 {
		t.Errorf("%d checks after stop", n)
	}
	if ch := e.Apply([]check.Spec{spec(dir, "late", "true", time.Hour)}, Settings{Grace: time.Second}); len(ch.Added) != 0 {
		t.Errorf("a stopped engine started %v", ch.Added)
	}
}

func TestSplay(t *testing.T) {
	if d := Splay("web", time.Minute, 0); d != 0 {
		t.Errorf("no splay gave %v", d)
	}
	seen := map[time.Duration]bool{}
	for i := range 100 {
		name := "check" + strings.Repeat("x", i)
		d := Splay(name, 10*time.Second, time.Minute)
		if d < 0 || d >= 10*time.Second {
			t.Fatalf("splay %v outside min(interval, splay)", d)
		}
		if d != Splay(name, 10*time.Second, time.Minute) {
			t.Fatalf("splay of %s is not stable", name)
		}
		seen[d] = true
	}
	if len(seen) < 90 {
		t.Errorf("only %d distinct offsets for 100 names", len(seen))
	}
}

// A heat log that cannot be written is an event; the check goes on. A pid
// target that is not alive at load is a warning, and its signals fail as
// events.
func TestTroubleIsAnEventNotACrash(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	core, logs := observer.New(zapcore.DebugLevel)
	e := NewEngine(zap.New(core), nil)
	s := spec(dir, "broken", "echo oops >&2; exit 2", 20*time.Millisecond)
	s.HeatLog = filepath.Join(dir, "file", "broken.log") // its folder is a file
	s.Target.PID = 4194303                               // not running
	s.Signal = syscall.SIGUSR1
	e.Apply([]check.Spec{s}, Settings{Grace: time.Second})
	waitFor(t, "three failures", func() bool { return status(e, "broken").State.Streak >= 3 })
	e.Stop(time.Second)
	for msg, least := range map[string]int{"target_missing": 1, "heat_log_failed": 3, "signal_failed": 3, "check_failed": 3} {
		if n := logs.FilterMessage(msg).Len(); n < least {
			t.Errorf("%d %s events, want at least %d", n, msg, least)
		}
	}
	e0 := logs.FilterMessage("signal_failed").All()[0].ContextMap()
	if e0["check"] != "broken" || e0["signal"] != "USR1" || e0["error"] == "" {
		t.Errorf("signal_failed %v", e0)
	}
}

// A check in recovery when an unrelated reload comes stays in recovery: its
// attempts go on counting.
func TestReloadKeepsARecoveryGoing(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	sick := spec(dir, "sick", "exit 1", 20*time.Millisecond)
	sick.Threshold = 1
	e.Apply([]check.Spec{sick}, Settings{Grace: time.Second})
	waitFor(t, "a second attempt", func() bool { return status(e, "sick").State.Attempt >= 2 })
	e.Apply([]check.Spec{sick, spec(dir, "other", "true", time.Hour)}, Settings{Grace: time.Second})
	s := status(e, "sick")
	if s.Health() != check.Recovering {
		t.Errorf("after the reload: %s", s.Health())
	}
	attempt := s.State.Attempt
	waitFor(t, "more attempts", func() bool { return status(e, "sick").State.Attempt >= attempt+2 })
}

// The summary counts the states of remediation's bounds too, so its counts
// add up to the checks: one starting, one that gave up.
func TestSummaryCountsEveryState(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	starting := spec(dir, "new", "exit 1", time.Hour)
	starting.StartPeriod = time.Hour
	stuck := spec(dir, "stuck", "exit 1", 20*time.Millisecond)
	stuck.Threshold, stuck.Recovery, stuck.RecoveryLimit = 1, "/bin/true", 1
	e.Apply([]check.Spec{starting, stuck, spec(dir, "ok", "true", time.Hour)}, Settings{Grace: time.Second})
	const want = "3 checks: 1 healthy, 0 failing, 0 recovering, 1 starting, 1 gave up"
	waitFor(t, want, func() bool { return e.Summary() == want })
}

func TestSummaryAndLive(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	if got := e.Summary(); got != "0 checks: 0 healthy, 0 failing, 0 recovering" {
		t.Errorf("empty: %q", got)
	}
	sick := spec(dir, "sick", "exit 1", 20*time.Millisecond)
	sick.Threshold = 1
	e.Apply([]check.Spec{sick, spec(dir, "ok", "true", time.Hour), spec(dir, "bad", "exit 1", time.Hour)},
		Settings{Grace: time.Second})
	waitFor(t, "the states", func() bool {
		return e.Summary() == "3 checks: 1 healthy, 1 failing, 1 recovering"
	})
	if err := e.Live(time.Now()); err != nil {
		t.Errorf("live engine: %v", err)
	}
	// An hour from now, the loops sleeping on their hour's interval are
	// overdue, as if their timers had never fired.
	if err := e.Live(time.Now().Add(2 * time.Hour)); err == nil {
		t.Errorf("loops two hours late are live")
	}
}

// A stop right after a reload that changed a check waits for the old
// instance too, and kills it at the grace: nothing it started outlives
// the engine.
func TestStopEndsRetiredChecksToo(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	old := spec(dir, "c", "echo $$ > pid; exec sleep 60", time.Hour)
	e.Apply([]check.Spec{old}, Settings{Grace: time.Minute})
	var pid int
	waitFor(t, "the old run", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "pid"))
		_, err := fmt.Sscan(string(b), &pid)
		return err == nil
	})
	e.Apply([]check.Spec{spec(dir, "c", "true", time.Hour)}, Settings{Grace: time.Minute})
	began := time.Now()
	e.Stop(200 * time.Millisecond)
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("stop took %v", d)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !strings.Contains(string(b), ") Z ") {
			t.Errorf("the retired check's process %d outlived the engine", pid)
		}
	}
}

// Checks applied while the engine is held wait for Release; a stop while
// held ends them without a run.
func TestHoldAndRelease(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	e.Hold()
	e.Apply([]check.Spec{spec(dir, "a", "echo run >> trace", time.Hour)}, Settings{Grace: time.Second})
	time.Sleep(200 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(dir, "trace")); err == nil {
		t.Fatal("a held check ran")
	}
	e.Release()
	waitFor(t, "the first run", func() bool { return status(e, "a").Runs == 1 })
	e.Stop(time.Second)

	held := NewEngine(zap.NewNop(), nil)
	held.Hold()
	held.Apply([]check.Spec{spec(dir, "b", "echo run >> trace-b", time.Hour)}, Settings{Grace: time.Second})
	done := make(chan struct{})
	go func() { held.Stop(time.Second); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop hung on held checks")
	}
	if _, err := os.Stat(filepath.Join(dir, "trace-b")); err == nil {
		t.Error("a check held until the stop ran")
	}
}

// A check changed twice while its old run goes on: the instance between
// never began, and the newest one still waits for the oldest to end.
func TestChangedTwiceWaitsForTheOldestRun(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	set := Settings{Grace: time.Minute}
	e.Apply([]check.Spec{spec(dir, "c", "echo old start >> trace; sleep 0.5; echo old end >> trace", time.Hour)}, set)
	trace := filepath.Join(dir, "trace")
	waitFor(t, "the old run", func() bool { b, _ := os.ReadFile(trace); return len(b) > 0 })
	e.Apply([]check.Spec{spec(dir, "c", "echo between >> trace", time.Hour)}, set)
	e.Apply([]check.Spec{spec(dir, "c", "echo new >> trace", time.Hour)}, set)
	waitFor(t, "the new run", func() bool { b, _ := os.ReadFile(trace); return strings.Contains(string(b), "new") })
	e.Stop(time.Minute)
	if b, _ := os.ReadFile(trace); string(b) != "old start\nold end\nnew\n" {
		t.Errorf("trace %q, want the old run to end before the new one starts", b)
	}
}

// A check removed while it runs and added again: the new instance starts
// once the removed one has ended.
func TestReaddedCheckWaitsForItsRemovedRun(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	set := Settings{Grace: time.Minute}
	e.Apply([]check.Spec{spec(dir, "c", "echo old start >> trace; sleep 0.5; echo old end >> trace", time.Hour)}, set)
	trace := filepath.Join(dir, "trace")
	waitFor(t, "the old run", func() bool { b, _ := os.ReadFile(trace); return len(b) > 0 })
	if ch := e.Apply(nil, set); !slices.Equal(ch.Removed, []string{"c"}) {
		t.Fatalf("change %+v, want c removed", ch)
	}
	if ch := e.Apply([]check.Spec{spec(dir, "c", "echo new >> trace", time.Hour)}, set); !slices.Equal(ch.Added, []string{"c"}) {
		t.Fatalf("change %+v, want c added", ch)
	}
	waitFor(t, "the new run", func() bool { b, _ := os.ReadFile(trace); return strings.Contains(string(b), "new") })
	e.Stop(time.Minute)
	if b, _ := os.ReadFile(trace); string(b) != "old start\nold end\nnew\n" {
		t.Errorf("trace %q, want the removed run to end before the new one starts", b)
	}
}

// A check removed while it runs leaves no series once its run ends: the
// run's duration does not bring its histogram back.
func TestRemovedCheckLeavesNoSeries(t *testing.T) {
	dir := t.TempDir()
	var m *metrics.Metrics
	e := NewEngine(zap.NewNop(), func(name string, r check.Result) { m.Ran(name, r) })
	m = metrics.New(e)
	set := Settings{Grace: time.Minute}
	e.Apply([]check.Spec{spec(dir, "c", "echo start > trace; sleep 0.3", time.Hour)}, set)
	trace := filepath.Join(dir, "trace")
	waitFor(t, "the run", func() bool { b, _ := os.ReadFile(trace); return len(b) > 0 })
	ch := e.Apply(nil, set)
	m.Forget(ch.Removed...)
	e.Stop(time.Minute) // returns once the removed check's run has ended

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for line := range strings.Lines(rec.Body.String()) {
		if strings.Contains(line, `check="c"`) {
			t.Fatalf("the removed check has a series: %s", line)
		}
	}
}
