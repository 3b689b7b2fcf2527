package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// guard is every process of the busy check below: it holds the check's
// lock while it runs and reports any process of the check that runs
// alongside it. Its arguments: what it is, how long it runs, its exit code.
const guard = `exec 9>>"$T/lock"
flock -n 9 || echo "$1 $$ began while another process of the check ran" >> "$T/overlaps"
echo "start $1 $$" >> "$T/trace"
sleep "$2"
echo "end $1 $$" >> "$T/trace"
exit "$3"
`

// Quick HUPs, each changing, removing or adding back a failing check whose
// runs and recovery scripts take longer than the gap between two reloads:
// no two of its processes ever run at once.
func TestQuickReloadsNeverRunACheckTwiceAtOnce(t *testing.T) {
	requireTool(t, "flock")
	t.Parallel()
	dir := t.TempDir()
	script(t, filepath.Join(dir, "guard"), guard)
	script(t, filepath.Join(dir, "recovery"), `exec "$T/guard" recovery 0.4 0`+"\n")
	config := filepath.Join(dir, "heat.toml")
	head := `[daemon]
log_dir = "logs"
log_level = "debug"
control_socket = "heatd.sock"
shutdown_grace = "20s"
[check.beat]
command = "true"
interval = "100ms"
`
	busy := func(i int) string {
		return fmt.Sprintf(`[check.busy]
command = '"$T/guard" check 0.%d 1'
interval = "100ms"
threshold = 1
recovery = %q
env = { T = %q }
`, 3+i%4, filepath.Join(dir, "recovery"), dir)
	}
	writeConfig(t, config, head+busy(0))
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("the first run", 10*time.Second, true, atLeast(1, "check_failed", "busy"))
	for i := 1; i <= 20; i++ {
		text := head + busy(i) // changed
		if i%5 == 3 {
			text = head // removed, and added back at the next
		}
		writeConfig(t, config, text)
		heatd.cmd.Process.Signal(syscall.SIGHUP)
		time.Sleep(150 * time.Millisecond)
	}
	heatd.mustLive("the reloads")
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	l := heatd.lines(true)
	t.Logf("%d reloads applied, %d recovery scripts", count(l, "config_loaded", "")-1,
		count(l, "recovery_script_done", "busy"))
	if b, err := os.ReadFile(filepath.Join(dir, "overlaps")); err == nil {
		t.Errorf("processes of one check ran at once:\n%s", b)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "trace"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, l := range lines {
		want := "start "
		if i%2 == 1 {
			want = "end " + strings.TrimPrefix(lines[i-1], "start ")
		}
		if !strings.HasPrefix(l, want) {
			t.Errorf("trace line %d is %q, want %q...:\n%s", i+1, l, want,
				strings.Join(lines[max(0, i-4):min(len(lines), i+3)], "\n"))
			break
		}
	}
	if len(lines) < 10 {
		t.Errorf("only %d trace lines: the check hardly ran:\n%s", len(lines), b)
	}
}

// A reload takes a check whose table did not change as it runs, but looks
// at its scripts again: one no longer executable rejects the reload, as a
// first load would, and once it is again the check is kept, not changed.
func TestReloadLooksAgainAtTheScriptsOfUnchangedChecks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fix := script(t, filepath.Join(dir, "fix"), "exit 0\n")
	config := filepath.Join(dir, "heat.toml")
	head := fmt.Sprintf(`[daemon]
log_dir = "logs"
control_socket = "heatd.sock"
[check.fixed]
command = "true"
interval = "1h"
threshold = 2
recovery = %q
`, fix)
	other := func(interval string) string {
		return fmt.Sprintf("[check.other]\ncommand = \"true\"\ninterval = %q\n", interval)
	}
	writeConfig(t, config, head+other("1h"))
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("the start", 10*time.Second, true, atLeast(1, "config_loaded", ""))

	if err := os.Chmod(fix, 0o644); err != nil {
		t.Fatal(err)
	}
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	l := heatd.waitFor("the rejected reload", 10*time.Second, true, atLeast(1, "config_reload_failed", ""))
	for _, e := range events(l) {
		if e["msg"] == "config_reload_failed" && !strings.Contains(fmt.Sprint(e["errors"]), "is not executable") {
			t.Errorf("config_reload_failed does not say the script is not executable: %v", e["errors"])
		}
	}

	if err := os.Chmod(fix, 0o755); err != nil {
		t.Fatal(err)
	}
	writeConfig(t, config, head+other("2h"))
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	l = heatd.waitFor("the applied reload", 10*time.Second, true, atLeast(2, "config_loaded", ""))
	var last event
	for _, e := range events(l) {
		if e["msg"] == "config_loaded" {
			last = e
		}
	}
	if fmt.Sprint(last["changed"]) != "[other]" || fmt.Sprint(last["kept"]) != "1" {
		t.Errorf("config_loaded: changed %v, kept %v; want [other] and 1", last["changed"], last["kept"])
	}
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
}
