package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A SIGHUP that comes while heatd loads its configuration at start (a
// "systemctl reload" racing the start) must not kill it: heatd finishes
// the load, says READY, and then reloads.
func TestHeatdHUPDuringStartupLoad(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	// Enough checks for the load to take a good fraction of a second;
	// splay spreads their first runs over the hour.
	var b strings.Builder
	b.WriteString("[daemon]\nlog_dir = \"logs\"\ncontrol_socket = \"heatd.sock\"\nsplay = \"1h\"\n[defaults]\ninterval = \"1h\"\n")
	const n = 30000
	for i := range n {
		fmt.Fprintf(&b, "[check.c%05d]\ncommand = \"true\"\n", i)
	}
	writeConfig(t, config, b.String())
	heatd := start(t, dir, "heatd", "-c", config)
	// 100 ms of CPU is far past the Go runtime's start and well within
	// the load of thirty thousand checks.
	pid := heatd.cmd.Process.Pid
	deadline := time.Now().Add(20 * time.Second)
	for cpuTicks(pid) < 10 {
		if time.Now().After(deadline) || !heatd.alive() {
			t.Fatalf("heatd did not get to its load")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if count(heatd.lines(true), "config_loaded", "") != 0 {
		t.Fatalf("the load ended before the HUP: the test needs a larger config")
	}
	heatd.cmd.Process.Signal(syscall.SIGHUP)
	l := heatd.waitFor("the load and then a reload", 60*time.Second, true, func(l []string) bool {
		return count(l, "config_loaded", "") >= 2 || !heatd.alive()
	})
	heatd.mustLive("a HUP during the load")
	if ev := withMsg(l, "config_loaded", ""); num(ev[1], "kept") != n {
		t.Errorf("the reload after the load: %v, want all %d checks kept", ev[1], n)
	}
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
}

// cpuTicks is the CPU time pid has used, user and system, in clock ticks
// (1/100 s).
func cpuTicks(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.Atoi(fields[11])
	stime, _ := strconv.Atoi(fields[12])
	return utime + stime
}

// A descriptor heatd inherits from its parent without close-on-exec (a
// shell's redirection, a supervisor's leaked socket) is heatd's parent's
// business, not its checks': none of them may find it open.
func TestHeatdInheritedDescriptorsStayOut(t *testing.T) {
	dir := t.TempDir()
	marker, err := os.Create(filepath.Join(dir, "inherited-marker"))
	if err != nil {
		t.Fatal(err)
	}
	defer marker.Close()
	script(t, filepath.Join(dir, "list-fds"), "for f in /proc/$$/fd/*; do readlink \"$f\"; done > fds.$$\nexit 0\n")
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, `
[daemon]
log_dir = "logs"
log_level = "debug"
control_socket = "heatd.sock"
[check.fds]
script = "list-fds"
interval = "100ms"
`)
	cmd := heatdCommand(dir, config)
	cmd.ExtraFiles = []*os.File{marker} // heatd's descriptor 3, inheritable
	heatd := launch(t, cmd)
	heatd.waitFor("runs", 10*time.Second, true, atLeast(2, "check_ok", "fds"))
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
	lists, _ := filepath.Glob(filepath.Join(dir, "fds.*"))
	if len(lists) == 0 {
		t.Fatal("the check listed nothing")
	}
	for _, f := range lists {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "inherited-marker") {
			t.Errorf("a check had heatd's inherited descriptor open:\n%s", b)
			break
		}
	}
}
