package main

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// heatSection measures HEAT's loop (heat.py): what one check costs to
// start and to keep in memory, one process per check as HEAT has it, and
// its CPU per run.
func (b *bench) heatSection() error {
	if b.python == "" {
		return nil // b.missing says why
	}
	if err := b.heatStart(); err != nil {
		return err
	}
	if err := b.heatRuns(); err != nil {
		return err
	}
	b.rep.note("HEAT: bench/heat.py, HEAT's loop as its report gives it (Popen with shell=True and both outputs on pipes, wait, a line per run, sleep(interval) after each), `python3 -u heat.py -i SECONDS /bin/true`, one process per check. Start: %d processes at -i 3600, each one's CPU (its own and its children's) and RSS once it has printed its first line; the mean CPU and the median RSS. Runs: %d processes at -i 1 (HEAT's -i takes whole seconds), runs counted from their lines, all of them stopped while the floor (sh -c from C, HEAT's own way of running a command) runs; %d windows of %s.",
		b.plan.heatStarts, b.plan.heatProcs, b.plan.heatWindows, b.plan.heatWindow)
	return nil
}

// heatProc is one heat.py running.
type heatProc struct {
	cmd   *exec.Cmd
	lines atomic.Int64  // "UNIX: OK" lines so far
	first chan struct{} // closed at the first line
	done  chan struct{} // closed once it has ended
}

// startHeat starts heat.py checking /bin/true every interval seconds.
func (b *bench) startHeat(dir string, interval int) (*heatProc, error) {
	p := &heatProc{first: make(chan struct{}), done: make(chan struct{})}
	p.cmd = exec.Command(b.python, "-u", filepath.Join(b.dir, "heat.py"), "-i", strconv.Itoa(interval), "/bin/true")
	p.cmd.Dir = dir
	p.cmd.Env = benchEnv()
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := b.procs.start(p.cmd); err != nil {
		return nil, err
	}
	go func() {
		p.count(out)
		b.procs.wait(p.cmd)
		close(p.done)
	}()
	return p, nil
}

func (p *heatProc) count(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if strings.HasSuffix(sc.Text(), ": OK") && p.lines.Add(1) == 1 {
			close(p.first)
		}
	}
}

func (b *bench) stopHeat(ps []*heatProc) {
	for _, p := range ps {
		b.procs.end(p.cmd, syscall.SIGTERM, 5*time.Second, p.done)
	}
}

// heatStart measures what it takes to start one HEAT check.
func (b *bench) heatStart() error {
	b.progress("starting %d heat.py", b.plan.heatStarts)
	dir, err := b.scratch("heat-start")
	if err != nil {
		return err
	}
	var ps []*heatProc
	defer func() { b.stopHeat(ps) }()
	for range b.plan.heatStarts {
		p, err := b.startHeat(dir, 3600)
		if err != nil {
			return err
		}
		ps = append(ps, p)
	}
	var cpus, rsss []float64
	for _, p := range ps {
		select {
		case <-p.first:
		case <-p.done:
			return fmt.Errorf("heat.py ended before its first run")
		case <-time.After(time.Minute):
			return fmt.Errorf("no first run from heat.py in a minute")
		}
		cpu, err := cpuOf(p.cmd.Process.Pid)
		if err != nil {
			return err
		}
		rss, err := rssOf(p.cmd.Process.Pid)
		if err != nil {
			return err
		}
		cpus, rsss = append(cpus, float64(cpu)), append(rsss, float64(rss))
	}
	rss := int64(median(rsss))
	// The mean, not the median: the CPU of each process's reaped children
	// is a whole number of /proc's 10 ms ticks, and only their sum is
	// finer than that.
	var sum float64
	for _, c := range cpus {
		sum += c
	}
	b.rep.add(row{section: "HEAT (heat.py)", what: "HEAT: one check's start (python3 and its first run)",
		value: ms(time.Duration(sum/float64(len(cpus)))) + " CPU", versus: fmt.Sprintf("mean of %d", len(cpus))})
	b.rep.add(row{section: "HEAT (heat.py)", what: "HEAT: RSS per check (a process each)", value: mib(rss),
		versus: fmt.Sprintf("10,000 checks: %.1f GiB in 10,000 processes", float64(rss)*10000/(1<<30))})
	return nil
}

// heatRuns measures HEAT's CPU per run.
func (b *bench) heatRuns() error {
	b.progress("%d heat.py at -i 1", b.plan.heatProcs)
	dir, err := b.scratch("heat-runs")
	if err != nil {
		return err
	}
	var ps []*heatProc
	defer func() { b.stopHeat(ps) }()
	for range b.plan.heatProcs {
		p, err := b.startHeat(dir, 1)
		if err != nil {
			return err
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		select {
		case <-p.first:
		case <-time.After(time.Minute):
			return fmt.Errorf("no first run from heat.py in a minute")
		}
	}
	each := func(sig syscall.Signal) {
		for _, p := range ps {
			signalGroup(p.cmd, sig)
		}
	}
	s := subject{
		pause:  func() { each(syscall.SIGSTOP) },
		resume: func() { each(syscall.SIGCONT) },
		cpu: func() (time.Duration, error) {
			var sum time.Duration
			for _, p := range ps {
				c, err := cpuOf(p.cmd.Process.Pid)
				if err != nil {
					return 0, err
				}
				sum += c
			}
			return sum, nil
		},
		runs: func() (int64, error) {
			var sum int64
			for _, p := range ps {
				sum += p.lines.Load()
			}
			return sum, nil
		},
	}
	w, err := b.measureWindows(s, b.plan.heatWindows, b.plan.heatWindow, []string{"/bin/sh", "-c", "/bin/true"})
	if err != nil {
		return err
	}
	x := row{section: "HEAT (heat.py)", what: "HEAT: CPU per run of `/bin/true` (through sh -c)",
		value: us(time.Duration(median(w.perRun))) + " per run"}
	if len(w.floor) > 0 {
		x.versus = fmt.Sprintf("%s floor (sh -c from C): %s", times(w.ratio()), us(time.Duration(median(w.floor))))
	}
	b.rep.add(x)
	return nil
}
