package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// profileSeconds is how long a profile records: a few thousand samples.
const profileSeconds = 4

// perfRecord records pid, and the children it starts meanwhile, with perf
// for profileSeconds while during runs (nil: nothing), and returns the top
// of the report by command, object and symbol.
func (b *bench) perfRecord(pid int, during func()) (string, error) {
	if b.perf == "" {
		return "", fmt.Errorf("perf is not installed")
	}
	data := filepath.Join(b.dir, fmt.Sprintf("perf-%d.data", pid))
	// cpu-clock is a software event, so this works in a virtual machine
	// without a PMU too; -g with Go's frame pointers gives call chains.
	rec := exec.CommandContext(b.ctx, b.perf, "record", "-q", "-e", "cpu-clock", "-F", "2000", "-g",
		"-p", strconv.Itoa(pid), "-o", data, "--", "sleep", strconv.Itoa(profileSeconds))
	if err := b.procs.start(rec); err != nil {
		return "", err
	}
	if during != nil {
		during()
	}
	if err := b.procs.wait(rec); err != nil {
		return "", fmt.Errorf("perf record: %v", err)
	}
	return perfTop(b, data)
}

// perfTop is the top of perf's report of data, two ways: self time by
// process, object and symbol (where the CPU went, the checks' processes
// included), and heatd's own samples by Go function with what it calls
// (which of heatd's work costs what).
func perfTop(b *bench, data string) (string, error) {
	all, err := perfReport(b, data, 16, func(string) bool { return true },
		"--no-children", "--sort", "comm,dso,sym", "--percent-limit", "0.7")
	if err != nil {
		return "", err
	}
	mine, err := perfReport(b, data, 22, heatdFunction,
		"--comm", "heatd", "--children", "--percentage", "relative", "--sort", "sym", "--percent-limit", "2")
	if err != nil {
		return "", err
	}
	return "self time, by process, object and symbol:\n" + all +
		"\n\nheatd's samples only, by Go function, callees included (children, self):\n" + mine, nil
}

// perfReport runs perf report on data with args and keeps the first n
// sample lines that keep accepts.
func perfReport(b *bench, data string, n int, keep func(string) bool, args ...string) (string, error) {
	args = append([]string{"report", "-i", data, "--stdio", "-g", "none"}, args...)
	out, err := exec.CommandContext(b.ctx, b.perf, args...).Output()
	if err != nil {
		return "", fmt.Errorf("perf report: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") || !keep(l) {
			continue
		}
		lines = append(lines, l)
		if len(lines) == n {
			break
		}
	}
	return strings.Join(lines, "\n"), nil
}

// heatdFunction keeps a line of heatd's own report that names a Go
// function doing work, not the frames every goroutine or thread starts in.
func heatdFunction(line string) bool {
	if !strings.Contains(line, "[.]") {
		return false
	}
	for _, frame := range []string{"runtime.goexit", "runtime.mstart", "runtime.mcall", "runtime.systemstack",
		"runtime.park_m", "runtime.morestack", "runtime.rt0_go", "runtime.main"} {
		if strings.Contains(line, frame) {
			return false
		}
	}
	return true
}

// profileHeatd profiles heatd running l, for a missed CPU goal.
func (b *bench) profileHeatd(l workload) {
	addr, err := freeAddr()
	if err != nil {
		return
	}
	b.progress("profiling %s", l.what)
	h, err := b.startHeatd(heatdConf{checks: b.plan.cpuChecks, kind: l.kind, target: l.target,
		interval: l.interval(b.plan), splay: l.interval(b.plan), metrics: addr}, false, false)
	if err != nil {
		b.rep.skip("profile of " + l.what + ": " + err.Error())
		return
	}
	defer h.stop()
	b.sleep(b.plan.warmup)
	top, err := b.perfRecord(h.pid(), nil)
	b.addProfile(l.what, fmt.Sprintf("`perf record -e cpu-clock -g -p HEATD` for %d s with %d checks at %s: heatd and the check processes it started, self time by command, object and symbol.",
		profileSeconds, b.plan.cpuChecks, l.interval(b.plan)), top, err)
}

func (b *bench) addProfile(title, how, top string, err error) {
	if err != nil {
		b.rep.skip("profile of " + title + ": " + err.Error())
		return
	}
	b.rep.profiles = append(b.rep.profiles, profile{title: title, how: how, top: top})
}
