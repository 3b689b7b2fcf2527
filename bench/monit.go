package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// monitCycle is monit's shortest cycle: `set daemon` takes whole seconds.
const monitCycle = 1

// monitSection runs monit on the /bin/true workload: `check program`
// entries at its shortest cycle.
func (b *bench) monitSection() error {
	if b.monit == "" {
		return nil // b.missing says why
	}
	if os.Geteuid() != 0 {
		b.rep.skip("monit: its runs are counted in a pid namespace of its own, which needs root")
		return nil
	}
	for _, n := range b.plan.monitSizes {
		if err := b.monitRun(n); err != nil {
			return fmt.Errorf("%d programs: %w", n, err)
		}
	}
	b.rep.note("monit: Debian's monit, `monit -I -c FILE -d %d` with a private control file, pidfile, statefile and idfile, one `check program NAME with path \"/bin/true\"` (and `if status != 0 then alert`, which monit requires) per check; monit runs each program once a cycle and collects its exit status the next. Runs are counted as the pids allocated in a pid namespace monit runs in alone (`unshare --pid --fork`; each program run is one process, and each count read by `nsenter … cat` one more, subtracted); CPU is monit's and its reaped children's. monit is stopped while the floor runs, as heatd is; %d windows of %s.",
		monitCycle, b.plan.monitWindows, b.plan.monitWindow)
	return nil
}

// monitRun measures monit with n programs.
func (b *bench) monitRun(n int) error {
	b.progress("monit with %d programs", n)
	dir, err := b.scratch("monit")
	if err != nil {
		return err
	}
	var rc strings.Builder
	fmt.Fprintf(&rc, "set daemon %d\nset log %s/monit.log\nset idfile %s/monit.id\n", monitCycle, dir, dir)
	for i := range n {
		fmt.Fprintf(&rc, "check program p%05d with path \"/bin/true\"\n  if status != 0 then alert\n", i)
	}
	control := dir + "/monitrc"
	// monit refuses a control file that others may read.
	if err := os.WriteFile(control, []byte(rc.String()), 0o600); err != nil {
		return err
	}
	cmd := exec.Command("unshare", "--pid", "--fork", "--kill-child", b.monit, "-I", "-c", control,
		"-d", strconv.Itoa(monitCycle), "-p", dir+"/monit.pid", "-s", dir+"/monit.state")
	cmd.Dir = dir
	cmd.Env = benchEnv()
	logFile, err := os.Create(dir + "/monit.out")
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	said := func() string { return firstLine(readFile(dir + "/monit.out")) }
	if err := b.procs.start(cmd); err != nil {
		return err
	}
	defer b.procs.end(cmd, syscall.SIGTERM, 10*time.Second, nil)

	pid, err := findChild(cmd.Process.Pid, "monit")
	if err != nil {
		return fmt.Errorf("%v: %s", err, said())
	}
	counter := &pidCounter{pid: pid}
	// The first cycle starts every program; their statuses come in the
	// second.
	if !b.sleep(2*monitCycle*time.Second + 500*time.Millisecond) {
		return b.ctx.Err()
	}
	s := subject{
		pause:  func() { syscall.Kill(pid, syscall.SIGSTOP) },
		resume: func() { syscall.Kill(pid, syscall.SIGCONT) },
		cpu:    func() (time.Duration, error) { return cpuOf(pid) },
		runs:   counter.runs,
	}
	w, err := b.measureWindows(s, b.plan.monitWindows, b.plan.monitWindow, []string{"/bin/true"})
	if err != nil {
		return fmt.Errorf("%v (monit said: %s)", err, said())
	}
	x := row{section: "monit", what: fmt.Sprintf("monit: %s × check program \"/bin/true\", cycle %d s", count(n), monitCycle),
		value: us(time.Duration(median(w.perRun))) + " per run"}
	if len(w.floor) > 0 {
		x.versus = fmt.Sprintf("%s floor (posix_spawn from C): %s", times(w.ratio()), us(time.Duration(median(w.floor))))
	}
	b.rep.add(x)
	rate := median(w.rate)
	b.rep.add(row{section: "monit", what: fmt.Sprintf("monit: %s programs, runs delivered", count(n)),
		value: fmt.Sprintf("%.0f runs/s", rate), versus: fmt.Sprintf("%.0f%% of %d due a second", rate/float64(n)*100/monitCycle, n/monitCycle)})
	return nil
}

// findChild waits for pid's child named comm (monit, once unshare has
// forked and the child has executed it).
func findChild(pid int, comm string) (int, error) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range childrenOf(pid) {
			if commOf(c) == comm {
				return c, nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, fmt.Errorf("no %s under pid %d", comm, pid)
}

// pidCounter counts the processes started in the pid namespace of pid,
// whose init it is: the namespace's last pid, less the pids its own reads
// took.
type pidCounter struct {
	pid   int
	reads int64 // reads so far, each of which took a pid
	last  int64 // the last pid at the last read
}

func (c *pidCounter) runs() (int64, error) {
	out, err := exec.Command("nsenter", "--target", strconv.Itoa(c.pid), "--pid",
		"cat", "/proc/sys/kernel/ns_last_pid").Output()
	if err != nil {
		return 0, fmt.Errorf("reading monit's pid namespace: %v", err)
	}
	last, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return 0, err
	}
	if last < c.last {
		return 0, fmt.Errorf("monit's pid namespace ran out of pids and wrapped")
	}
	c.last = last
	c.reads++ // this read's cat is the namespace's last pid
	return last - c.reads, nil
}
