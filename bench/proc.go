package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of /proc/PID/stat's times: USER_HZ, 100 on every
// Linux architecture Go runs on (the kernel scales to it whatever its own
// HZ), so CPU figures have a resolution of 10 ms; windows are made long
// enough that this is well under a per cent.
const userHZ = 100

// cpuOf is the CPU that process pid and the children it has reaped have
// used: utime+stime+cutime+cstime.
func cpuOf(pid int) (time.Duration, error) {
	own, children, err := cpuTimes(pid)
	return own + children, err
}

// ownCPUOf is the CPU that process pid has used itself, its children's
// left out: utime+stime.
func ownCPUOf(pid int) (time.Duration, error) {
	own, _, err := cpuTimes(pid)
	return own, err
}

// cpuTimes is the CPU that process pid has used (utime+stime) and that the
// children it has reaped have used (cutime+cstime).
func cpuTimes(pid int) (own, children time.Duration, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name, field 2, is in parentheses and may hold anything;
	// the fields after its last ')' start with field 3, the state.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	const utime = 14 - 3 // fields 14-17: utime stime cutime cstime
	if len(f) < utime+4 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	var ticks [4]int64
	for k, s := range f[utime : utime+4] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%d/stat: %v", pid, err)
		}
		ticks[k] = n
	}
	toTime := func(t int64) time.Duration { return time.Duration(t) * time.Second / userHZ }
	return toTime(ticks[0] + ticks[1]), toTime(ticks[2] + ticks[3]), nil
}

// rssOf is process pid's resident set (VmRSS), in bytes.
func rssOf(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: VmRSS %q", pid, v)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// childrenOf are the pids of pid's children (of its main thread).
func childrenOf(pid int) []int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// commOf is process pid's command name.
func commOf(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}
