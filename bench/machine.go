package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes where the figures were taken.
type machine struct {
	date, cpu, cores, memory, kernel, goVersion string
	heatd, monit, python, cc, perf, load        string
	virtual                                     string // the hypervisor, when the CPU flags name one
}

func describeMachine(b *bench) machine {
	m := machine{
		date:      time.Now().UTC().Format("2006-01-02 15:04 MST"),
		cores:     strconv.Itoa(runtime.NumCPU()),
		kernel:    firstLine(readFile("/proc/sys/kernel/osrelease")),
		goVersion: firstLine(output(goTool(), "version")),
		heatd:     firstLine(output(b.heatd, "-version")),
		load:      b.loadStart + " at start, " + loadAverage() + " at the end",
	}
	for _, line := range strings.Split(readFile("/proc/cpuinfo"), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch strings.TrimSpace(k) {
		case "model name":
			if m.cpu == "" {
				m.cpu = strings.TrimSpace(v)
			}
		case "flags":
			if strings.Contains(v, " hypervisor") && m.virtual == "" {
				m.virtual = "yes (a virtual machine: the CPU flags say hypervisor)"
			}
		}
	}
	for _, line := range strings.Split(readFile("/proc/meminfo"), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			m.memory = strings.TrimSpace(v)
		}
	}
	if b.monit != "" {
		m.monit = firstLine(output(b.monit, "-V"))
	}
	if b.python != "" {
		m.python = firstLine(output(b.python, "--version"))
	}
	if b.floor != "" {
		m.cc = firstLine(output("cc", "--version"))
	}
	if b.perf != "" {
		m.perf = firstLine(output(b.perf, "--version"))
	}
	return m
}

// loadAverage is the 1, 5 and 15 minute load averages: how busy the host
// was with others' work.
func loadAverage() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func output(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil && len(out) == 0 {
		return "unknown (" + err.Error() + ")"
	}
	return string(out)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
