package systemd

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The checks of the test's /etc/heat.toml, each there for one step:
//   - ok passes and broken fails on every run: counts, check_failed events,
//     a heat log for logrotate;
//   - web fails until its recovery has started heat-test-web.service through
//     systemctl: a recovery can restart a service from inside heatd's unit;
//   - sleeper is a run in progress at every stop, one that ignores SIGTERM;
//   - leaver's fail script leaves a process behind, as `server &` would.
const testConfig = `# heatd under a real systemd (packaging/systemd).
[daemon]
shutdown_grace = "2s"

[defaults]
interval = "1s"
timeout = "10s"

[check.ok]
command = "true"

[check.broken]
command = "echo boom >&2; exit 3"

[check.web]
command = "systemctl --quiet is-active heat-test-web.service"
threshold = 1
recovery = "/etc/heat/recover-web"
recovery_timeout = "10s"

[check.sleeper]
command = "trap '' TERM; exec sleep 317"
interval = "1h"
timeout = "1h"

[check.leaver]
command = "false"
interval = "1h"
fail = "/etc/heat/leave-behind"
`

// addedCheck is what the reload adds.
const addedCheck = `
[check.added]
command = "echo added-ran >&2; exit 4"
`

// fixedCheck is what the file fixed after the typo adds.
const fixedCheck = `
[check.fixed]
command = "true"
`

// typoCheck makes the file invalid.
const typoCheck = `
[check.typo]
command = "true"
treshold = 2
`

var fixtures = []struct {
	path    string
	mode    os.FileMode
	content string
}{
	{"/etc/systemd/system/heat-test-web.service", 0o644, "[Service]\nExecStart=/bin/sleep infinity\n"},
	{"/etc/heat/recover-web", 0o755, "#!/bin/sh\nexec systemctl restart heat-test-web.service\n"},
	{"/etc/heat/leave-behind", 0o755, "#!/bin/sh\nsleep 318 >/dev/null 2>&1 &\n"},
}

// watchdogDropIn makes the watchdog quick enough to test.
const watchdogDropIn = "/etc/systemd/system/heatd.service.d/test-watchdog.conf"

// statusRE is the STATUS= line heatd keeps current.
var statusRE = regexp.MustCompile(`^(\d+) checks?: (\d+) healthy, (\d+) failing, (\d+) recovering`)

// TestHeatdUnderSystemd runs its steps in order, each on what the previous
// ones left: a failed step is reported and the next ones still run, except
// after a failed install.
func TestHeatdUnderSystemd(t *testing.T) {
	if os.Getenv("HEATD_SYSTEMD_TEST") != "1" {
		t.Skip("boots systemd in a container as root: run `make systemd-test`, or set HEATD_SYSTEMD_TEST=1 and HEATD_DEB=path/to/heatd.deb")
	}
	if os.Geteuid() != 0 {
		t.Skip("cannot run containers here: not root")
	}
	for _, tool := range []string{"systemd-nspawn", "debootstrap", "nsenter", "unshare", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("cannot run containers here: no %s (`make systemd-test` installs it)", tool)
		}
	}
	deb := os.Getenv("HEATD_DEB")
	if deb == "" {
		t.Fatal("HEATD_DEB is not set: `make systemd-test` builds the package and sets it")
	}
	out, err := exec.Command("dpkg-deb", "-f", deb, "Version").Output()
	if err != nil {
		t.Fatalf("reading %s: %v", deb, err)
	}
	version := strings.TrimSpace(string(out))
	t.Cleanup(func() { checkNothingLeft(t) }) // runs last, after the teardown
	root := rootfs(t)

	t.Run("chroot-install", func(t *testing.T) { chrootInstall(t, root, deb, version) })

	start := time.Now()
	h := &harness{c: boot(t, root)}
	t.Logf("container booted in %v", time.Since(start).Round(time.Millisecond))

	if !t.Run("install", func(t *testing.T) { h.install(t, deb, version) }) {
		t.FailNow()
	}
	t.Run("a-start-status", h.startStatus)
	t.Run("b-reload", h.reload)
	t.Run("b-reload-rejected", h.reloadRejected)
	t.Run("b-recovery-unit", h.recoveryUnit)
	t.Run("b-pause-restart", h.pauseRestart)
	t.Run("logrotate", h.logrotate)
	t.Run("c-watchdog-pings", h.watchdogPings)
	t.Run("c-watchdog-frozen", h.watchdogFrozen)
	t.Run("d-stop", h.stop)
	t.Run("e-journal-events", h.journalEvents)
	t.Run("remove-purge", h.removePurge)
}

// chrootInstall installs the package in a chroot, as an image build does:
// no systemd runs there, so the maintainer scripts must enable heatd
// without starting anything, and succeed.
func chrootInstall(t *testing.T, rootfs, deb, version string) {
	tmp := t.TempDir()
	script := `set -e
mount -t tmpfs tmpfs "$1"
mkdir "$1/upper" "$1/work" "$1/root"
mount -t overlay overlay -o "lowerdir=$2,upperdir=$1/upper,workdir=$1/work" "$1/root"
mount -t proc proc "$1/root/proc"
cp "$3" "$1/root/tmp/heatd.deb"
chroot "$1/root" dpkg -i /tmp/heatd.deb
chroot "$1/root" test -L /etc/systemd/system/multi-user.target.wants/heatd.service
chroot "$1/root" heatd -version`
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", tmp, rootfs, deb)
	cmd.Env = hostEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg -i in a chroot: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "heatd "+version) {
		t.Errorf("heatd -version in the chroot does not say %q:\n%s", version, out)
	}
	if strings.Contains(string(out), "Running in chroot") {
		t.Errorf("the maintainer scripts asked systemctl to start or stop in a chroot:\n%s", out)
	}
}

// harness drives heatd in the container.
type harness struct {
	c *container
	// aborted is the pid of the heatd the watchdog killed: Go's goroutine
	// dump after SIGABRT is the one output of heatd's that is not JSON.
	aborted string
}

func (h *harness) install(t *testing.T, deb, version string) {
	c := h.c
	pkg, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	c.write(t, "/root/heatd.deb", 0o644, string(pkg))
	c.must(t, "dpkg", "-i", "/root/heatd.deb")

	if got, _ := c.run("systemctl", "is-enabled", "heatd"); got != "enabled" {
		t.Errorf("after dpkg -i heatd is %q, want enabled", got)
	}
	p := h.show(t, "ActiveState", "SubState", "MainPID")
	if p["ActiveState"] != "active" || p["SubState"] != "running" {
		t.Errorf("after dpkg -i heatd is %s/%s, want active/running (the postinst starts it)", p["ActiveState"], p["SubState"])
	}
	// heat and heatctl are links to heatd, which is each by its name.
	for _, name := range []string{"heatd", "heat", "heatctl"} {
		if got := c.must(t, name, "-version"); got != name+" "+version {
			t.Errorf("%s -version = %q, want %q", name, got, name+" "+version)
		}
	}
	for _, name := range []string{"heat", "heatctl"} {
		if got := c.must(t, "readlink", "/usr/bin/"+name); got != "heatd" {
			t.Errorf("/usr/bin/%s links to %q, want heatd", name, got)
		}
	}
	if got := c.must(t, "heatd", "-t", "-c", "/etc/heat.toml"); got != "config OK: 0 checks" {
		t.Errorf("heatd -t on the packaged /etc/heat.toml: %q", got)
	}
	conffiles := c.must(t, "dpkg-query", "-W", "-f=${Conffiles}", "heatd")
	for _, f := range []string{"/etc/heat.toml", "/etc/logrotate.d/heatd"} {
		if !strings.Contains(conffiles, f+" ") {
			t.Errorf("%s is not a conffile: %q", f, conffiles)
		}
	}
	for _, dir := range []string{"/var/log/heat", "/var/lib/heatd"} {
		if got := c.must(t, "stat", "-c", "%a %U", dir); got != "750 root" {
			t.Errorf("%s is %q, want 750 root", dir, got)
		}
	}
	for _, page := range []string{"man8/heatd.8.gz", "man1/heat.1.gz", "man1/heatctl.1.gz", "man5/heat.toml.5.gz"} {
		if _, err := c.run("test", "-s", "/usr/share/man/"+page); err != nil {
			t.Errorf("no man page /usr/share/man/%s", page)
		}
	}
	if _, err := c.run("grep", "-q", "alert: HeatdRecoveryGaveUp", "/usr/share/doc/heatd/examples/heatd-rules.yml"); err != nil {
		t.Errorf("the package has no Prometheus rules in /usr/share/doc/heatd/examples: %v", err)
	}
	if got := h.show(t, "SystemCallArchitectures")["SystemCallArchitectures"]; got != "native" {
		t.Errorf("SystemCallArchitectures=%q, want native", got)
	}
	// --man=no: the container has no man-db to look the unit's
	// Documentation= pages up with (lintian checks them when it is built).
	verify := c.must(t, "sh", "-c", "systemd-analyze verify --man=no heatd.service 2>&1")
	for _, line := range strings.Split(verify, "\n") {
		if strings.Contains(line, "heatd") {
			t.Errorf("systemd-analyze verify: %s", line)
		}
	}

	// Installing again (an upgrade) restarts it on the new files.
	c.must(t, "dpkg", "-i", "/root/heatd.deb")
	q := h.show(t, "ActiveState", "MainPID")
	if q["ActiveState"] != "active" || q["MainPID"] == p["MainPID"] {
		t.Errorf("after a second dpkg -i heatd is %s with MainPID %s (was %s): want it restarted", q["ActiveState"], q["MainPID"], p["MainPID"])
	}
}

// startStatus: (a) systemctl start reaches active (READY=1) and STATUS=
// counts the checks.
func (h *harness) startStatus(t *testing.T) {
	c := h.c
	c.must(t, "systemctl", "stop", "heatd")
	for _, f := range fixtures {
		c.write(t, f.path, f.mode, f.content)
	}
	c.write(t, "/etc/heat.toml", 0o644, testConfig)
	c.must(t, "systemctl", "daemon-reload")
	if got := c.must(t, "heatd", "-t"); got != "config OK: 5 checks" {
		t.Fatalf("heatd -t on the test's config: %q", got)
	}
	start := time.Now()
	c.must(t, "systemctl", "start", "heatd")
	t.Logf("systemctl start took %v", time.Since(start).Round(time.Millisecond))
	p := h.show(t, "ActiveState", "SubState")
	if p["ActiveState"] != "active" || p["SubState"] != "running" {
		t.Errorf("after systemctl start heatd is %s/%s, want active/running", p["ActiveState"], p["SubState"])
	}
	h.waitStatus(t, 5)
	h.waitEvent(t, "recovered", "web", nil)
	if got, _ := c.run("systemctl", "is-active", "heat-test-web"); got != "active" {
		t.Errorf("the web check recovered but heat-test-web.service is %q: its recovery's systemctl restart did not work", got)
	}
}

// reload: (b) systemctl reload applies a new check, keeps the others
// untouched, and heatd is neither restarted nor left reloading. The unit's
// ExecReload waits for heatd's verdict: when systemctl returns, the new
// check is there, with no polling.
func (h *harness) reload(t *testing.T) {
	c := h.c
	sleeper := h.waitProcess(t, "sleep 317")
	before := h.show(t, "MainPID", "NRestarts")
	c.write(t, "/etc/heat.toml", 0o644, testConfig+addedCheck)
	c.must(t, "systemctl", "reload", "heatd")
	if out, err := c.run("heatctl", "status", "added"); err != nil || !strings.Contains(out, "added") {
		t.Errorf("right after systemctl reload, heatctl status added: %v\n%s", err, out)
	}
	// Its first run and its events come after: polled.
	h.waitEvent(t, "check_failed", "added", func(e event) bool {
		return e.num("exit_code") == 4 && e.str("output") == "added-ran"
	})
	h.waitStatus(t, 6)
	h.waitRunning(t)
	after := h.show(t, "MainPID", "NRestarts")
	if after["MainPID"] != before["MainPID"] || after["NRestarts"] != before["NRestarts"] {
		t.Errorf("reload restarted heatd: MainPID %s→%s, NRestarts %s→%s",
			before["MainPID"], after["MainPID"], before["NRestarts"], after["NRestarts"])
	}
	if got := h.pgrep(t, "sleep 317"); len(got) != 1 || got[0] != sleeper {
		t.Errorf("the unchanged sleeper check's run was %s before the reload, %v after: want it untouched", sleeper, got)
	}
	loaded := h.events(t).find("config_loaded", "")
	if len(loaded) == 0 || !strings.Contains(fmt.Sprint(loaded[len(loaded)-1]["added"]), "added") {
		t.Errorf("no config_loaded event naming the added check; config_loaded events: %v", loaded)
	}
}

// reloadRejected: an invalid file makes systemctl reload fail, and changes
// nothing: the checks run on, the journal has the errors, STATUS says so,
// heatd is not restarted; a valid file then reloads, in force when
// systemctl returns, and clears it.
func (h *harness) reloadRejected(t *testing.T) {
	c := h.c
	before := h.show(t, "MainPID")
	c.write(t, "/etc/heat.toml", 0o644, testConfig+addedCheck+typoCheck)
	if out, err := c.run("systemctl", "reload", "heatd"); err == nil {
		t.Errorf("systemctl reload of a file with a typo succeeded: %s", out)
	}
	// heatctl's stderr, the reasons, is the reload's own journal entry.
	h.poll(t, 10*time.Second, "the rejection's reasons in the unit's journal", func() (bool, string) {
		out, _ := c.run("journalctl", "-u", "heatd", "-o", "cat", "--no-pager")
		return strings.Contains(out, "reload rejected:") && strings.Contains(out, `key "treshold" is not known`), lastLines(out, 5)
	})
	h.waitEvent(t, "config_reload_failed", "", func(e event) bool {
		return strings.Contains(fmt.Sprint(e["errors"]), "treshold")
	})
	failedAt := len(h.events(t).find("check_failed", "broken"))
	h.poll(t, 10*time.Second, `StatusText saying "reload failed"`, func() (bool, string) {
		s := h.show(t, "StatusText")["StatusText"]
		return strings.Contains(s, "reload failed"), s
	})
	h.poll(t, 10*time.Second, "the broken check failing on after the rejected reload", func() (bool, string) {
		n := len(h.events(t).find("check_failed", "broken"))
		return n >= failedAt+2, fmt.Sprintf("%d check_failed events of broken, %d at the rejection", n, failedAt)
	})
	h.waitRunning(t)
	if got := h.show(t, "MainPID")["MainPID"]; got != before["MainPID"] {
		t.Errorf("a rejected reload restarted heatd: MainPID %s→%s", before["MainPID"], got)
	}

	c.write(t, "/etc/heat.toml", 0o644, testConfig+addedCheck+fixedCheck)
	c.must(t, "systemctl", "reload", "heatd")
	if out, err := c.run("heatctl", "status", "fixed"); err != nil || !strings.Contains(out, "fixed") {
		t.Errorf("right after systemctl reload of the fixed file, heatctl status fixed: %v\n%s", err, out)
	}
	h.poll(t, 10*time.Second, "StatusText counting 7 checks", func() (bool, string) {
		s := h.show(t, "StatusText")["StatusText"]
		m := statusRE.FindStringSubmatch(s)
		return m != nil && m[1] == "7" && !strings.Contains(s, "reload failed"), s
	})
	h.waitRunning(t)
	// The checks of the rest of the test are those of before.
	c.write(t, "/etc/heat.toml", 0o644, testConfig+addedCheck)
	c.must(t, "systemctl", "reload", "heatd")
	h.waitRunning(t)
}

// lastLines is the last n lines of text, for a message.
func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// logrotate: the packaged rotation needs no copytruncate and no signal:
// heatd's next write makes a new heat log.
func (h *harness) logrotate(t *testing.T) {
	c := h.c
	h.poll(t, 10*time.Second, "a heat log for the broken check", func() (bool, string) {
		_, err := c.run("test", "-s", "/var/log/heat/broken.log")
		return err == nil, fmt.Sprint(err)
	})
	c.must(t, "logrotate", "-f", "/etc/logrotate.d/heatd")
	if _, err := c.run("test", "-s", "/var/log/heat/broken.log.1"); err != nil {
		t.Fatalf("logrotate made no broken.log.1: %v", err)
	}
	h.poll(t, 10*time.Second, "heatd writing a new broken.log after the rotation", func() (bool, string) {
		out, err := c.run("cat", "/var/log/heat/broken.log")
		return err == nil && strings.Contains(out, ": boom"), out + fmt.Sprint(err)
	})
	if e := h.events(t).find("heat_log_failed", ""); len(e) > 0 {
		t.Errorf("heat_log_failed after the rotation: %v", e)
	}
}

// watchdogPings: with WatchdogSec=2s heatd lives on, so it pings.
func (h *harness) watchdogPings(t *testing.T) {
	c := h.c
	c.write(t, watchdogDropIn, 0o644, "[Service]\nWatchdogSec=2s\nTimeoutAbortSec=2s\n")
	c.must(t, "systemctl", "daemon-reload")
	c.must(t, "systemctl", "restart", "heatd")
	if got := h.show(t, "WatchdogUSec")["WatchdogUSec"]; got != "2s" {
		t.Fatalf("WatchdogUSec = %q with the drop-in, want 2s", got)
	}
	before := h.show(t, "MainPID", "NRestarts")
	time.Sleep(5 * time.Second) // 2.5 watchdog periods
	after := h.show(t, "MainPID", "NRestarts", "ActiveState")
	if after["MainPID"] != before["MainPID"] || after["NRestarts"] != before["NRestarts"] || after["ActiveState"] != "active" {
		t.Errorf("with WatchdogSec=2s a live heatd was restarted: MainPID %s→%s, NRestarts %s→%s, %s; watchdog timeouts in the journal: %d",
			before["MainPID"], after["MainPID"], before["NRestarts"], after["NRestarts"], after["ActiveState"], h.watchdogTimeouts(t))
	}
}

// watchdogFrozen: (c) a heatd frozen by SIGSTOP stops pinging; systemd kills
// and restarts it.
func (h *harness) watchdogFrozen(t *testing.T) {
	c := h.c
	h.waitRunning(t)
	before := h.show(t, "MainPID", "NRestarts")
	timeouts := h.watchdogTimeouts(t)
	start := time.Now()
	c.must(t, "kill", "-STOP", before["MainPID"])
	h.poll(t, 30*time.Second, "systemd restarting the frozen heatd", func() (bool, string) {
		p := h.show(t, "MainPID", "NRestarts", "ActiveState", "SubState")
		ok := p["NRestarts"] != before["NRestarts"] && p["MainPID"] != before["MainPID"] &&
			p["MainPID"] != "0" && p["ActiveState"] == "active"
		return ok, fmt.Sprint(p)
	})
	t.Logf("frozen to restarted: %v", time.Since(start).Round(time.Millisecond))
	if h.watchdogTimeouts(t) <= timeouts {
		t.Errorf("heatd was restarted but the journal has no new watchdog timeout")
	}
	// systemd follows SIGABRT with SIGCONT: the frozen heatd wakes up and
	// dies printing its goroutines, within TimeoutAbortSec.
	h.aborted = before["MainPID"]
	if dump := h.events(t).notJSON[h.aborted]; len(dump) == 0 || dump[0] != "SIGABRT: abort" {
		t.Errorf("no goroutine dump from the aborted heatd in the journal; its lines: %q", dump)
	}
	n, _ := strconv.Atoi(h.show(t, "NRestarts")["NRestarts"])
	if was, _ := strconv.Atoi(before["NRestarts"]); n != was+1 {
		t.Errorf("NRestarts went from %d to %d, want one restart", was, n)
	}

	c.must(t, "rm", "-r", "/etc/systemd/system/heatd.service.d")
	c.must(t, "systemctl", "daemon-reload")
	c.must(t, "systemctl", "restart", "heatd")
	if got := h.show(t, "WatchdogUSec")["WatchdogUSec"]; got != "30s" {
		t.Errorf("WatchdogUSec = %q from the packaged unit, want 30s", got)
	}
}

// stop: (d) systemctl stop is clean and leaves no process of heatd's: the
// check run in progress is killed after shutdown_grace, the process a
// script left behind by systemd, while a service the recovery restarted
// through systemctl lives on in its own unit.
func (h *harness) stop(t *testing.T) {
	c := h.c
	h.waitRunning(t)
	sleeper := h.waitProcess(t, "sleep 317")
	left := h.waitProcess(t, "sleep 318")
	for _, pid := range []string{sleeper, left} {
		if cg := c.must(t, "cat", "/proc/"+pid+"/cgroup"); !strings.Contains(cg, "/system.slice/heatd.service") {
			t.Errorf("process %s is not in heatd's cgroup:\n%s", pid, cg)
		}
	}
	web := h.showUnit(t, "heat-test-web", "MainPID", "ControlGroup")
	if web["ControlGroup"] != "/system.slice/heat-test-web.service" {
		t.Errorf("heat-test-web.service runs in %q, not a cgroup of its own", web["ControlGroup"])
	}
	start := time.Now()
	c.must(t, "systemctl", "stop", "heatd")
	took := time.Since(start)
	t.Logf("systemctl stop took %v", took.Round(time.Millisecond))
	p := h.show(t, "ActiveState", "Result", "ExecMainCode", "ExecMainStatus")
	if p["ActiveState"] != "inactive" || p["Result"] != "success" || p["ExecMainCode"] != "1" || p["ExecMainStatus"] != "0" {
		t.Errorf("after systemctl stop: %v, want inactive, Result=success, heatd exited (code 1) with status 0", p)
	}
	if took > 15*time.Second {
		t.Errorf("stop took %v: near the unit's TimeoutStopSec (20s)", took)
	}
	for _, cmd := range []string{"sleep 317", "sleep 318"} {
		if pids := h.pgrep(t, cmd); len(pids) > 0 {
			t.Errorf("%q still runs after the stop: pids %v", cmd, pids)
		}
	}
	if got := h.showUnit(t, "heat-test-web", "MainPID", "ActiveState"); got["ActiveState"] != "active" || got["MainPID"] != web["MainPID"] {
		t.Errorf("heat-test-web.service, restarted through systemctl by a recovery, did not outlive heatd's stop: %v, was %v", got, web)
	}
	if len(h.events(t).find("check_interrupted", "sleeper")) == 0 {
		t.Errorf("no check_interrupted event for the sleeper's run")
	}
	if len(h.events(t).find("stopping", "")) == 0 {
		t.Errorf("no stopping event")
	}
}

// journalEvents: (e) everything heatd wrote is a JSON event in the journal.
func (h *harness) journalEvents(t *testing.T) {
	evs := h.events(t)
	for pid, lines := range evs.notJSON {
		if pid == h.aborted && lines[0] == "SIGABRT: abort" {
			continue
		}
		t.Errorf("heatd (pid %s) wrote %d lines that are not JSON events, the first: %q", pid, len(lines), lines[0])
	}
	if len(evs.all) == 0 {
		t.Fatal("no heatd events in the journal")
	}
	want := []struct {
		msg, check string
		ok         func(event) bool
	}{
		{"config_loaded", "", func(e event) bool { return e.num("checks") == 5 }},
		{"check_failed", "broken", func(e event) bool { return e.num("exit_code") == 3 && e.str("output") == "boom" }},
		{"recovery_started", "web", nil},
		{"recovered", "web", nil},
		{"fail_script_done", "leaver", nil},
		{"check_interrupted", "sleeper", nil},
		{"config_reload_failed", "", nil},
		{"stopping", "", nil},
	}
	for _, w := range want {
		if !evs.has(w.msg, w.check, w.ok) {
			t.Errorf("no %s event for %q that fits, among %d events", w.msg, w.check, len(evs.all))
		}
	}
	h.journalFields(t)
}

// journalFields: heatd writes to the journal natively, so journalctl
// selects its events by priority, event and check.
func (h *harness) journalFields(t *testing.T) {
	out := h.c.must(t, "journalctl", "-u", "heatd.service", "-p", "warning", "-o", "json", "--no-pager",
		"--output-fields=PRIORITY,SYSLOG_IDENTIFIER,HEATD_EVENT,HEATD_CHECK,MESSAGE")
	got := map[string]string{} // event: its priority
	for _, line := range strings.Split(out, "\n") {
		var e struct{ PRIORITY, SYSLOG_IDENTIFIER, HEATD_EVENT, HEATD_CHECK, MESSAGE string }
		if line == "" || json.Unmarshal([]byte(line), &e) != nil || e.HEATD_EVENT == "" {
			continue
		}
		if e.SYSLOG_IDENTIFIER != "heatd" || !strings.Contains(e.MESSAGE, `"msg":"`+e.HEATD_EVENT+`"`) {
			t.Errorf("journal entry %s", line)
		}
		if e.HEATD_EVENT == "check_failed" && e.HEATD_CHECK == "" {
			t.Errorf("check_failed without HEATD_CHECK: %s", line)
		}
		got[e.HEATD_EVENT] = e.PRIORITY
	}
	for event, pri := range map[string]string{"check_failed": "4", "recovery_started": "4", "config_reload_failed": "3"} {
		if got[event] != pri {
			t.Errorf("journalctl -p warning: %s at priority %q, want %s (all: %v)", event, got[event], pri, got)
		}
	}
	for _, event := range []string{"check_ok", "config_loaded", "recovered"} {
		if _, ok := got[event]; ok {
			t.Errorf("journalctl -p warning shows %s, an info or debug event", event)
		}
	}
	out = h.c.must(t, "journalctl", "-u", "heatd.service", "HEATD_CHECK=broken", "-o", "cat", "--no-pager")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if n := strings.Count(out, `"check":"broken"`); n == 0 || n != len(lines) {
		t.Errorf("journalctl HEATD_CHECK=broken: %d of its %d lines are broken's:\n%s", n, len(lines), out)
	}
}

// removePurge: dpkg -r stops heatd and removes the unit, keeping the
// configuration; dpkg --purge removes the rest.
func (h *harness) removePurge(t *testing.T) {
	c := h.c
	c.must(t, "systemctl", "start", "heatd")
	c.must(t, "dpkg", "-r", "heatd")
	if got := h.show(t, "LoadState")["LoadState"]; got != "not-found" {
		t.Errorf("after dpkg -r the unit is %q, want not-found", got)
	}
	if pids := h.pgrep(t, "/usr/bin/heatd -c /etc/heat.toml"); len(pids) > 0 {
		t.Errorf("heatd still runs after dpkg -r: %v", pids)
	}
	exists := func(p string) bool { _, err := c.run("test", "-e", p, "-o", "-L", p); return err == nil }
	if !exists("/etc/heat.toml") || exists("/usr/bin/heatd") {
		t.Errorf("after dpkg -r: /etc/heat.toml kept %v (want true), /usr/bin/heatd kept %v (want false)",
			exists("/etc/heat.toml"), exists("/usr/bin/heatd"))
	}
	for _, link := range []string{"/usr/bin/heat", "/usr/bin/heatctl"} {
		if exists(link) {
			t.Errorf("after dpkg -r: %s is left", link)
		}
	}
	c.must(t, "dpkg", "--purge", "heatd")
	for _, p := range []string{"/etc/heat.toml", "/etc/logrotate.d/heatd", "/var/log/heat", "/var/lib/heatd",
		"/etc/systemd/system/multi-user.target.wants/heatd.service"} {
		if exists(p) {
			t.Errorf("%s is still there after dpkg --purge", p)
		}
	}
}

// checkNothingLeft fails the test if a mount or process of the test
// outlived it.
func checkNothingLeft(t *testing.T) {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, cacheDir) || strings.Contains(line, "nspawn") {
			t.Errorf("a mount outlived the test: %s", line)
		}
	}
	if out, _ := exec.Command("pgrep", "-a", "-f", "systemd-nspawn .*"+cacheDir).Output(); len(out) > 0 {
		t.Errorf("systemd-nspawn outlived the test:\n%s", out)
	}
	for _, hier := range cgroupHierarchies() {
		if _, err := os.Stat(hier + "/" + cgroupPrefix + strconv.Itoa(os.Getpid())); err == nil {
			t.Errorf("the test's cgroup in %s outlived it", hier)
		}
	}
}
