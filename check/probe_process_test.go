package check

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heatd/heatd/action"
)

// watch prepares a process check of target with limits, as heatd does.
func watch(t *testing.T, target action.Target, limits ProcessProbe) *Runner {
	t.Helper()
	spec := Spec{Name: "proc", Probe: limits, Target: target, Interval: time.Second, Timeout: 5 * time.Second, Dir: t.TempDir()}
	r, _ := NewRunner(&spec, nil, nil)
	t.Cleanup(func() { r.Close() })
	return r
}

// expect runs the check once and compares its code and output, whose
// "PID" stands for pid.
func expect(t *testing.T, r *Runner, code int, output string, pid int) Result {
	t.Helper()
	res := r.Check(context.Background())
	want := regexp.MustCompile("^" + strings.ReplaceAll(output, "PID", strconv.Itoa(pid)) + "$")
	if res.Err != nil || res.Code != code || !want.Match(res.Output) {
		t.Fatalf("result: code %d, err %v, output %q; want code %d, output %s", res.Code, res.Err, res.Output, code, want)
	}
	if res.PID != 0 || res.Unix == 0 {
		t.Errorf("result: pid %d, unix %d; want no check process and a start", res.PID, res.Unix)
	}
	return res
}

// A process holding more memory than max_rss fails with 2, and the line
// says how much against the limit; one within it passes.
func TestProcessOverRSS(t *testing.T) {
	t.Parallel()
	big, small := startChild(t, "rss:128"), startChild(t, "idle")
	limit := ProcessProbe{MaxRSS: 100 << 20}
	res := expect(t, watch(t, action.Target{PID: big.pid}, limit), codeOverRSS,
		`process PID: rss \d+(\.\d)? MiB over max_rss 100 MiB\n`, big.pid)
	var mib float64
	fmt.Sscanf(string(res.Output), "process %d: rss %g MiB", new(int), &mib)
	if mib < 128 {
		t.Errorf("rss %g MiB, but the child holds 128 MiB", mib)
	}
	expect(t, watch(t, action.Target{PID: small.pid}, limit), 0, "", 0)
}

// A process keeping a core busy fails with 3 once a run has a previous one
// to average from; the first run cannot judge, and an idle process passes.
func TestProcessOverCPU(t *testing.T) {
	t.Parallel()
	spin, idle := startChild(t, "spin"), startChild(t, "idle")
	limit := ProcessProbe{MaxCPU: 5}
	busy, calm := watch(t, action.Target{PID: spin.pid}, limit), watch(t, action.Target{PID: idle.pid}, limit)
	expect(t, busy, 0, "", 0) // nothing to average from yet
	expect(t, calm, 0, "", 0)
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(300 * time.Millisecond) // the window CPU is averaged over
		res := busy.Check(context.Background())
		if res.Code == codeOverCPU {
			if !regexp.MustCompile(`^process \d+: cpu \d+(\.\d)?% over max_cpu 5%\n$`).Match(res.Output) {
				t.Errorf("output %q", res.Output)
			}
			break
		}
		if res.Code != 0 || time.Now().After(deadline) {
			t.Fatalf("a spinning process: code %d, output %q", res.Code, res.Output)
		}
	}
	expect(t, calm, 0, "", 0)
}

// A process holding more descriptors than max_fds fails with 4.
func TestProcessOverFDs(t *testing.T) {
	t.Parallel()
	many, few := startChild(t, "fds:200"), startChild(t, "idle")
	limit := ProcessProbe{MaxFDs: 100}
	expect(t, watch(t, action.Target{PID: many.pid}, limit), codeOverFDs,
		`process PID: fds 2\d\d over max_fds 100\n`, many.pid)
	expect(t, watch(t, action.Target{PID: few.pid}, limit), 0, "", 0)
}

// Every limit broken is on the line; the first gives the code.
func TestProcessOverSeveral(t *testing.T) {
	t.Parallel()
	c := startChild(t, "fds:200")
	expect(t, watch(t, action.Target{PID: c.pid}, ProcessProbe{MaxRSS: 1 << 20, MaxFDs: 10}), codeOverRSS,
		`process PID: rss \d+(\.\d)? MiB over max_rss 1 MiB; fds 2\d\d over max_fds 10\n`, c.pid)
}

// A target that dies fails with 1, reaped or not (a zombie is dead), and
// so does a pid that was not alive when the check was made.
func TestProcessNotRunning(t *testing.T) {
	t.Parallel()
	reaped, zombie := startChild(t, "idle"), startChild(t, "idle")
	r1, r2 := watch(t, action.Target{PID: reaped.pid}, ProcessProbe{}), watch(t, action.Target{PID: zombie.pid}, ProcessProbe{})
	expect(t, r1, 0, "", 0)
	expect(t, r2, 0, "", 0)
	reaped.kill()
	expect(t, r1, codeNotRunning, `process PID has exited\n`, reaped.pid)
	zombie.cmd.Process.Kill()
	// Z: the main thread is dead; one task left: so are the others.
	for state(zombie.pid) != 'Z' || tasks(zombie.pid) != 1 {
		time.Sleep(5 * time.Millisecond)
	}
	expect(t, r2, codeNotRunning, `process PID has exited\n`, zombie.pid)
	expect(t, watch(t, action.Target{PID: reaped.pid}, ProcessProbe{}), codeNotRunning,
		`process PID was not running when the target was opened, .*\n`, reaped.pid)
}

// A pid target is its process, not its pid: once it has died, a new
// process given the same pid (steered there through ns_last_pid) is not
// read for it, however much memory it holds.
func TestProcessPIDReused(t *testing.T) {
	const lastPID = "/proc/sys/kernel/ns_last_pid"
	first := startChild(t, "idle")
	r := watch(t, action.Target{PID: first.pid}, ProcessProbe{MaxRSS: 64 << 20})
	expect(t, r, 0, "", 0)
	first.kill()
	var again *child
	for range 50 {
		if err := os.WriteFile(lastPID, []byte(strconv.Itoa(first.pid-1)), 0o644); err != nil {
			t.Skipf("the next pid cannot be chosen here: %v", err)
		}
		c := startChild(t, "rss:128")
		if c.pid == first.pid {
			again = c
			break
		}
		c.kill()
	}
	if again == nil {
		t.Skipf("pid %d was never given again: other processes took it first", first.pid)
	}
	expect(t, r, codeNotRunning, `process PID has exited\n`, first.pid)
}

// state is a process's state letter in /proc, or 0 when there is none.
func state(pid int) byte {
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	return st[strings.LastIndexByte(string(st), ')')+2]
}

// tasks counts the threads of a process.
func tasks(pid int) int {
	names, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*")
	return len(names)
}

// A pidfile is read at each run, as for signals: the process it names
// now is judged; none, or a refused one, fails with 1.
func TestProcessPidfile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "svc.pid")
	r := watch(t, action.Target{Pidfile: pidfile}, ProcessProbe{MaxRSS: 64 << 20})
	expect(t, r, codeNotRunning, `pidfile `+regexp.QuoteMeta(pidfile)+` does not exist \(is the service running\?\)\n`, 0)
	small, big := startChild(t, "idle"), startChild(t, "rss:128")
	os.WriteFile(pidfile, []byte(strconv.Itoa(small.pid)+"\n"), 0o644)
	expect(t, r, 0, "", 0)
	os.WriteFile(pidfile, []byte(strconv.Itoa(big.pid)+"\n"), 0o644)
	expect(t, r, codeOverRSS, `process PID: rss .* over max_rss 64 MiB\n`, big.pid)
	big.kill()
	expect(t, r, codeNotRunning, `pidfile `+regexp.QuoteMeta(pidfile)+`: process PID has exited\n`, big.pid)
	os.WriteFile(pidfile, []byte("1\n"), 0o644)
	expect(t, r, codeNotRunning, `pidfile `+regexp.QuoteMeta(pidfile)+`: pid 1 is refused: heatd never signals init\n`, 0)
}

// Strict, a pidfile aims the check only at its owner's processes, as it
// aims signals: root's pidfile naming another user's process is refused.
func TestProcessPidfileStrict(t *testing.T) {
	t.Parallel()
	if os.Getuid() != 0 {
		t.Skip("needs root to start a process as another user")
	}
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "svc.pid")
	// sleep, not the test binary, which the other user may not run.
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	other := &child{cmd: cmd, stdin: nopCloser{}, pid: cmd.Process.Pid}
	t.Cleanup(other.kill)
	os.WriteFile(pidfile, []byte(strconv.Itoa(other.pid)), 0o644)
	expect(t, watch(t, action.Target{Pidfile: pidfile}, ProcessProbe{}), 0, "", 0)
	expect(t, watch(t, action.Target{Pidfile: pidfile, Strict: true}, ProcessProbe{}), codeNotRunning,
		`pidfile .*: process PID runs as uid 65534, not as the pidfile's owner \(uid 0\): refused .*\n`, other.pid)
}

// nopCloser is the stdin of a child that reads none.
type nopCloser struct{}

func (nopCloser) Write(p []byte) (int, error) { return len(p), nil }
func (nopCloser) Close() error                { return nil }

// BenchmarkProcessRun is the cost of a process check's run: /proc/PID/stat
// alone, and with the descriptors of a process holding 200 counted.
func BenchmarkProcessRun(b *testing.B) {
	for _, c := range []struct {
		name   string
		limits ProcessProbe
	}{
		{"rss+cpu", ProcessProbe{MaxRSS: 1 << 40, MaxCPU: 1000}},
		{"rss+cpu+fds", ProcessProbe{MaxRSS: 1 << 40, MaxCPU: 1000, MaxFDs: 1 << 20}},
	} {
		b.Run(c.name, func(b *testing.B) {
			target := startChild(b, "fds:200")
			spec := Spec{Name: "proc", Probe: c.limits, Target: action.Target{PID: target.pid}}
			r, _ := NewRunner(&spec, nil, nil)
			defer r.Close()
			for b.Loop() {
				if res := r.Check(context.Background()); res.Code != 0 || res.Err != nil {
					b.Fatalf("%+v", res)
				}
			}
		})
	}
}
