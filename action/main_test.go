package action

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// shell is a Process running script with /bin/sh, in a test environment.
func shell(script string, args ...string) Process {
	return Process{
		Path: "/bin/sh",
		Args: append([]string{"sh", "-c", script, "sh"}, args...),
		Env:  Environ(os.Environ(), nil, "test"),
	}
}

// eventually polls cond until it holds or d has passed.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// procState is a process's state letter from /proc (R, S, Z...), or 0 when
// there is no such process.
func procState(pid int) byte {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return fields[0][0]
}

// alive reports whether pid is a live process: a zombie has ended, only its
// parent has not reaped it (PID 1 of some containers never does).
func alive(pid int) bool {
	s := procState(pid)
	return s != 0 && s != 'Z' && s != 'X'
}

// liveMembers lists the live processes of process group pgid. kill(-pgid, 0)
// would also count zombies, which under an init that does not reap orphans
// stay in the group forever.
func liveMembers(pgid int) []int {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, p := range paths {
		stat, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		// fields: state, ppid, pgrp, ...
		if len(fields) < 3 || fields[2] != strconv.Itoa(pgid) || fields[0] == "Z" || fields[0] == "X" {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		pids = append(pids, pid)
	}
	return pids
}
