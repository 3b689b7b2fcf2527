package daemon

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// The Go runtime makes an OS thread when it needs one, and dies when it
// cannot ("failed to create new OS thread"). A host whose process limit a
// runaway check has filled is exactly where heatd must go on: so heatd makes
// the threads it will need at start, while it can, and the runtime keeps
// them idle for later. A run that cannot fork is then a run_error, never a
// crash.

// threadReserve is how many threads heatd makes at start: the runtime's
// own (GOMAXPROCS running, a few in system calls) with room to spare. heatd
// blocks few threads at once: process starts are serialised, and waiting
// for a process or a socket holds none.
func threadReserve() int {
	return runtime.GOMAXPROCS(0) + 16
}

// reserveThreads has the runtime make n threads now and keep them. It asks
// for no more than half of what the process limits leave free, so that it
// is never the one to exhaust them.
func reserveThreads(n int) {
	n = min(n, roomForThreads()/2)
	if n <= 0 {
		return
	}
	var locked, release sync.WaitGroup
	locked.Add(n)
	release.Add(1)
	for range n {
		go func() {
			// A goroutine locked to its thread keeps that thread to
			// itself: n of them at once need n threads. Unlocked, the
			// threads go idle, and idle threads are kept.
			runtime.LockOSThread()
			locked.Done()
			release.Wait()
			runtime.UnlockOSThread()
		}()
	}
	locked.Wait()
	release.Done()
}

// roomForThreads is how many more tasks heatd may make before a limit
// refuses: its user's RLIMIT_NPROC (not enforced for root) and its cgroup's
// pids.max. Unknown limits count as plenty.
func roomForThreads() int {
	room := 1 << 16
	var lim unix.Rlimit
	if os.Geteuid() != 0 && unix.Getrlimit(unix.RLIMIT_NPROC, &lim) == nil && lim.Cur != unix.RLIM_INFINITY {
		room = min(room, int(min(lim.Cur, 1<<20))-tasksOf(os.Getuid()))
	}
	if max, cur, ok := cgroupPids(); ok {
		room = min(room, max-cur)
	}
	return room
}

// tasksOf counts the threads of every process of uid, as RLIMIT_NPROC does.
func tasksOf(uid int) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/status")
	n := 0
	want := strconv.Itoa(uid)
	for _, f := range stats {
		file, err := os.Open(f)
		if err != nil {
			continue
		}
		var mine bool
		threads := 0
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ":")
			fields := strings.Fields(v)
			switch {
			case k == "Uid" && len(fields) > 0:
				mine = fields[0] == want
			case k == "Threads" && len(fields) > 0:
				threads, _ = strconv.Atoi(fields[0])
			}
		}
		file.Close()
		if mine {
			n += threads
		}
	}
	return n
}

// cgroupPids reads heatd's cgroup (v2) pids.max and pids.current.
func cgroupPids() (max, cur int, ok bool) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		path, found := strings.CutPrefix(line, "0::")
		if !found {
			continue
		}
		dir := filepath.Join("/sys/fs/cgroup", path)
		m, err1 := os.ReadFile(filepath.Join(dir, "pids.max"))
		c, err2 := os.ReadFile(filepath.Join(dir, "pids.current"))
		if err1 != nil || err2 != nil {
			return 0, 0, false
		}
		max, err1 = strconv.Atoi(strings.TrimSpace(string(m))) // "max" fails: no limit
		cur, err2 = strconv.Atoi(strings.TrimSpace(string(c)))
		return max, cur, err1 == nil && err2 == nil
	}
	return 0, 0, false
}
