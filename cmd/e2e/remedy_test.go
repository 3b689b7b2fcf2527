package e2e

// The bounds of remediation (README "When heatd stops trying"), each key
// with the built heatd, real checks, real scripts and a real target that is
// killed.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bounded is a heatd running the checks of a config, with its control
// socket and metrics.
type bounded struct {
	t       *testing.T
	dir     string
	sock    string
	metrics string
	heatd   *proc
}

// startBounded starts heatd on checks, in a folder that holds scripts
// (name to body) first.
func startBounded(t *testing.T, checks string, scripts map[string]string) *bounded {
	t.Helper()
	t.Parallel()
	b := &bounded{t: t, dir: t.TempDir(), metrics: freeAddr(t)}
	b.sock = filepath.Join(b.dir, "heatd.sock")
	for name, body := range scripts {
		script(t, filepath.Join(b.dir, name), body)
	}
	config := filepath.Join(b.dir, "heat.toml")
	writeConfig(t, config, fmt.Sprintf("[daemon]\nlog_dir = \"logs\"\nlog_level = \"debug\"\n"+
		"control_socket = \"heatd.sock\"\nstate_file = \"state.json\"\nmetrics_listen = %q\n%s", b.metrics, checks))
	b.heatd = start(t, b.dir, "heatd", "-c", config)
	return b
}

// waitEvents waits until check has n events msg, and returns them.
func (b *bounded) waitEvents(msg, check string, n int, timeout time.Duration) []event {
	b.t.Helper()
	b.heatd.waitFor(fmt.Sprintf("%d %s", n, msg), timeout, true, atLeast(n, msg, check))
	return withMsg(b.heatd.lines(true), msg, check)
}

// state is the check's state as heatctl status --json says it.
func (b *bounded) state(name string) string {
	b.t.Helper()
	out, stderr, code := run(b.t, b.dir, "heatctl", "-s", b.sock, "status", "--json", name)
	var reply struct {
		Checks []map[string]any `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &reply); err != nil || code != 0 || len(reply.Checks) != 1 {
		b.t.Fatalf("heatctl status --json %s (exit %d): %v\n%s%s", name, code, err, out, stderr)
	}
	s, _ := reply.Checks[0]["state"].(string)
	return s
}

// metricState is the state heatd_check_state says is the check's.
func (b *bounded) metricState(name string) string {
	b.t.Helper()
	samples, err := scrapeOnce(b.metrics)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range samples {
		if v == 1 && strings.HasPrefix(k, "heatd_check_state{check="+name+",state=") {
			return strings.TrimSuffix(strings.TrimPrefix(k, "heatd_check_state{check="+name+",state="), "}")
		}
	}
	return ""
}

// lines counts the lines of a file (a script's trail).
func lines(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "\n")
}

// seconds reads a duration field: a number of seconds, or Go's text.
func seconds(e event, key string) float64 {
	switch v := e[key].(type) {
	case float64:
		return v
	case string:
		d, err := time.ParseDuration(v)
		if err == nil {
			return d.Seconds()
		}
	}
	return -1
}

// counter is a check script whose run n (from 1) exits with the n-th of
// codes, and with the last one after them; a file named steady makes it
// pass.
func counter(codes ...int) string {
	var list []string
	for _, c := range codes {
		list = append(list, strconv.Itoa(c))
	}
	return `n=$(cat runs 2>/dev/null || echo 0); n=$((n + 1)); echo $n > runs
[ -e steady ] && exit 0
set -- ` + strings.Join(list, " ") + `
[ $n -gt $# ] && n=$#
eval "exit \${$n}"
`
}

// Failures while the check starts are logged, marked starting, and run no
// fail script; the first failure after start_period runs it.
func TestStartPeriodHoldsSteps(t *testing.T) {
	b := startBounded(t, `
[check.svc]
script = "check"
interval = "200ms"
start_period = "1500ms"
fail = "fail"
`, map[string]string{"check": "exit 3\n", "fail": "echo x >> fails\n"})
	b.waitEvents("check_failed", "svc", 1, 10*time.Second)
	if s := b.state("svc"); s != "starting" {
		t.Errorf("during the start period heatctl says %q", s)
	}
	if s := b.metricState("svc"); s != "starting" {
		t.Errorf("during the start period heatd_check_state says %q", s)
	}
	b.waitEvents("fail_script_done", "svc", 2, 10*time.Second)
	failed := withMsg(b.heatd.lines(true), "check_failed", "svc")
	held := 0
	for held < len(failed) && failed[held]["starting"] == true {
		held++
	}
	// 1.5 s at 200 ms: 7 or 8 runs while starting, then none.
	if held < 5 || held > 9 {
		t.Errorf("%d failures marked starting, want those of the first 1.5 s", held)
	}
	for _, e := range failed[held:] {
		if _, ok := e["starting"]; ok {
			t.Errorf("a failure after the start period is marked starting: %v", e)
		}
	}
	if num(failed[held], "consecutive_failures") != 1 {
		t.Errorf("the first counted failure: %v", failed[held])
	}
	var order []string
	for _, e := range events(b.heatd.lines(true)) {
		if e["msg"] == "fail_script_done" {
			order = append(order, "fail")
		} else if e["msg"] == "check_failed" {
			order = append(order, fmt.Sprint(e["starting"] == true))
		}
	}
	if strings.Contains(strings.Join(order, " "), "fail true") {
		t.Errorf("a fail script ran during the start period: %v", order)
	}
}

// A streak ends only after success_threshold ok runs in a row: an ok run
// alone between failures continues the count.
func TestSuccessThreshold(t *testing.T) {
	b := startBounded(t, `
[check.svc]
script = "check"
interval = "150ms"
success_threshold = 2
`, map[string]string{"check": counter(1, 0, 1, 0, 0, 1, 0, 0)})
	b.waitEvents("check_ok", "svc", 5, 10*time.Second)
	var counts []int
	for _, e := range withMsg(b.heatd.lines(true), "check_failed", "svc") {
		counts = append(counts, num(e, "consecutive_failures"))
	}
	if fmt.Sprint(counts) != "[1 2 1]" {
		t.Errorf("consecutive_failures %v, want [1 2 1]: the lone ok run of run 2 did not end the streak", counts)
	}
	if s := b.state("svc"); s != "healthy" {
		t.Errorf("after two ok runs: %q", s)
	}
}

// A check every minute confirms a failure in a second with retry_interval.
func TestRetryInterval(t *testing.T) {
	b := startBounded(t, `
[check.svc]
command = "exit 1"
interval = "1m"
retry_interval = "200ms"
`, nil)
	start := time.Now()
	b.waitEvents("check_failed", "svc", 5, 10*time.Second)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("5 failures took %v", took)
	}
}

// A target killed with SIGKILL: the check, due a minute later, runs within
// milliseconds. The pidfile is read again after each run, so the watch
// follows the service to its next process. watch_target = false does not
// watch.
func TestWatchTargetSeesADeath(t *testing.T) {
	dir := t.TempDir()
	spawn := func() *exec.Cmd {
		cmd := exec.Command("/bin/sleep", "600")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		writeConfig(t, filepath.Join(dir, "svc.pid"), strconv.Itoa(cmd.Process.Pid)+"\n")
		return cmd
	}
	first := spawn()
	// A dead process is a zombie until this test reaps it: the check tells.
	check := `awk '$3 != "Z" { ok = 1 } END { exit !ok }' /proc/$(cat "` + dir + `/svc.pid")/stat`
	b := startBounded(t, fmt.Sprintf(`
[check.svc]
command = %[1]q
interval = "1m"
pidfile = %[2]q
[check.blind]
command = %[1]q
interval = "1m"
pidfile = %[2]q
watch_target = false
`, check, filepath.Join(dir, "svc.pid")), nil)
	b.waitEvents("check_ok", "svc", 1, 10*time.Second)
	b.waitEvents("check_ok", "blind", 1, 10*time.Second)
	time.Sleep(200 * time.Millisecond) // the watch is set once the run's steps are done

	// The service restarts: its pidfile names a new process, and the old
	// one dies. The check runs at once, passes, and watches the new one.
	second := spawn()
	first.Process.Signal(syscall.SIGKILL)
	b.waitEvents("check_ok", "svc", 2, 5*time.Second)
	time.Sleep(200 * time.Millisecond)

	killed := time.Now()
	second.Process.Signal(syscall.SIGKILL)
	b.waitEvents("check_failed", "svc", 1, 5*time.Second)
	took := time.Since(killed)
	t.Logf("the death was a check_failed event %v after the SIGKILL (interval 1m)", took)
	if took > 2*time.Second {
		t.Errorf("the death was seen after %v", took)
	}
	if n := len(withMsg(b.heatd.lines(true), "target_exited", "svc")); n != 2 {
		t.Errorf("%d target_exited events, want 2", n)
	}
	if n := count(b.heatd.lines(true), "check_ok", "blind") + count(b.heatd.lines(true), "check_failed", "blind"); n != 1 {
		t.Errorf("the check with watch_target = false ran %d times, want once", n)
	}
}

// Attempts wait 400 ms, then 800 ms (the cap); when the fourth is due,
// three have started within the window and heatd gives up: no more
// scripts, state gave_up, and the check goes on running until it is ok by
// itself.
func TestBackoffAndGivingUp(t *testing.T) {
	b := startBounded(t, `
[check.svc]
command = "test -e fixed"
interval = "200ms"
threshold = 1
recovery = "restart"
recovery_backoff = "400ms"
recovery_backoff_max = "800ms"
recovery_limit = 3
recovery_limit_window = "1m"
`, map[string]string{"restart": "echo attempt >> attempts\necho 'web.conf: line 3: unknown directive' >&2\nexit 1\n"})
	gave := b.waitEvents("recovery_gave_up", "svc", 1, 15*time.Second)
	if str(gave[0], "level") != "error" || num(gave[0], "attempts") != 3 || seconds(gave[0], "window") != 60 {
		t.Errorf("recovery_gave_up: %v", gave[0])
	}
	var waits []float64
	for _, e := range withMsg(b.heatd.lines(true), "recovery_backoff", "svc") {
		waits = append(waits, seconds(e, "wait"))
	}
	if fmt.Sprint(waits) != "[0.4 0.8 0.8]" {
		t.Errorf("recovery_backoff waits %v, want [0.4 0.8 0.8]", waits)
	}
	if s, m := b.state("svc"), b.metricState("svc"); s != "gave_up" || m != "gave_up" {
		t.Errorf("heatctl says %q, heatd_check_state says %q; want gave_up", s, m)
	}
	before := count(b.heatd.lines(true), "check_failed", "svc")
	time.Sleep(time.Second)
	if n := lines(filepath.Join(b.dir, "attempts")); n != 3 {
		t.Errorf("%d recovery scripts ran, want 3", n)
	}
	if after := count(b.heatd.lines(true), "check_failed", "svc"); after < before+3 {
		t.Errorf("after giving up the check ran %d times in a second", after-before)
	}
	log, _ := os.ReadFile(filepath.Join(b.dir, "logs", "svc.log"))
	if !strings.Contains(string(log), ": gave up after 3 recovery attempts within 1m0s") {
		t.Errorf("the heat log does not say heatd gave up:\n%s", log)
	}

	writeConfig(t, filepath.Join(b.dir, "fixed"), "")
	rec := b.waitEvents("recovered", "svc", 1, 10*time.Second)
	if rec[0]["after_giving_up"] != true {
		t.Errorf("recovered: %v", rec[0])
	}
	if s := b.state("svc"); s != "healthy" {
		t.Errorf("after the check passed by itself: %q", s)
	}
}

// A check that fails every other run flaps once 21 results are in: its
// failures are counted but run no fail script; once it is steady the score
// falls and flapping stops.
func TestFlapDetection(t *testing.T) {
	b := startBounded(t, `
[check.svc]
script = "check"
interval = "100ms"
flap_detection = true
fail = "fail"
`, map[string]string{"check": `n=$(cat runs 2>/dev/null || echo 0); n=$((n + 1)); echo $n > runs
[ -e steady ] && exit 0
exit $((n % 2))
`, "fail": "echo x >> fails\n"})
	started := b.waitEvents("flapping_started", "svc", 1, 20*time.Second)
	if str(started[0], "level") != "warn" {
		t.Errorf("flapping_started: %v", started[0])
	}
	if s, m := b.state("svc"), b.metricState("svc"); s != "flapping" || m != "flapping" {
		t.Errorf("heatctl says %q, heatd_check_state says %q; want flapping", s, m)
	}
	fails, failed := lines(filepath.Join(b.dir, "fails")), count(b.heatd.lines(true), "check_failed", "svc")
	time.Sleep(time.Second)
	if n := lines(filepath.Join(b.dir, "fails")); n != fails {
		t.Errorf("while flapping %d fail scripts ran", n-fails)
	}
	if n := count(b.heatd.lines(true), "check_failed", "svc"); n < failed+3 {
		t.Errorf("while flapping only %d failures were logged", n-failed)
	}
	writeConfig(t, filepath.Join(b.dir, "steady"), "")
	b.waitEvents("flapping_stopped", "svc", 1, 20*time.Second)
	log, _ := os.ReadFile(filepath.Join(b.dir, "logs", "svc.log"))
	if !strings.Contains(string(log), ": flapping started (score ") || !strings.Contains(string(log), ": flapping stopped (score ") {
		t.Errorf("the heat log does not say the check flapped:\n%s", log)
	}
}

// "none" and "" set a check's signal and scripts back to none over what
// [defaults] gives.
func TestNoneOverridesDefaults(t *testing.T) {
	b := startBounded(t, `
[defaults]
fail = "fail"
signal = "USR1"
[check.quiet]
command = "exit 1"
interval = "200ms"
fail = ""
signal = "none"
[check.loud]
command = "exit 1"
interval = "200ms"
signal = "none"
`, map[string]string{"fail": "echo \"$HEAT_CHECK\" >> fails\n"})
	b.waitEvents("check_failed", "quiet", 3, 10*time.Second)
	b.waitEvents("fail_script_done", "loud", 2, 10*time.Second)
	trail, _ := os.ReadFile(filepath.Join(b.dir, "fails"))
	if strings.Contains(string(trail), "quiet") || !strings.Contains(string(trail), "loud") {
		t.Errorf("fail scripts ran for:\n%s", trail)
	}
	if n := count(b.heatd.lines(true), "signal_sent", ""); n != 0 {
		t.Errorf("%d signals sent", n)
	}
}
