package systemd

import (
	"strings"
	"testing"
	"time"
)

// unitFixtures are the units of the recovery_unit step: heat-test-restart
// starts fine, and its start clears the flag that fails its check;
// heat-test-badstart never starts.
var unitFixtures = []struct{ path, content string }{
	{"/etc/systemd/system/heat-test-restart.service",
		"[Service]\nExecStartPre=/bin/rm -f /run/heat-test-restart.broken\nExecStart=/bin/sleep infinity\n"},
	{"/etc/systemd/system/heat-test-badstart.service",
		"[Service]\nExecStartPre=/bin/false\nExecStart=/bin/sleep infinity\n"},
}

// unitChecks are the checks whose recovery is a unit restart: restart
// fails while the flag is there; badstart fails on every run, once an hour,
// and names its unit as systemctl lets one, without ".service"; missing
// names a unit that systemd does not have.
const unitChecks = `
[check.restart]
command = "test ! -e /run/heat-test-restart.broken"
threshold = 1
recovery_unit = "heat-test-restart.service"
recovery_timeout = "10s"

[check.badstart]
command = "false"
interval = "1h"
threshold = 1
recovery_unit = "heat-test-badstart"

[check.missing]
command = "false"
interval = "1h"
threshold = 1
recovery_unit = "heat-test-missing.service"
`

// recoveryUnit: recovery_unit restarts a unit through systemd's D-Bus API,
// and waits for the job: a restart that works is recovery_unit_done, a new
// main process in the unit's own cgroup, and a recovered check; one whose
// start fails is recovery_unit_failed with systemd's result, and
// verification goes on all the same; one systemd does not have is a
// run_error that says so. The config is then put back.
func (h *harness) recoveryUnit(t *testing.T) {
	c := h.c
	for _, f := range unitFixtures {
		c.write(t, f.path, 0o644, f.content)
	}
	c.must(t, "systemctl", "daemon-reload")
	c.must(t, "systemctl", "start", "heat-test-restart")
	before := h.showUnit(t, "heat-test-restart", "MainPID", "ActiveEnterTimestampMonotonic")
	c.write(t, "/etc/heat.toml", 0o644, testConfig+addedCheck+unitChecks)
	c.must(t, "systemctl", "reload", "heatd")

	h.waitEvent(t, "recovery_unit_failed", "badstart", func(e event) bool {
		return e.str("result") == "failed" && e.str("unit") == "heat-test-badstart.service" && e.num("attempt") == 1
	})
	h.waitEvent(t, "recovery_failed", "badstart", nil)
	h.waitEvent(t, "run_error", "missing", func(e event) bool {
		return e.str("script") == "recovery" && strings.Contains(e.str("error"), "restart unit heat-test-missing.service: ") &&
			strings.Contains(e.str("error"), "not found")
	})

	start := time.Now()
	c.must(t, "touch", "/run/heat-test-restart.broken")
	h.waitEvent(t, "recovered", "restart", nil)
	t.Logf("flag set to recovered: %v", time.Since(start).Round(time.Millisecond))
	evs := h.events(t)
	if !evs.has("recovery_unit_done", "restart", func(e event) bool {
		return e.str("result") == "done" && e.str("unit") == "heat-test-restart.service"
	}) {
		t.Errorf("the restart check recovered with no recovery_unit_done event for its unit")
	}
	for _, e := range append(evs.find("recovery_unit_done", "restart"), evs.find("recovery_unit_failed", "badstart")...) {
		t.Logf("%s: result %s, duration %v", e.str("msg"), e.str("result"), e["duration"])
	}
	after := h.showUnit(t, "heat-test-restart", "MainPID", "ActiveEnterTimestampMonotonic", "ActiveState", "ControlGroup")
	if after["ActiveState"] != "active" || after["MainPID"] == before["MainPID"] ||
		after["ActiveEnterTimestampMonotonic"] == before["ActiveEnterTimestampMonotonic"] {
		t.Errorf("heat-test-restart.service was not restarted: before %v, after %v", before, after)
	}
	if after["ControlGroup"] != "/system.slice/heat-test-restart.service" {
		t.Errorf("the restarted service runs in %q, not a cgroup of its own", after["ControlGroup"])
	}
	if cg := c.must(t, "cat", "/proc/"+after["MainPID"]+"/cgroup"); strings.Contains(cg, "heatd.service") {
		t.Errorf("the restarted service's process is in heatd's cgroup:\n%s", cg)
	}

	for log, want := range map[string][]string{
		"/var/log/heat/restart.log": {": restarting unit heat-test-restart.service (attempt 1)\n",
			": unit heat-test-restart.service restart: done\n"},
		"/var/log/heat/badstart.log": {": restarting unit heat-test-badstart.service (attempt 1)\n",
			": unit heat-test-badstart.service restart: failed\n"},
	} {
		text := c.must(t, "cat", log) + "\n"
		for _, line := range want {
			if !strings.Contains(text, line) {
				t.Errorf("%s has no line %q:\n%s", log, strings.TrimSpace(line), text)
			}
		}
	}

	c.write(t, "/etc/heat.toml", 0o644, testConfig+addedCheck)
	c.must(t, "systemctl", "reload", "heatd")
	h.waitStatus(t, 6)
	h.waitRunning(t)
}
