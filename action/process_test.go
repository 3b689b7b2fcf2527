package action

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	for _, code := range []int{0, 1, 7} {
		out := Run(context.Background(), shell(fmt.Sprintf("exit %d", code)))
		if out.StartErr != nil {
			t.Fatalf("exit %d: StartErr %v", code, out.StartErr)
		}
		if out.Code != code || out.TimedOut || out.Interrupted {
			t.Errorf("exit %d: got code %d, timed out %v, interrupted %v", code, out.Code, out.TimedOut, out.Interrupted)
		}
		if out.PID <= 0 || out.Start.IsZero() || out.Duration <= 0 {
			t.Errorf("exit %d: PID %d, Start %v, Duration %v not filled", code, out.PID, out.Start, out.Duration)
		}
	}
}

func TestRunKilledBySignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGKILL} {
		out := Run(context.Background(), shell(fmt.Sprintf("kill -%d $$", sig)))
		if want := 128 + int(sig); out.Code != want {
			t.Errorf("killed by %v: code %d, want %d", sig, out.Code, want)
		}
	}
}

func TestRunOwnGroupStdinEnvDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := shell(`echo "$FOO" >&2; pwd >&2; readlink /proc/$$/fd/0 >&2; cut -d' ' -f5 /proc/$$/stat >&2; echo "[$NOTIFY_SOCKET]" >&2`)
	p.Env = Environ([]string{"PATH=" + os.Getenv("PATH"), "NOTIFY_SOCKET=/run/systemd/notify"}, map[string]string{"FOO": "bar"}, "c")
	p.Dir = dir
	out := Run(context.Background(), p)
	want := fmt.Sprintf("bar\n%s\n/dev/null\n%d\n[]\n", dir, out.PID)
	if string(out.Stderr) != want {
		t.Errorf("stderr %q, want %q (env, folder, stdin, own process group)", out.Stderr, want)
	}
}

func TestRunNilEnvIsEmpty(t *testing.T) {
	t.Setenv("HEATD_TEST_LEAK", "leaked")
	out := Run(context.Background(), Process{Path: "/bin/sh", Args: []string{"sh", "-c", `echo "[$HEATD_TEST_LEAK]" >&2`}})
	if got := string(out.Stderr); got != "[]\n" {
		t.Errorf("a nil Env handed heatd's environment over: %q", got)
	}
}

func TestRunOutputFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := shell("echo out; echo err >&2")
	p.Output = f
	out := Run(context.Background(), p)
	if out.Code != 0 || out.Stderr != nil {
		t.Errorf("code %d, stderr %q: want 0 and nothing captured", out.Code, out.Stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != "out\nerr\n" {
		t.Errorf("output file holds %q, want stdout and stderr", got)
	}
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	// exec: the group is one process, so nothing is left once it died of
	// SIGTERM and Run must not wait for KillDelay.
	p := shell("exec sleep 30")
	p.Timeout = 100 * time.Millisecond
	begin := time.Now()
	out := Run(context.Background(), p)
	took := time.Since(begin)
	if out.Code != 124 || !out.TimedOut || out.Interrupted {
		t.Errorf("code %d, timed out %v, interrupted %v; want 124, true, false", out.Code, out.TimedOut, out.Interrupted)
	}
	if took < p.Timeout || took > KillDelay/2 {
		t.Errorf("took %v: SIGTERM was enough, so about %v", took, p.Timeout)
	}
}

func TestRunTimeoutIgnoringTerm(t *testing.T) {
	t.Parallel()
	// The shell and its child both ignore SIGTERM; only SIGKILL ends them.
	p := shell("trap '' TERM; sleep 30; echo not reached")
	p.Timeout = 100 * time.Millisecond
	begin := time.Now()
	out := Run(context.Background(), p)
	took := time.Since(begin)
	if out.Code != 124 || !out.TimedOut {
		t.Errorf("code %d, timed out %v; want 124, true", out.Code, out.TimedOut)
	}
	if min := p.Timeout + KillDelay; took < min || took > min+time.Second {
		t.Errorf("took %v, want SIGKILL about %v after start", took, min)
	}
	eventually(t, time.Second, "processes of the group remain alive", func() bool {
		return len(liveMembers(out.PID)) == 0
	})
}

func TestRunTimeoutLeaderGoesOthersStay(t *testing.T) {
	t.Parallel()
	// The leader dies of SIGTERM at once; its child ignores SIGTERM and holds
	// stderr: the group still gets SIGKILL after KillDelay.
	pidfile := filepath.Join(t.TempDir(), "child")
	p := shell(`(trap '' TERM; exec sleep 30) & echo $! > "$1"; wait`, pidfile)
	p.Timeout = 200 * time.Millisecond
	begin := time.Now()
	out := Run(context.Background(), p)
	took := time.Since(begin)
	if out.Code != 124 || !out.TimedOut {
		t.Errorf("code %d, timed out %v; want 124, true", out.Code, out.TimedOut)
	}
	if out.Duration > p.Timeout+time.Second {
		t.Errorf("leader ended after %v; it should have died of SIGTERM at %v", out.Duration, p.Timeout)
	}
	if min := p.Timeout + KillDelay; took < min-50*time.Millisecond || took > min+time.Second {
		t.Errorf("Run took %v, want about %v (SIGKILL for what remained)", took, min)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	child, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	eventually(t, time.Second, "the child that ignored SIGTERM is alive", func() bool { return !alive(child) })
	if m := liveMembers(out.PID); len(m) > 0 {
		t.Errorf("group %d still has %v", out.PID, m)
	}
}

func TestRunContextCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	begin := time.Now()
	out := Run(ctx, shell("exec sleep 30"))
	if !out.Interrupted || out.TimedOut || out.Code != 128+int(syscall.SIGTERM) {
		t.Errorf("interrupted %v, timed out %v, code %d; want true, false, 143", out.Interrupted, out.TimedOut, out.Code)
	}
	if took := time.Since(begin); took > KillDelay/2 {
		t.Errorf("took %v to stop", took)
	}
}

func TestRunContextAlreadyDone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	marker := filepath.Join(t.TempDir(), "ran")
	out := Run(ctx, shell(`touch "$1"`, marker))
	if out.StartErr == nil || !out.Interrupted || out.PID != 0 {
		t.Errorf("StartErr %v, interrupted %v, PID %d; want an error, true, 0", out.StartErr, out.Interrupted, out.PID)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the process ran after its context was done")
	}
}

func TestRunStartErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		filepath.Join(dir, "missing"),
		"heatd-no-such-command-in-path",
		notExec,
		dir,
	} {
		out := Run(context.Background(), Process{Path: path, Args: []string{path}})
		if out.StartErr == nil || out.PID != 0 || out.Code != 0 || out.Start.IsZero() {
			t.Errorf("%s: StartErr %v, PID %d, Code %d, Start %v; want an error and nothing else but Start",
				path, out.StartErr, out.PID, out.Code, out.Start)
		}
	}
}

func TestRunGrandchildKeepsStderr(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	out := Run(context.Background(), shell(`sleep 30 & echo $! >&2; echo bye >&2`))
	took := time.Since(begin)
	if took > 750*time.Millisecond {
		t.Errorf("Run took %v: it waited on a grandchild holding stderr", took)
	}
	lines := strings.Fields(string(out.Stderr))
	if out.Code != 0 || len(lines) != 2 || lines[1] != "bye" {
		t.Fatalf("code %d, stderr %q", out.Code, out.Stderr)
	}
	grandchild, err := strconv.Atoi(lines[0])
	if err != nil || grandchild <= 1 {
		t.Fatalf("no grandchild pid in %q", out.Stderr)
	}
	t.Cleanup(func() { syscall.Kill(grandchild, syscall.SIGKILL) })
	time.Sleep(3 * groupPoll)
	if !alive(grandchild) {
		t.Error("the background grandchild was killed; the check left it running on purpose")
	}
}

func TestRunBoundedStderr(t *testing.T) {
	// Not parallel: it measures the memory Run allocates.
	const size = 50_000_000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out := Run(context.Background(), shell(fmt.Sprintf(`head -c %d /dev/zero | tr '\0' x >&2`, size)))
	runtime.ReadMemStats(&after)
	keep := bytes.Repeat([]byte("x"), StderrKeep)
	want := fmt.Sprintf("%s\n[… %d bytes dropped …]\n%s", keep, size-2*StderrKeep, keep)
	if out.Code != 0 || string(out.Stderr) != want {
		t.Errorf("code %d, %d bytes captured; want head, marker and tail (%d bytes)", out.Code, len(out.Stderr), len(want))
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("capturing %d bytes allocated %d bytes", size, grew)
	}
}

func TestRunHoldsNoThreadWhileWaiting(t *testing.T) {
	// Not parallel: it counts this process's threads.
	threads := func() int {
		status, _ := os.ReadFile("/proc/self/status")
		for line := range strings.Lines(string(status)) {
			if n, ok := strings.CutPrefix(line, "Threads:"); ok {
				v, _ := strconv.Atoi(strings.TrimSpace(n))
				return v
			}
		}
		return 0
	}
	const runs = 64
	var n int
	for _, out := range whileRunsWait(runs, shell("exec sleep 30"), func() { n = threads() }) {
		if !out.Interrupted {
			t.Errorf("run not interrupted: %+v", out)
		}
	}
	if n >= runs {
		t.Errorf("%d threads while %d runs waited: a thread is held per run", n, runs)
	}
}

// whileRunsWait starts runs of p at once, each in a goroutine of its own,
// calls measure once they have settled into waiting, then interrupts them
// all and returns their outcomes.
func whileRunsWait(runs int, p Process, measure func()) []Outcome {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{}, runs)
	ended := make(chan Outcome, runs)
	for range runs {
		go func() {
			started <- struct{}{}
			ended <- Run(ctx, p)
		}()
	}
	for range runs {
		<-started
	}
	time.Sleep(500 * time.Millisecond)
	measure()
	cancel()
	outs := make([]Outcome, runs)
	for i := range outs {
		outs[i] = <-ended
	}
	return outs
}

func TestRunTimeoutStoppedProcess(t *testing.T) {
	t.Parallel()
	// A stopped process holds SIGTERM until continued.
	p := shell("kill -STOP $$; sleep 30")
	p.Timeout = 100 * time.Millisecond
	begin := time.Now()
	out := Run(context.Background(), p)
	if out.Code != 124 {
		t.Errorf("code %d, want 124", out.Code)
	}
	if took := time.Since(begin); took > KillDelay/2 {
		t.Errorf("took %v: SIGTERM did not reach the stopped process", took)
	}
}

// A run waits for its process's exit and reads its stderr in the caller's
// goroutine: every other goroutine is a hand-off, and each hand-off a
// wake-up that costs more CPU than the run's own work.
func TestRunStartsNoGoroutine(t *testing.T) {
	// Not parallel: it counts this process's goroutines.
	const runs = 32
	before := runtime.NumGoroutine()
	var during int
	for _, out := range whileRunsWait(runs, shell("echo hi >&2; exec sleep 30"), func() { during = runtime.NumGoroutine() }) {
		if !out.Interrupted || string(out.Stderr) != "hi\n" {
			t.Errorf("run: interrupted %v, stderr %q", out.Interrupted, out.Stderr)
		}
	}
	if extra := during - before - runs; extra > 2 {
		t.Errorf("%d runs in flight had %d goroutines besides their own", runs, extra)
	}
}
