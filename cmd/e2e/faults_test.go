package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Injected faults, each produced for real: a full or read-only heat log
// folder, too few descriptors, too few processes, checks that fork
// hundreds of children, ignore SIGTERM or escape their group, scripts that
// hang or vanish, a config file that vanishes or is replaced while HUPs
// arrive. In each, heatd must not crash, must report every run (a run it
// could not start is run_error, never check_failed, so a healthy service is
// never "recovered"), must leave no process behind but those heatd
// leaves alone, and must go on checking.

// faultNobody is the unprivileged user heatd runs as where a limit binds
// only such a user (RLIMIT_NPROC) or where root would ignore a file's mode.
const faultNobody = 65534

// requireRoot skips t unless the tests run as root.
func requireRoot(t *testing.T, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("needs root (%s): run the tests as root to cover it", why)
	}
}

// requireTool is the path of a program t needs, or skips t.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian: util-linux)", name)
	}
	return path
}

// heatdCommand is heatd -c config in dir, run through wrapper (prlimit and
// its options) when given, without NOTIFY_SOCKET.
func heatdCommand(dir, config string, wrapper ...string) *exec.Cmd {
	argv := slices.Concat(wrapper, []string{filepath.Join(bin, "heatd"), "-c", config})
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET=")
	return cmd
}

// asNobody makes cmd run as faultNobody, with no supplementary groups.
func asNobody(cmd *exec.Cmd) *exec.Cmd {
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: faultNobody, Gid: faultNobody, Groups: []uint32{}},
	}
	return cmd
}

// nobodysDir is a temporary folder that faultNobody owns and can reach,
// and from which it can run the built binaries.
func nobodysDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{bin, filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(dir, faultNobody, faultNobody); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeConfig writes text to path, or fails t.
func writeConfig(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// alive reports whether heatd (or any proc) is still running: its pipes
// close when it exits, however it exits.
func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// mustLive fails t, with heatd's last words, when p has exited.
func (p *proc) mustLive(what string) {
	p.t.Helper()
	if !p.alive() {
		p.cmd.Wait()
		p.t.Fatalf("%s: heatd exited (%v); its last events and what else it said:\n%s", what,
			p.cmd.ProcessState, lastWords(p.lines(true)))
	}
}

// lastWords are the last events of a heatd that died and the first lines of
// whatever else it wrote (a Go runtime's fatal error and its stack).
func lastWords(lines []string) string {
	var evs, other []string
	for _, l := range lines {
		if strings.HasPrefix(l, "{") {
			evs = append(evs, l)
		} else {
			other = append(other, l)
		}
	}
	evs = evs[max(0, len(evs)-10):]
	other = other[:min(len(other), 40)]
	return strings.Join(evs, "\n") + "\n" + strings.Join(other, "\n")
}

// withMsg are the events named msg (of check, when not "").
func withMsg(lines []string, msg, check string) []event {
	var out []event
	for _, e := range events(lines) {
		if e["msg"] == msg && (check == "" || e["check"] == check) {
			out = append(out, e)
		}
	}
	return out
}

// num is a number field of an event; -1 when missing.
func num(e event, key string) int {
	f, ok := e[key].(float64)
	if !ok {
		return -1
	}
	return int(f)
}

// secs is a duration field of an event, a number of seconds; -1s when
// it is missing or not a number.
func secs(e event, key string) time.Duration {
	f, ok := e[key].(float64)
	if !ok {
		return -time.Second
	}
	return time.Duration(f * float64(time.Second))
}

// str is a string field of an event.
func str(e event, key string) string {
	s, _ := e[key].(string)
	return s
}

// atLeast is a waitFor condition: n events msg of check or more.
func atLeast(n int, msg, check string) func([]string) bool {
	return func(l []string) bool { return count(l, msg, check) >= n }
}

// faultTag is a tag for the processes of the test run whose t.TempDir()
// is dir: the folder's parent is unique to the run, so that a run (of
// -count=N, or of a test left running) never counts another's.
func faultTag(dir string) string {
	return filepath.Base(filepath.Dir(dir))
}

// tagged lists the live processes (zombies are not) whose environment
// holds FAULT_TAG=tag and, when comm is not "", whose name is comm. Every
// process heatd starts for a check whose env sets the tag carries it, and
// so does whatever those processes leave behind, wherever it went: setsid
// takes a process out of its group, never out of this list.
func tagged(tag, comm string) []int {
	return taggedWith("FAULT_TAG="+tag+"\x00", comm)
}

// taggedWith lists the live processes named comm (any, when "") whose
// environment holds want.
func taggedWith(want, comm string) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, f := range stats {
		stat, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(stat)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) == 0 || fields[0] == "Z" || fields[0] == "X" || (comm != "" && s[open+1:end] != comm) {
			continue
		}
		env, err := os.ReadFile(filepath.Join(filepath.Dir(f), "environ"))
		if err != nil || !bytes.Contains(env, []byte(want)) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		pids = append(pids, pid)
	}
	return pids
}

// killTagged ends, at the end of t, the processes whose tag is tag or
// starts with it: what a check left running on purpose is the test's to
// clean up, not heatd's.
func killTagged(t *testing.T, tag string) {
	t.Cleanup(func() {
		for _, pid := range taggedWith("FAULT_TAG="+tag, "") {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// waitTagged polls until tagged(tag, comm) has n members, or fails t.
func waitTagged(t *testing.T, tag, comm string, n int, timeout time.Duration) []int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		pids := tagged(tag, comm)
		if len(pids) == n {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d live %q processes tagged %s, want %d: %v", len(pids), comm, tag, n, pids)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sessionOf is a process's session id, or 0 when it is gone.
func sessionOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 4 {
		return 0
	}
	sid, _ := strconv.Atoi(fields[3])
	return sid
}

// 1. A heat log on a full filesystem, then on a read-only one: every
// failed run's output that cannot be written is a heat_log_failed event,
// the check and its fail script go on, and once there is room again the
// heat log is written again, each run's lines whole.
func TestFaultHeatLogFullThenReadOnly(t *testing.T) {
	requireRoot(t, "mounts a tmpfs")
	t.Parallel()
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", logs, "tmpfs", 0, "size=64k,mode=755"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(logs, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", logs, err)
		}
	})
	filler := filepath.Join(logs, "filler")
	fill(t, filler)

	script(t, filepath.Join(dir, "fail"), "echo fail script says hi\n")
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, `
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
[check.boom]
command = "echo boom >&2; exit 1"
interval = "100ms"
fail = "fail"
`)
	heatd := start(t, dir, "heatd", "-c", config)
	heatLog := filepath.Join(logs, "boom.log")

	// Full: each failed run's output is one heat_log_failed, no more, no
	// fewer; the fail script still runs.
	full := heatd.waitFor("heat logs failing on a full filesystem", 10*time.Second, true, func(l []string) bool {
		return len(logFailures(l, "no space left on device")) >= 3 && count(l, "fail_script_done", "boom") >= 3
	})
	failed, lost := count(full, "check_failed", "boom"), len(logFailures(full, ""))
	if lost != failed && lost != failed-1 { // the last run's may be under way
		t.Errorf("%d failed runs, %d heat_log_failed for their output; want one each", failed, lost)
	}
	if b, _ := os.ReadFile(heatLog); bytes.Contains(b, []byte("boom")) {
		t.Errorf("a full filesystem took the output:\n%s", b)
	}

	// Room again: the next runs' output is there, line by line.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitHeatLog(t, heatLog, `(?m)^\d{10}: boom$`)

	// Read-only: the same, with the reason; the fail script runs, its
	// output going nowhere.
	remount(t, logs, syscall.MS_RDONLY)
	mark := len(heatd.lines(true))
	ro := heatd.waitFor("heat logs failing on a read-only filesystem", 10*time.Second, true, func(l []string) bool {
		return len(logFailures(l[mark:], "read-only file system")) >= 3 && count(l[mark:], "fail_script_done", "boom") >= 3
	})
	for _, e := range withMsg(ro[mark:], "check_failed", "boom") {
		if num(e, "exit_code") != 1 || str(e, "output") != "boom" {
			t.Errorf("check_failed on a read-only heat log: %v", e)
		}
	}
	before, _ := os.ReadFile(heatLog)

	// Writable again: written again.
	remount(t, logs, 0)
	deadline := time.Now().Add(10 * time.Second)
	for {
		after, _ := os.ReadFile(heatLog)
		if len(after) > len(before) && bytes.Contains(after[len(before):], []byte(": boom\n")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the heat log was not written after the remount:\n%s", after)
		}
		time.Sleep(50 * time.Millisecond)
	}
	heatd.mustLive("after the heat log faults")
	if n := count(heatd.lines(true), "run_error", ""); n != 0 {
		t.Errorf("%d run_error events: a heat log is no reason not to run", n)
	}
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	// Every line of the log is a whole line of heatd's or the script's.
	b, _ := os.ReadFile(heatLog)
	line := regexp.MustCompile(`^(\d{10}: (failed: exit code 1|boom|fail script started|fail script exited with code \d+)|fail script says hi)$`)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("heat log line %q", l)
		}
		// A run's lines are whole together: its "failed" line, then its
		// stderr, with the same time.
		if sec, ok := strings.CutSuffix(l, ": failed: exit code 1"); ok && (i+1 == len(lines) || lines[i+1] != sec+": boom") {
			t.Errorf("heat log line %d %q is not followed by its run's output", i+1, l)
		}
		if sec, ok := strings.CutSuffix(l, ": boom"); ok && (i == 0 || lines[i-1] != sec+": failed: exit code 1") {
			t.Errorf("heat log line %d %q does not follow its run's failed line", i+1, l)
		}
	}
}

// fill writes path until its filesystem is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	for {
		if _, err := f.Write(page); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// remount remounts the tmpfs at dir with flags (MS_RDONLY, or 0 for
// read-write). A remount read-only is refused while a file is open for
// writing there (a fail script's output): it is tried again.
func remount(t *testing.T, dir string, flags uintptr) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT|flags, "size=64k,mode=755")
		if err == nil {
			return
		}
		if err != syscall.EBUSY || time.Now().After(deadline) {
			t.Fatalf("remounting %s: %v", dir, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// logFailures are the heat_log_failed events of a check run's own output
// (not a script's), whose error contains why.
func logFailures(lines []string, why string) []event {
	var out []event
	for _, e := range withMsg(lines, "heat_log_failed", "") {
		if _, script := e["script"]; !script && strings.Contains(str(e, "error"), why) {
			out = append(out, e)
		}
	}
	return out
}

// waitHeatLog polls until the heat log at path matches re.
func waitHeatLog(t *testing.T, path, re string) {
	t.Helper()
	want := regexp.MustCompile(re)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if want.Match(b) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("heat log %s never matched %s:\n%s", path, re, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// manyChecks is a config of n checks "c00"... running command every
// interval, each with a recovery at the first failure that would leave a
// file "recovered.NAME" (none must appear), tagged tag.
func manyChecks(n int, command, interval, daemon, tag string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `[daemon]
log_dir = "logs"
log_level = "debug"
%s
[defaults]
interval = %q
threshold = 1
recovery = "recover"
env = { FAULT_TAG = %q }
`, daemon, interval, tag)
	for i := range n {
		fmt.Fprintf(&b, "[check.c%02d]\ncommand = %q\n", i, command)
	}
	return b.String()
}

// noFalseFailures fails t when heatd took a run it could not start for a
// failure of the check: a check_failed, a recovery, a recovery's file.
func noFalseFailures(t *testing.T, dir string, lines []string) {
	t.Helper()
	for _, msg := range []string{"check_failed", "check_timeout", "recovery_started", "fail_script_done", "recovery_script_done"} {
		if n := count(lines, msg, ""); n != 0 {
			t.Errorf("%d %s events for checks that never failed: %v", n, msg, withMsg(lines, msg, "")[0])
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "recovered.*")); len(m) > 0 {
		t.Errorf("recovery scripts ran: %v", m)
	}
}

// 2. Too few descriptors: forty checks of half a second each, every
// 200 ms, in a heatd allowed 100 descriptors. With max_parallel = 1000
// runs cannot get their pipes: run_error, never check_failed, no recovery.
// With max_parallel = 0 (automatic, from RLIMIT_NOFILE) the same load waits
// for slots instead, and every run starts.
func TestFaultTooFewDescriptors(t *testing.T) {
	prlimit := requireTool(t, "prlimit")
	t.Parallel()
	dir := t.TempDir()
	script(t, filepath.Join(dir, "recover"), "touch recovered.$HEAT_CHECK\n")
	config := filepath.Join(dir, "heat.toml")
	// Go raises its soft limit to the hard one at start: both are set.
	limit := []string{prlimit, "--nofile=100:100"}

	tag := faultTag(dir)
	killTagged(t, tag)
	writeConfig(t, config, manyChecks(40, "sleep 0.5", "200ms",
		"control_socket = \"heatd1.sock\"\nmax_parallel = 1000", tag))
	heatd := launch(t, heatdCommand(dir, config, limit...))
	l := heatd.waitFor("runs that cannot start, and runs that do", 15*time.Second, true, func(l []string) bool {
		return count(l, "run_error", "") >= 20 && count(l, "check_ok", "") >= 20
	})
	for _, e := range withMsg(l, "run_error", "") {
		// EMFILE mostly; EBADF when the child's copy of the descriptor table,
		// as full as heatd's, has no room left for the fd shuffle Go's
		// fork/exec makes in the child (a dup3 above the limit).
		why := str(e, "error")
		if !strings.Contains(why, "too many open files") && !strings.Contains(why, "bad file descriptor") ||
			e["level"] != "error" {
			t.Errorf("run_error %v: want the reason, too many open files", e)
			break
		}
	}
	heatd.mustLive("out of descriptors")
	// Still checking: more runs complete after the errors.
	n := count(heatd.lines(true), "check_ok", "")
	heatd.waitFor("more runs", 10*time.Second, true, atLeast(n+10, "check_ok", ""))
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	noFalseFailures(t, dir, heatd.lines(true))
	waitTagged(t, tag, "", 0, 5*time.Second)

	writeConfig(t, config, manyChecks(40, "sleep 0.5", "200ms",
		"control_socket = \"heatd2.sock\"\nmax_parallel = 0", tag))
	heatd = launch(t, heatdCommand(dir, config, limit...))
	heatd.waitFor("the same load under the automatic bound", 15*time.Second, true, atLeast(40, "check_ok", ""))
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	l = heatd.lines(true)
	if n := count(l, "run_error", ""); n != 0 {
		t.Errorf("%d run_error events under the automatic bound: %v", n, withMsg(l, "run_error", "")[0])
	}
	noFalseFailures(t, dir, l)
	queued := 0
	for _, e := range withMsg(l, "check_ok", "") {
		if _, ok := e["queued"]; ok {
			queued++
		}
	}
	if queued == 0 {
		t.Errorf("no run waited for a slot: the automatic bound did not bind")
	}
	waitTagged(t, tag, "", 0, 5*time.Second)
}

// tasksOf counts the tasks (threads, zombies included) whose real user is
// uid: what RLIMIT_NPROC counts.
func tasksOf(uid int) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/status")
	n := 0
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var real, threads int = -1, 0
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "Uid:"); ok {
				if f := strings.Fields(v); len(f) > 0 {
					real, _ = strconv.Atoi(f[0])
				}
			}
			if v, ok := strings.CutPrefix(line, "Threads:"); ok {
				threads, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		if real == uid {
			n += threads
		}
	}
	return n
}

// hogs are processes of faultNobody that hold its process slots: a sibling
// of heatd's under the same user.
type hogs struct {
	t    *testing.T
	cmds []*exec.Cmd
}

// hogUntil starts sleeping processes as faultNobody until the user has n
// tasks. The test forks them as root, which no RLIMIT_NPROC stops.
func hogUntil(t *testing.T, n int) *hogs {
	t.Helper()
	h := &hogs{t: t}
	t.Cleanup(h.release)
	pgid := 0
	for have := tasksOf(faultNobody); have < n; have++ {
		cmd := asNobody(exec.Command("sleep", "60"))
		cmd.SysProcAttr.Setpgid, cmd.SysProcAttr.Pgid = true, pgid
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if pgid == 0 {
			pgid = cmd.Process.Pid
		}
		h.cmds = append(h.cmds, cmd)
	}
	return h
}

// release ends the hogs and reaps them, giving their slots back.
func (h *hogs) release() {
	if len(h.cmds) == 0 {
		return
	}
	syscall.Kill(-h.cmds[0].Process.Pid, syscall.SIGKILL)
	for _, c := range h.cmds {
		c.Wait()
	}
	h.cmds = nil
}

// 3. Too few processes: RLIMIT_NPROC binds only an unprivileged user, so
// heatd runs as nobody under --nproc=40, forty checks of 0.2 s every 100 ms
// with max_parallel = 100: its own children use up the slots, and runs that
// cannot fork are run_error. Then a sibling process of nobody's takes every
// slot, more than heatd's children could free: every run is run_error. No
// check fails, nothing is recovered, and heatd, which needs threads too,
// lives on. When the sibling exits, runs succeed again.
func TestFaultTooFewProcesses(t *testing.T) {
	requireRoot(t, "RLIMIT_NPROC binds only an unprivileged user, and heatd must be started as one")
	prlimit := requireTool(t, "prlimit")
	dir := nobodysDir(t)
	script(t, filepath.Join(dir, "recover"), "touch recovered.$HEAT_CHECK\n")
	config := filepath.Join(dir, "heat.toml")
	tag := faultTag(dir)
	killTagged(t, tag)
	writeConfig(t, config, manyChecks(40, "sleep 0.2", "100ms",
		"control_socket = \"heatd.sock\"\nmax_parallel = 100", tag))
	const limit = 40
	heatd := launch(t, asNobody(heatdCommand(dir, config, prlimit, fmt.Sprintf("--nproc=%d:%d", limit, limit))))
	l := heatd.waitFor("runs, and runs that cannot fork", 10*time.Second, true, func(l []string) bool {
		return !heatd.alive() || count(l, "check_ok", "") >= 20 && count(l, "run_error", "") >= 20
	})
	heatd.mustLive("out of processes of its own making")
	for _, e := range withMsg(l, "run_error", "") {
		if !strings.Contains(str(e, "error"), "resource temporarily unavailable") {
			t.Errorf("run_error %v: want the reason, EAGAIN", e)
			break
		}
	}

	// A sibling takes every slot: more than the limit, so that heatd's
	// children that end free none.
	h := hogUntil(t, limit+40)
	time.Sleep(300 * time.Millisecond) // heatd's last children end
	mark := len(heatd.lines(true))
	heatd.waitFor("runs that cannot fork at all", 10*time.Second, true, func(l []string) bool {
		return !heatd.alive() || count(l[mark:], "run_error", "") >= 40
	})
	heatd.mustLive("with no process slot at all")
	if n := count(heatd.lines(true)[mark:], "check_ok", ""); n != 0 {
		t.Errorf("%d runs started with every slot taken", n)
	}

	// Room again.
	h.release()
	n := count(heatd.lines(true), "check_ok", "")
	heatd.waitFor("runs after the sibling exited", 10*time.Second, true, func(l []string) bool {
		return !heatd.alive() || count(l, "check_ok", "") >= n+20
	})
	heatd.mustLive("once room returned")
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	noFalseFailures(t, dir, heatd.lines(true))
	waitTagged(t, tag, "", 0, 5*time.Second)
}

// 4. Checks that misbehave with processes. heatd's rules, as they stand:
//   - a run that times out ends with its whole process group: three hundred
//     children die with it;
//   - a run that exits at once, leaving three hundred children, is done
//     when its leader is (its stderr pipe is let go 200 ms later): the
//     children are left alone, as heatd leaves a script's daemons,
//     and heatd's stop leaves them too;
//   - a run that closes its stdout and stderr and goes on is waited for;
//   - a run that ignores SIGTERM is killed 2 s later;
//   - a run that moves a child to a session of its own (setsid) loses it:
//     heatd kills the group, and the escaped process lives on, the only
//     one left; heatd does not wait for it.
//
// None of them holds heatd up: each check goes on.
func TestFaultProcessSwarms(t *testing.T) {
	requireTool(t, "setsid")
	t.Parallel()
	dir := t.TempDir()
	tag := faultTag(dir)
	killTagged(t, tag) // wherever the checks' children went
	once := func(name, body string) string {
		return fmt.Sprintf("[ -e %[1]s.done ] && exit 0; touch %[1]s.done; %[2]s", name, body)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `[daemon]
log_dir = "logs"
log_level = "debug"
control_socket = "heatd.sock"
shutdown_grace = "1s"
[defaults]
interval = "300ms"
`)
	for _, c := range []struct{ name, command, timeout string }{
		{"swarm_timeout", once("swarm_timeout", "for i in $(seq 300); do sleep 30 & done; wait"), "3s"},
		{"swarm_exit", once("swarm_exit", "for i in $(seq 300); do sleep 30 & done; exit 1"), "30s"},
		{"mute", "exec >&- 2>&-; sleep 1; exit 3", "5s"},
		{"stubborn", once("stubborn", "trap '' TERM; sleep 30"), "500ms"},
		{"escaper", once("escaper", "setsid sleep 30 & sleep 30"), "500ms"},
	} {
		fmt.Fprintf(&b, "[check.%s]\ncommand = %q\ntimeout = %q\nenv = { FAULT_TAG = %q }\n",
			c.name, c.command, c.timeout, tag+"-"+c.name)
	}
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, b.String())
	heatd := start(t, dir, "heatd", "-c", config)

	// Three hundred children, then the timeout: all of them die.
	deadline := time.Now().Add(3 * time.Second)
	for len(tagged(tag+"-swarm_timeout", "sleep")) < 300 {
		if count(heatd.lines(true), "check_timeout", "swarm_timeout") > 0 || time.Now().After(deadline) {
			t.Fatalf("swarm_timeout never had its 300 children at once")
		}
		time.Sleep(50 * time.Millisecond)
	}
	heatd.waitFor("swarm_timeout's timeout", 10*time.Second, true, atLeast(1, "check_timeout", "swarm_timeout"))
	// check_failed is the next line heatd writes, a moment later.
	l := heatd.waitFor("swarm_timeout's failure", 5*time.Second, true, atLeast(1, "check_failed", "swarm_timeout"))
	if left := tagged(tag+"-swarm_timeout", ""); len(left) != 0 {
		t.Errorf("after the timeout, %d of swarm_timeout's processes live on: %v", len(left), left)
	}
	if e := withMsg(l, "check_failed", "swarm_timeout"); len(e) != 1 || num(e[0], "exit_code") != 124 {
		t.Errorf("swarm_timeout: %v, want one check_failed with code 124", e)
	}

	// Three hundred children left by a leader that exits: left alone.
	l = heatd.waitFor("swarm_exit's failure", 10*time.Second, true, atLeast(1, "check_failed", "swarm_exit"))
	e := withMsg(l, "check_failed", "swarm_exit")[0]
	if d := secs(e, "duration"); num(e, "exit_code") != 1 || d < 0 || d > 2*time.Second {
		t.Errorf("swarm_exit: %v, want code 1 as soon as the leader exits", e)
	}
	left := tagged(tag+"-swarm_exit", "sleep")
	if len(left) != 300 {
		t.Errorf("%d of the 300 children swarm_exit left live on, want all", len(left))
	}

	// Output closed early: the run still lasts until its leader exits.
	l = heatd.waitFor("mute's failure", 10*time.Second, true, atLeast(1, "check_failed", "mute"))
	e = withMsg(l, "check_failed", "mute")[0]
	if d := secs(e, "duration"); num(e, "exit_code") != 3 || d < time.Second || str(e, "output") != "" {
		t.Errorf("mute: %v, want code 3 after a second, no output", e)
	}

	// SIGTERM ignored: SIGKILL 2 s after it.
	l = heatd.waitFor("stubborn's timeout", 10*time.Second, true, atLeast(1, "check_timeout", "stubborn"))
	e = withMsg(l, "check_timeout", "stubborn")[0]
	if d := secs(e, "duration"); d < 2400*time.Millisecond || d > 4*time.Second {
		t.Errorf("stubborn: %v, want its end 0.5 s + 2 s after its start", e)
	}
	if left := tagged(tag+"-stubborn", ""); len(left) != 0 {
		t.Errorf("stubborn's processes outlived SIGKILL: %v", left)
	}

	// setsid: the group dies on time, the escaped process does not.
	l = heatd.waitFor("escaper's timeout", 10*time.Second, true, atLeast(1, "check_timeout", "escaper"))
	e = withMsg(l, "check_timeout", "escaper")[0]
	if d := secs(e, "duration"); d < 0 || d > 1500*time.Millisecond {
		t.Errorf("escaper: %v, want its end at its timeout: the escaped process must not hold heatd", e)
	}
	escaped := waitTagged(t, tag+"-escaper", "", 1, 3*time.Second)
	if sid := sessionOf(escaped[0]); sid != escaped[0] || sid == num(e, "pid") {
		t.Errorf("the process left is %d in session %d: want the one setsid made", escaped[0], sid)
	}

	// Every check goes on.
	for _, name := range []string{"swarm_timeout", "swarm_exit", "stubborn", "escaper"} {
		heatd.waitFor(name+" running on", 10*time.Second, true, atLeast(1, "check_ok", name))
	}
	heatd.waitFor("mute running on", 10*time.Second, true, atLeast(2, "check_failed", "mute"))
	stopped := time.Now()
	if code := heatd.stop(syscall.SIGTERM); code != 0 || time.Since(stopped) > 3*time.Second {
		t.Errorf("heatd exited %d after %v", code, time.Since(stopped))
	}
	// What checks left behind is theirs, not heatd's: a stop leaves it too.
	if n := len(tagged(tag+"-swarm_exit", "sleep")); n != 300 {
		t.Errorf("%d of swarm_exit's children live after heatd stopped, want 300", n)
	}
	if n := len(tagged(tag+"-escaper", "")); n != 1 {
		t.Errorf("%d of escaper's processes live after heatd stopped, want the escaped one", n)
	}
	for _, name := range []string{"swarm_timeout", "mute", "stubborn"} {
		if left := tagged(tag+"-"+name, ""); len(left) != 0 {
			t.Errorf("%s left %v", name, left)
		}
	}
}

// 5. Fail and recovery scripts that hang are killed at script_timeout and
// say so; the check goes on and the recovery starts again. Scripts deleted
// while configured (fail, recovery, and a check's own script) are
// run_error: no crash, no failure counted for them, the checks go on.
func TestFaultScriptsHangOrVanish(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tag := faultTag(dir)
	killTagged(t, tag)
	script(t, filepath.Join(dir, "hang"), "exec sleep 30\n")
	gone := []string{
		script(t, filepath.Join(dir, "gonefail"), "true\n"),
		script(t, filepath.Join(dir, "gonerec"), "true\n"),
		script(t, filepath.Join(dir, "gonecheck"), "true\n"),
	}
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, fmt.Sprintf(`[daemon]
log_dir = "logs"
log_level = "debug"
control_socket = "heatd.sock"
shutdown_grace = "1s"
[defaults]
interval = "200ms"
script_timeout = "500ms"
env = { FAULT_TAG = %q }
[check.hangfail]
command = "exit 1"
fail = "hang"
[check.hangrec]
command = "exit 1"
threshold = 1
recovery = "hang"
[check.gonefail]
command = "exit 1"
fail = "gonefail"
[check.gonerec]
command = "exit 1"
threshold = 1
recovery = "gonerec"
[check.gonecheck]
script = "gonecheck"
`, tag))
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("every script once", 10*time.Second, true, func(l []string) bool {
		return count(l, "fail_script_done", "gonefail") >= 1 && count(l, "recovery_script_done", "gonerec") >= 1 &&
			count(l, "check_ok", "gonecheck") >= 1
	})
	for _, p := range gone {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	mark := len(heatd.lines(true))
	l := heatd.waitFor("hung scripts killed, vanished ones reported", 15*time.Second, true, func(l []string) bool {
		l = l[mark:]
		return count(l, "fail_script_done", "hangfail") >= 2 && count(l, "recovery_script_done", "hangrec") >= 2 &&
			scriptErrors(l, "gonefail", "fail") >= 2 && scriptErrors(l, "gonerec", "recovery") >= 2 &&
			count(l, "run_error", "gonecheck") >= 3 && count(l, "check_failed", "hangfail") >= 3 &&
			count(l, "check_failed", "gonefail") >= 3
	})
	heatd.mustLive("after the script faults")

	// Hung: killed at script_timeout, with code 124, and the pid's group gone.
	for _, e := range append(withMsg(l, "fail_script_done", "hangfail"), withMsg(l, "recovery_script_done", "hangrec")...) {
		d := secs(e, "duration")
		if e["timed_out"] != true || num(e, "exit_code") != 124 || d < 500*time.Millisecond || d > 1500*time.Millisecond {
			t.Errorf("a hung script: %v, want timed_out, code 124, after 500ms", e)
		}
		if pid := num(e, "pid"); pid > 1 && groupAlive(pid) {
			t.Errorf("the hung script's group %d lives on", pid)
		}
	}
	// The recovery starts again and again, its attempt counted on.
	for i, e := range withMsg(l, "recovery_started", "hangrec") {
		if num(e, "attempt") != i+1 {
			t.Errorf("recovery_started %v, want attempt %d", e, i+1)
		}
	}
	for _, name := range []string{"hangfail", "gonefail"} {
		var last int
		for _, e := range withMsg(l, "check_failed", name) {
			if n := num(e, "consecutive_failures"); n != last+1 {
				t.Errorf("%s: consecutive_failures %d after %d", name, n, last)
			}
			last = num(e, "consecutive_failures")
		}
		if last < 3 {
			t.Errorf("%s stopped failing at %d", name, last)
		}
	}
	// A check's own script gone: run_error, never a failure.
	if n := count(l[mark:], "check_failed", "gonecheck"); n != 0 {
		t.Errorf("%d check_failed for a check whose script was deleted: want run_error", n)
	}
	for _, e := range withMsg(l[mark:], "run_error", "gonecheck") {
		if !strings.Contains(str(e, "error"), "no such file or directory") {
			t.Errorf("run_error %v: want the reason", e)
		}
	}
	// The heat logs say so.
	b, _ := os.ReadFile(filepath.Join(dir, "logs", "hangrec.log"))
	if !regexp.MustCompile(`(?m)^\d{10}: recovery script timed out after 500ms, killed \(code 124\)$`).Match(b) {
		t.Errorf("hangrec's heat log:\n%s", b)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "logs", "gonefail.log"))
	if !regexp.MustCompile(`(?m)^\d{10}: fail script could not start: .*no such file or directory$`).Match(b) {
		t.Errorf("gonefail's heat log:\n%s", b)
	}

	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	waitTagged(t, tag, "", 0, 3*time.Second)
}

// scriptErrors counts the run_error events of check's script kind.
func scriptErrors(lines []string, check, kind string) int {
	n := 0
	for _, e := range withMsg(lines, "run_error", check) {
		if str(e, "script") == kind {
			n++
		}
	}
	return n
}

// 6. A config file deleted, replaced by a directory or a FIFO: each HUP is
// a config_reload_failed that says why, and the old checks run on,
// untouched. A file renamed over the config again and again while HUPs
// arrive is read whole each time (a bad one among them is refused for what
// it says, never for being half there); the last good file is applied.
// beatConfig is one check that passes ten times a second, with its passes
// logged: a heatd whose reloads are tested keeps it beating.
const beatConfig = `[daemon]
log_dir = "logs"
log_level = "debug"
control_socket = "heatd.sock"
[check.beat]
command = "true"
interval = "100ms"
`

func TestFaultConfigVanishesOrIsReplaced(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	base := beatConfig
	writeConfig(t, config, base)
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("the first beats", 10*time.Second, true, atLeast(2, "check_ok", "beat"))
	beatsOn := func(what string) {
		t.Helper()
		n := count(heatd.lines(true), "check_ok", "beat")
		heatd.waitFor("beats after "+what, 10*time.Second, true, atLeast(n+3, "check_ok", "beat"))
	}
	reject := func(what, why string, do func() error) {
		t.Helper()
		if err := do(); err != nil {
			t.Fatal(err)
		}
		mark := len(heatd.lines(true))
		heatd.cmd.Process.Signal(syscall.SIGHUP)
		l := heatd.waitFor(what+" refused", 10*time.Second, true, func(l []string) bool {
			return count(l[mark:], "config_reload_failed", "") > 0
		})
		if e := withMsg(l[mark:], "config_reload_failed", "")[0]; !strings.Contains(fmt.Sprint(e["errors"]), why) {
			t.Errorf("%s: %v, want the reason %q", what, e, why)
		}
		beatsOn(what)
	}
	reject("a deleted config", "no such file or directory", func() error { return os.Remove(config) })
	reject("a directory for a config", "is a directory", func() error { return os.Mkdir(config, 0o755) })
	os.Remove(config)
	reject("a FIFO for a config", "not a regular file", func() error { return syscall.Mkfifo(config, 0o644) })
	os.Remove(config)
	writeConfig(t, config, base)

	// Renames over the config while HUPs arrive.
	files := []string{
		base + "[check.a]\ncommand = \"true\"\n",
		base + "[check.b]\ncommand = \"true\"\n",
		base + "treshold = 3\n", // refused: beat's key misspelt
	}
	mark := len(heatd.lines(true))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 150 {
			tmp := filepath.Join(dir, fmt.Sprintf("new-%d.toml", i))
			if os.WriteFile(tmp, []byte(files[i%len(files)]), 0o644) != nil || os.Rename(tmp, config) != nil {
				t.Error("cannot replace the config")
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		for range 150 {
			heatd.cmd.Process.Signal(syscall.SIGHUP)
			time.Sleep(time.Millisecond)
		}
	}()
	wg.Wait()
	writeConfig(t, filepath.Join(dir, "last.toml"), base+"[check.last]\ncommand = \"true\"\ninterval = \"100ms\"\n")
	if err := os.Rename(filepath.Join(dir, "last.toml"), config); err != nil {
		t.Fatal(err)
	}
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	l := heatd.waitFor("the last file applied", 10*time.Second, true, atLeast(2, "check_ok", "last"))
	heatd.mustLive("after the renames")
	applied, refused := count(l[mark:], "config_loaded", ""), count(l[mark:], "config_reload_failed", "")
	t.Logf("during the renames: %d reloads applied, %d refused", applied, refused)
	if applied+refused < 5 {
		t.Errorf("only %d reloads during the renames: the storm did not reach heatd", applied+refused)
	}
	for _, e := range withMsg(l[mark:], "config_reload_failed", "") {
		if errs := fmt.Sprint(e["errors"]); !strings.Contains(errs, `key "treshold" is not known`) {
			t.Errorf("a reload during the renames refused for %s: want only the bad file's own error", errs)
		}
	}
	for _, e := range withMsg(l[mark:], "config_loaded", "") {
		if strings.Contains(fmt.Sprint(e["changed"]), "beat") || strings.Contains(fmt.Sprint(e["removed"]), "beat") {
			t.Errorf("beat was touched by a reload that kept its settings: %v", e)
		}
	}
	beatsOn("the renames")
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
}

// 6. A config file heatd may not read: root reads any file whatever its
// mode, so heatd runs as nobody here. The reload is refused with the
// reason, the old checks run on, and once the file is readable again (and
// changed) it is applied.
func TestFaultConfigUnreadable(t *testing.T) {
	requireRoot(t, "heatd must run as an unprivileged user, whom a mode stops")
	t.Parallel()
	dir := nobodysDir(t)
	config := filepath.Join(dir, "heat.toml")
	base := beatConfig
	writeConfig(t, config, base)
	heatd := launch(t, asNobody(heatdCommand(dir, config)))
	heatd.waitFor("the first beats", 10*time.Second, true, atLeast(2, "check_ok", "beat"))
	if err := os.Chmod(config, 0); err != nil {
		t.Fatal(err)
	}
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	l := heatd.waitFor("the reload refused", 10*time.Second, true, atLeast(1, "config_reload_failed", ""))
	if e := withMsg(l, "config_reload_failed", "")[0]; !strings.Contains(fmt.Sprint(e["errors"]), "permission denied") {
		t.Errorf("%v, want the reason, permission denied", e)
	}
	n := count(l, "check_ok", "beat")
	heatd.waitFor("beats after the refusal", 10*time.Second, true, atLeast(n+3, "check_ok", "beat"))

	writeConfig(t, config, base+"[check.back]\ncommand = \"true\"\ninterval = \"100ms\"\n")
	if err := os.Chmod(config, 0o644); err != nil {
		t.Fatal(err)
	}
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	heatd.waitFor("the readable file applied", 10*time.Second, true, atLeast(2, "check_ok", "back"))
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
}

// 6. Two hundred HUPs in a burst while a check is recovering: heatd stays
// up, the reloads fold into a few, each one is RELOADING=1 then READY=1 and
// READY=1 comes last; the recovering check, whose settings did not change,
// keeps its state: its attempts and its count of failures go on.
func TestFaultHUPStormDuringRecovery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sock := newNotifySocket(t)
	var mu sync.Mutex
	var notes []string
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := sock.conn.Read(buf)
			if err != nil {
				return // closed at the end of the test
			}
			mu.Lock()
			notes = append(notes, string(buf[:n]))
			mu.Unlock()
		}
	}()
	notified := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), notes...)
	}
	script(t, filepath.Join(dir, "slowrec"), "sleep 0.5\n")
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, `[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
shutdown_grace = "1s"
[check.sick]
command = "echo sick >&2; exit 1"
interval = "200ms"
threshold = 2
recovery = "slowrec"
[check.fine]
command = "true"
interval = "200ms"
`)
	heatd := startEnv(t, dir, []string{"NOTIFY_SOCKET=" + sock.path}, "heatd", "-c", config)
	heatd.waitFor("the recovery", 10*time.Second, true, atLeast(1, "recovery_started", "sick"))
	for deadline := time.Now().Add(5 * time.Second); !slices.Contains(notified(), "READY=1"); {
		if time.Now().After(deadline) {
			t.Fatalf("no READY=1: %q", notified())
		}
		time.Sleep(10 * time.Millisecond)
	}

	const hups = 200
	for range hups {
		heatd.cmd.Process.Signal(syscall.SIGHUP)
	}
	heatd.waitFor("the recovery going on after the storm", 15*time.Second, true, func(l []string) bool {
		return !heatd.alive() || count(l, "recovery_started", "sick") >= 3
	})
	heatd.mustLive("the HUP storm")
	time.Sleep(300 * time.Millisecond) // the last reload's notifications
	l := heatd.lines(true)

	reloads := count(l, "config_loaded", "") - 1 // the first is the start's
	if reloads < 1 || reloads > hups/4 {
		t.Errorf("%d reloads for %d HUPs: want them folded into far fewer", reloads, hups)
	}
	t.Logf("%d HUPs, %d reloads", hups, reloads)
	if n := count(l, "config_reload_failed", ""); n != 0 {
		t.Errorf("%d reloads failed", n)
	}
	for _, e := range withMsg(l, "config_loaded", "")[1:] {
		if num(e, "kept") != 2 || e["changed"] != nil && len(e["changed"].([]any)) > 0 {
			t.Errorf("a reload of the same file: %v, want both checks kept", e)
		}
	}
	// systemd's view: each reload is RELOADING=1 then READY=1, and the
	// last word is READY=1.
	var seq []string
	for _, n := range notified() {
		switch {
		case strings.HasPrefix(n, "RELOADING=1"):
			seq = append(seq, "RELOADING")
		case n == "READY=1":
			seq = append(seq, "READY")
		}
	}
	if len(seq) != 1+2*reloads || seq[len(seq)-1] != "READY" {
		t.Errorf("notifications %v for %d reloads: want READY, then RELOADING and READY for each", seq, reloads)
	}
	for i := 1; i+1 < len(seq); i += 2 {
		if seq[i] != "RELOADING" || seq[i+1] != "READY" {
			t.Errorf("notifications %v: RELOADING and READY out of turn at %d", seq, i)
			break
		}
	}
	// The recovering check kept its state across the reloads.
	for i, e := range withMsg(l, "recovery_started", "sick") {
		if num(e, "attempt") != i+1 {
			t.Errorf("recovery_started %v, want attempt %d: a reload reset the recovery", e, i+1)
		}
	}
	for i, e := range withMsg(l, "recovery_script_done", "sick") {
		if num(e, "attempt") != i+1 {
			t.Errorf("recovery_script_done %v, want attempt %d", e, i+1)
		}
	}
	for i, e := range withMsg(l, "check_failed", "sick") {
		if num(e, "consecutive_failures") != i+1 {
			t.Errorf("check_failed %v, want consecutive_failures %d: a reload reset the count", e, i+1)
			break
		}
	}
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
}
