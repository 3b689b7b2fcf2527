package e2e

// The examples a new user learns from, run as shown: every configuration
// passes heatd -t, the quick start (make demo) and HEAT's four options do
// what their comments and examples/README.md say, with heatd and with the
// heat command line written in each option's comment.

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// examplesDir is the repository's examples/ (tests run in cmd/e2e).
const examplesDir = "../../examples"

// Every configuration in examples/ is valid, as heatd -t sees it, and says
// so in the words of its own comment where it quotes heatd -t.
func TestExamplesConfigsAreValid(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(examplesDir, "*.toml"))
	more, _ := filepath.Glob(filepath.Join(examplesDir, "*", "*.toml"))
	files = append(files, more...)
	for _, want := range []string{"heat.toml", "host.toml", "option1-signal.toml", "option2-fail.toml",
		"option3-recovery.toml", "option4-fault-success.toml", "host.d/backup.toml", "systemd/nginx.toml"} {
		if !slices.Contains(files, filepath.Join(examplesDir, want)) {
			t.Errorf("examples/%s is missing", want)
		}
	}
	said := regexp.MustCompile(`# (config OK: \d+ checks?)\n`)
	for _, f := range files {
		stdout, stderr, code := run(t, ".", "heatd", "-t", "-c", f)
		if code != 0 || !regexp.MustCompile(`^config OK: \d+ checks?\n$`).MatchString(stdout) {
			t.Errorf("heatd -t -c %s: exit %d, stdout %q, stderr:\n%s", f, code, stdout, stderr)
			continue
		}
		b, _ := os.ReadFile(f)
		if m := said.FindSubmatch(b); m != nil && string(m[1]) != strings.TrimSpace(stdout) {
			t.Errorf("%s says %q, heatd -t says %q", f, m[1], strings.TrimSpace(stdout))
		}
	}
}

// The examples' scripts are executable POSIX shell scripts.
func TestExamplesScripts(t *testing.T) {
	scripts, _ := filepath.Glob(filepath.Join(examplesDir, "scripts", "*"))
	scripts = append(scripts, filepath.Join(examplesDir, "systemd", "restart-service"))
	for _, want := range []string{"check", "fail", "recover", "recover-web"} {
		if !slices.Contains(scripts, filepath.Join(examplesDir, "scripts", want)) {
			t.Errorf("examples/scripts/%s is missing", want)
		}
	}
	for _, s := range scripts {
		info, err := os.Stat(s)
		if err != nil {
			t.Error(err)
			continue
		}
		if info.Mode().Perm()&0o111 != 0o111 {
			t.Errorf("%s is not executable (mode %v)", s, info.Mode())
		}
		b, _ := os.ReadFile(s)
		if !strings.HasPrefix(string(b), "#!/bin/sh\n") {
			t.Errorf("%s does not start with #!/bin/sh", s)
		}
		if out, err := exec.Command("sh", "-n", s).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v\n%s", s, err, out)
		}
	}
}

// Every examples/ path that examples/README.md and the configurations'
// comments name exists (examples/log/ is written as they run); a path
// that only ends in examples/ (an installed one, under /usr/share/doc) is
// not the source's.
func TestExamplesNameWhatExists(t *testing.T) {
	docs, _ := filepath.Glob(filepath.Join(examplesDir, "*.toml"))
	more, _ := filepath.Glob(filepath.Join(examplesDir, "*", "*.toml"))
	docs = append(append(docs, more...), filepath.Join(examplesDir, "README.md"), "../../README.md")
	path := regexp.MustCompile(`(?:^|[^/A-Za-z0-9_.-])(examples/[A-Za-z0-9_./*-]*[A-Za-z0-9_*])`)
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, m := range path.FindAllStringSubmatch(string(b), -1) {
			p := m[1]
			if p == "examples/log" || strings.HasPrefix(p, "examples/log/") {
				continue
			}
			if m, _ := filepath.Glob(filepath.Join(examplesDir, "..", p)); len(m) == 0 {
				t.Errorf("%s names %s, which does not exist", doc, p)
			}
		}
	}
}

// The quick start, as `make demo` runs it: examples/demo.sh starts the
// receiver and heatd on examples/heat.toml; the web check fails while its
// server is down, HUP goes to the receiver on each failure, USR1 before the
// recovery starts the server, USR2 once it is verified; Ctrl-C stops it
// all, the server too.
func TestExamplesQuickStart(t *testing.T) {
	needCurl(t)
	t.Parallel()
	top := copyExamples(t)
	ex := filepath.Join(top, "examples")
	addr := freeAddr(t)
	pidfile := filepath.Join(ex, "log", "heartbeat.pid")
	t.Cleanup(func() { killPidfile(pidfile) })
	config := filepath.Join(ex, "heat.toml")
	// HEARTBEAT_ADDR alone moves the demo: heat.toml's check and
	// scripts/recover-web both read it.
	rewrite(t, config, `interval = "2s"`, `interval = "500ms"`)

	demo := startGroup(t, top, []string{"NOTIFY_SOCKET=", "HEARTBEAT_ADDR=" + addr}, "sh", "examples/demo.sh")
	demo.waitFor("the recovery", 20*time.Second, true, func(l []string) bool {
		return consoleCount(l, "recovered", "web") >= 1
	})
	got := demo.waitFor("the receiver's signals", 5*time.Second, false, func(l []string) bool { return len(l) >= 6 })
	if !strings.HasPrefix(got[0], "running on ") {
		t.Errorf("the receiver printed %q first, want its pid", got[0])
	}
	option4Signals(t, got[1:])
	evs := consoleEvents(demo.lines(true))
	var seq []string
	for _, e := range evs {
		if e["check"] == "web" && e["msg"] != "check_ok" {
			seq = append(seq, fmt.Sprint(e["msg"]))
		}
	}
	wantSeq := []string{"check_failed", "signal_sent", "check_failed", "signal_sent", "check_failed", "signal_sent",
		"recovery_started", "signal_sent", "recovery_script_done", "signal_sent", "recovered"}
	if len(seq) < len(wantSeq) || !slices.Equal(seq[:len(wantSeq)], wantSeq) {
		t.Errorf("web's events %q, want %q", seq, wantSeq)
	}
	if body := get(t, addr); body != "ok\n" {
		t.Errorf("the recovered server answers %q", body)
	}
	heatLog(t, filepath.Join(ex, "log", "web.log"),
		`(?m)^\d{10}: curl: \(7\) `,
		`(?m)^\d{10}: recovery script started \(attempt 1\)\nrestarting heartbeat \(failure 3, first at \d{10}, last code 7\)\n\d{10}: recovery script exited with code 0$`)

	// Ctrl-C: heatd stops, demo.sh's trap ends the receiver and the server.
	if code := stopGroup(t, demo, syscall.SIGINT); code != 0 {
		t.Errorf("demo.sh exited %d after Ctrl-C, want 0", code)
	}
	if consoleCount(demo.lines(true), "stopping", "") != 1 {
		t.Errorf("heatd did not stop:\n%s", strings.Join(demo.lines(true), "\n"))
	}
	if _, err := os.Stat(pidfile); err == nil {
		t.Errorf("demo.sh left log/heartbeat.pid behind")
	}
	waitDown(t, addr)
}

// HEAT's option 1: USR1 to the receiver on each failure.
func TestExamplesOption1Signal(t *testing.T) {
	o := startOption(t, "option1-signal.toml", true)
	o.heatd.waitFor("three failures", 10*time.Second, true, func(l []string) bool {
		return consoleCount(l, "signal_sent", "web") >= 3
	})
	for _, e := range consoleEvents(o.heatd.lines(true)) {
		if e["msg"] == "signal_sent" && (e["signal"] != "USR1" || e["kind"] != "failure" || e["pid"] != float64(o.recvPID)) {
			t.Errorf("signal_sent %v, want USR1 to the receiver, pid %d", e, o.recvPID)
		}
	}
	o.recv.waitFor("three USR1", 5*time.Second, false, func([]string) bool { return o.signals("SIGUSR1") >= 3 })
	o.stopHeatd()
	n := o.signals("SIGUSR1")
	if other := len(o.recv.lines(false)) - 1 - n; other != 0 {
		t.Errorf("the receiver got %d other signals: %q", other, o.recv.lines(false))
	}
	heatLog(t, filepath.Join(o.ex, "log", "option1.log"), `(?m)^\d{10}: curl: \(7\) `)

	heat := o.startHeat()
	out := heat.waitFor("three failures", 10*time.Second, false, func(l []string) bool { return len(l) >= 3 })
	o.recv.waitFor("three more USR1", 5*time.Second, false, func([]string) bool { return o.signals("SIGUSR1") >= n+3 })
	o.stopHeat(heat)
	heatLines(t, out, "FFF")
}

// HEAT's option 2: the fail script after each failure, with HEAT's
// variables, its output in the heat log.
func TestExamplesOption2Fail(t *testing.T) {
	o := startOption(t, "option2-fail.toml", false)
	o.heatd.waitFor("two fail scripts", 10*time.Second, true, func(l []string) bool {
		return consoleCount(l, "fail_script_done", "web") >= 2
	})
	o.stopHeatd()
	fail := `(?m)^\d{10}: fail script started\n` +
		`check %s failed: HEAT_FAIL_CODE=7 HEAT_FAIL_TIME=\d{10} HEAT_FAIL_INTERVAL=0\.3 HEAT_FAIL_PID=\d+\n` +
		`\d{10}: fail script exited with code 0$`
	heatLog(t, filepath.Join(o.ex, "log", "option2.log"), `(?m)^\d{10}: curl: \(7\) `, fmt.Sprintf(fail, "web"))

	heat := o.startHeat()
	out := heat.waitFor("two failures", 10*time.Second, false, func(l []string) bool { return len(l) >= 2 })
	waitFile(t, filepath.Join(o.ex, "log", "heat.log"), "fail script exited")
	o.stopHeat(heat)
	heatLines(t, out, "FF")
	heatLog(t, filepath.Join(o.ex, "log", "heat.log"), `(?m)^\d{10}: curl: \(7\) `, fmt.Sprintf(fail, "heat"))
}

// HEAT's option 3: after three failures the recovery script starts the
// server, and the check passes again.
func TestExamplesOption3Recovery(t *testing.T) {
	o := startOption(t, "option3-recovery.toml", false)
	o.heatd.waitFor("the recovery", 15*time.Second, true, func(l []string) bool {
		return consoleCount(l, "recovered", "web") >= 1
	})
	var failures []any
	for _, e := range consoleEvents(o.heatd.lines(true)) {
		if e["msg"] == "check_failed" {
			failures = append(failures, e["consecutive_failures"])
		}
	}
	if !slices.Equal(failures, []any{1.0, 2.0, 3.0}) {
		t.Errorf("consecutive_failures %v, want 1, 2, 3", failures)
	}
	for _, msg := range []string{"recovery_started", "recovery_script_done"} {
		if consoleCount(o.heatd.lines(true), msg, "web") != 1 {
			t.Errorf("no %s event:\n%s", msg, strings.Join(o.heatd.lines(true), "\n"))
		}
	}
	if body := get(t, o.addr); body != "ok\n" {
		t.Errorf("the recovered server answers %q", body)
	}
	o.stopHeatd()
	recovery := `(?m)^\d{10}: recovery script started \(attempt 1\)\n` +
		`recovering after 3 failures \(first at \d{10}, last at \d{10}, last code 7\)\n` +
		`\d{10}: recovery script exited with code 0$`
	heatLog(t, filepath.Join(o.ex, "log", "option3.log"), recovery)
	o.serverDown()

	heat := o.startHeat()
	out := heat.waitFor("an OK line", 15*time.Second, false, func(l []string) bool { return countSuffix(l, ": OK") >= 1 })
	o.stopHeat(heat)
	heatLines(t, out, "FFFO")
	heatLog(t, filepath.Join(o.ex, "log", "heat.log"), recovery)
}

// HEAT's option 4: HUP on each failure, USR1 before the recovery, USR2
// once it is verified, as HEAT's report shows them at the receiver.
func TestExamplesOption4FaultSuccess(t *testing.T) {
	o := startOption(t, "option4-fault-success.toml", true)
	o.heatd.waitFor("the recovery", 15*time.Second, true, func(l []string) bool {
		return consoleCount(l, "recovered", "web") >= 1
	})
	got := o.recv.waitFor("five signals", 5*time.Second, false, func(l []string) bool { return len(l) >= 6 })
	option4Signals(t, got[1:])
	var kinds []string
	for _, e := range consoleEvents(o.heatd.lines(true)) {
		if e["msg"] == "signal_sent" {
			kinds = append(kinds, fmt.Sprint(e["kind"], " ", e["signal"]))
		}
	}
	if w := []string{"failure HUP", "failure HUP", "failure HUP", "fault USR1", "success USR2"}; !slices.Equal(kinds, w) {
		t.Errorf("signal_sent events %q, want %q", kinds, w)
	}
	o.stopHeatd()
	o.serverDown()

	heat := o.startHeat()
	out := heat.waitFor("an OK line", 15*time.Second, false, func(l []string) bool { return countSuffix(l, ": OK") >= 1 })
	got = o.recv.waitFor("five more signals", 5*time.Second, false, func(l []string) bool { return len(l) >= 11 })
	o.stopHeat(heat)
	heatLines(t, out, "FFFO")
	option4Signals(t, got[6:])
}

// option4Signals checks what the receiver printed for option 4: HUP for
// each of three failures, USR1 before the recovery, USR2 after it. The
// third HUP and USR1 leave heatd within a millisecond, and a Go program
// (the receiver) does not keep the order of two different signals that
// arrive together, so those two may come either way round.
func option4Signals(t *testing.T, got []string) {
	t.Helper()
	want := []string{"Signal Received: SIGHUP", "Signal Received: SIGHUP", "Signal Received: SIGHUP",
		"Signal Received: SIGUSR1", "Signal Received: SIGUSR2"}
	if len(got) > len(want) {
		got = got[:len(want)]
	}
	sorted := slices.Clone(got)
	slices.Sort(sorted[:min(4, len(sorted))])
	if !slices.Equal(sorted, want) || slices.Index(got, want[3]) < 2 {
		t.Errorf("the receiver printed %q, want %q (the last HUP and USR1 either way round)", got, want)
	}
}

// option is one of examples/option*.toml running in a copy of examples/:
// heatd as its comment says to run it, from the copy's top, with the
// receiver when it has a target. Intervals are 300ms instead of 2s, and the
// heartbeat server's address is a free port (HEARTBEAT_ADDR, which
// scripts/check and scripts/recover take).
type option struct {
	t       *testing.T
	file    string
	top, ex string // the copy's top and its examples/
	addr    string
	heatd   *proc
	recv    *proc
	recvPID int
}

func startOption(t *testing.T, file string, withReceiver bool) *option {
	t.Helper()
	needCurl(t)
	t.Parallel()
	o := &option{t: t, file: file, top: copyExamples(t), addr: freeAddr(t)}
	o.ex = filepath.Join(o.top, "examples")
	t.Cleanup(func() { killPidfile(filepath.Join(o.ex, "log", "heartbeat.pid")) })
	rewrite(t, filepath.Join(o.ex, file), `interval = "2s"`, `interval = "300ms"`)
	if err := os.MkdirAll(filepath.Join(o.ex, "log"), 0o755); err != nil {
		t.Fatal(err)
	}
	if withReceiver {
		o.recv = startEnv(t, o.top, nil, "receiver", "-pidfile", "examples/log/receiver.pid")
		l := o.recv.waitFor("the receiver", 5*time.Second, false, func(l []string) bool { return len(l) > 0 })
		if _, err := fmt.Sscanf(l[0], "running on %d", &o.recvPID); err != nil {
			t.Fatalf("the receiver said %q", l[0])
		}
	}
	o.heatd = startEnv(t, o.top, o.env(), "heatd", "-c", "examples/"+file)
	return o
}

func (o *option) env() []string {
	return []string{"NOTIFY_SOCKET=", "HEARTBEAT_ADDR=" + o.addr}
}

func (o *option) stopHeatd() {
	o.t.Helper()
	if code := o.heatd.stop(syscall.SIGTERM); code != 0 {
		o.t.Errorf("heatd exited %d, want 0", code)
	}
}

// signals counts the receiver's lines for signal name.
func (o *option) signals(name string) int {
	return countSuffix(o.recv.lines(false), ": "+name)
}

// serverDown ends the heartbeat server a recovery started, so that the
// next part starts with the server down again.
func (o *option) serverDown() {
	o.t.Helper()
	pidfile := filepath.Join(o.ex, "log", "heartbeat.pid")
	killPidfile(pidfile)
	os.Remove(pidfile)
	waitDown(o.t, o.addr)
}

// startHeat runs the heat command line of the file's comment, as a user
// would paste it from the copy's top, with -i 0.3 for -i 2.
func (o *option) startHeat() *proc {
	o.t.Helper()
	b, err := os.ReadFile(filepath.Join(o.ex, o.file))
	if err != nil {
		o.t.Fatal(err)
	}
	var line string
	for l := range strings.Lines(string(b)) {
		l = strings.TrimSpace(strings.TrimPrefix(l, "#"))
		if line == "" && !strings.HasPrefix(l, "(cd examples/log && ../../bin/heat ") {
			continue
		}
		cont := strings.HasSuffix(l, `\`)
		line += strings.TrimSuffix(l, `\`)
		if !cont {
			break
		}
	}
	if line == "" {
		o.t.Fatalf("%s shows no heat command line", o.file)
	}
	if !strings.Contains(line, " -i 2 ") {
		o.t.Fatalf("%s: heat line %q has no -i 2", o.file, line)
	}
	return startGroup(o.t, o.top, o.env(), "sh", "-c", strings.Replace(line, " -i 2 ", " -i 0.3 ", 1))
}

// stopHeat is Ctrl-C, to heat alone: sh, which a terminal's Ctrl-C would
// stop too, then exits with heat's status, 0.
func (o *option) stopHeat(heat *proc) {
	o.t.Helper()
	pid := groupMember(heat.cmd.Process.Pid, "heat")
	if pid == 0 {
		o.t.Fatalf("no heat process under %v; stderr:\n%s", heat.cmd.Args, strings.Join(heat.lines(true), "\n"))
	}
	syscall.Kill(pid, syscall.SIGINT)
	select {
	case <-heat.done:
	case <-time.After(10 * time.Second):
		o.t.Fatalf("heat did not stop after SIGINT")
	}
	heat.cmd.Wait()
	if code := heat.cmd.ProcessState.ExitCode(); code != 0 {
		o.t.Errorf("heat exited %d after Ctrl-C, want 0; stderr:\n%s", code, strings.Join(heat.lines(true), "\n"))
	}
}

// groupMember is the pid of a live process named comm in process group
// pgid, or 0.
func groupMember(pgid int, comm string) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if s[open+1:end] == comm && len(fields) > 2 && fields[0] != "Z" && fields[2] == fmt.Sprint(pgid) {
			var pid int
			fmt.Sscan(s[:open], &pid)
			return pid
		}
	}
	return 0
}

// heatLines checks heat's stdout: HEAT's lines, their kinds starting with
// kinds (F: failed with curl's 7, O: OK).
func heatLines(t *testing.T, out []string, kinds string) {
	t.Helper()
	line := regexp.MustCompile(`^\d{10}: (OK|Failed: Exit Code 7, details in heat\.log)$`)
	var got strings.Builder
	for _, l := range out {
		if !line.MatchString(l) {
			t.Errorf("heat printed %q, not one of HEAT's lines", l)
		}
		if strings.HasSuffix(l, ": OK") {
			got.WriteByte('O')
		} else {
			got.WriteByte('F')
		}
	}
	if !strings.HasPrefix(got.String(), kinds) {
		t.Errorf("heat printed %q, want %s first", out, kinds)
	}
}

func needCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed, and the examples' checks run curl (apt-get install curl)")
	}
}

// copyExamples copies examples/, less its log/, to TOP/examples, with the
// built binaries in TOP/bin as `make build` leaves them in a checkout
// (scripts/recover-web runs ../bin/heartbeat). It returns TOP.
func copyExamples(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	err := filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(examplesDir, path)
		dst := filepath.Join(top, "examples", rel)
		switch {
		case d.IsDir() && rel == "log":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// Nothing group or world writable: heatd run as root refuses it.
		mode := info.Mode().Perm() &^ 0o022
		if err := os.WriteFile(dst, b, mode); err != nil {
			return err
		}
		return os.Chmod(dst, mode)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(top, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"heatd", "heat", "heartbeat", "receiver"} {
		if err := os.Symlink(filepath.Join(bin, name), filepath.Join(top, "bin", name)); err != nil {
			t.Fatal(err)
		}
	}
	return top
}

// rewrite replaces the first old with new in a copied file; old must be
// there (when an example changes, so must its test).
func rewrite(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", freePort(t))
}

// consoleEvents reads heatd's events in log_format = "console", as the
// examples write them: TIME, LEVEL, event, then the fields as JSON, with
// tabs between.
func consoleEvents(lines []string) []event {
	var evs []event
	for _, l := range lines {
		f := strings.SplitN(l, "\t", 4)
		if len(f) < 3 {
			continue
		}
		e := event{}
		if len(f) == 4 && json.Unmarshal([]byte(f[3]), &e) != nil {
			continue
		}
		e["level"], e["msg"] = strings.ToLower(f[1]), f[2]
		evs = append(evs, e)
	}
	return evs
}

func consoleCount(lines []string, msg, check string) int {
	return countEvents(consoleEvents(lines), msg, check)
}

// heatLog checks that a heat log matches every pattern.
func heatLog(t *testing.T, path string, patterns ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	for _, p := range patterns {
		if !regexp.MustCompile(p).Match(b) {
			t.Errorf("%s lacks %s:\n%s", filepath.Base(path), p, b)
		}
	}
}

// waitFile waits until the file holds text.
func waitFile(t *testing.T, path, text string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has no %q:\n%s", path, text, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// get is the body of http://addr/.
func get(t *testing.T, addr string) string {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitDown waits until nothing answers at addr.
func waitDown(t *testing.T, addr string) {
	t.Helper()
	c := http.Client{Timeout: time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := c.Get("http://" + addr + "/")
		if err != nil {
			return
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the heartbeat server at %s still answers", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startGroup runs argv in dir, with env added, in a process group of its
// own, as a shell runs a job: stopGroup sends the whole group Ctrl-C's
// signal.
func startGroup(t *testing.T, dir string, env []string, argv ...string) *proc {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return launch(t, cmd)
}

// stopGroup sends sig to p's process group and returns p's exit status.
func stopGroup(t *testing.T, p *proc, sig syscall.Signal) int {
	t.Helper()
	syscall.Kill(-p.cmd.Process.Pid, sig)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("%v did not end after %v", p.cmd.Args, sig)
	}
	p.cmd.Wait()
	return p.cmd.ProcessState.ExitCode()
}
