package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// userHZ is the unit of /proc/PID/stat's times: USER_HZ, 100 on every
// Linux architecture Go runs on (the kernel scales to it whatever its own
// HZ), so the CPU of reaped children has a resolution of 10 ms: a child
// costs milliseconds (curl about 7), and a window holds hundreds.
const userHZ = 100

// cpuOf is the CPU that process pid and the children it has reaped have
// used.
func cpuOf(pid int) (time.Duration, error) {
	own, children, err := cpuTimes(pid)
	return own + children, err
}

// ownCPUOf is the CPU that process pid has used itself, its children's
// left out.
func ownCPUOf(pid int) (time.Duration, error) {
	own, _, err := cpuTimes(pid)
	return own, err
}

// cpuTimes is the CPU that process pid has used, read from its CPU clock,
// and that the children it has reaped have used (cutime+cstime in
// /proc/PID/stat).
//
// The process's own CPU is its CPU clock (clock_getcpuclockid(3)), in
// nanoseconds, every thread counted, ended ones too: /proc/PID/stat's
// utime+stime, in 10 ms ticks, were a tenth of a window of a native HTTP
// probe's (100 runs a second at some 0.15 ms each), where one tick more or
// less moved the row by 10 %. Every supervisor and every row is read the
// same way: the floor program reads its own with getrusage, in
// microseconds.
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
	const cutime = 16 - 3 // fields 16-17: cutime cstime
	if len(f) < cutime+2 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	var ticks int64
	for _, s := range f[cutime : cutime+2] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%d/stat: %v", pid, err)
		}
		ticks += n
	}
	own, err = processCPU(pid)
	return own, time.Duration(ticks) * time.Second / userHZ, err
}

// processCPU is the CPU that process pid has used so far, all its threads,
// from its CPU clock.
func processCPU(pid int) (time.Duration, error) {
	// clock_getcpuclockid(3): the clock of process pid's CPU time is
	// made from its pid (CPUCLOCK_SCHED, the scheduler's own count).
	const cpuclockSched = 2
	clock := int32(^pid)<<3 | cpuclockSched
	var ts unix.Timespec
	if err := unix.ClockGettime(clock, &ts); err != nil {
		return 0, fmt.Errorf("process %d's CPU clock: %w", pid, err)
	}
	return time.Duration(ts.Nano()), nil
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
