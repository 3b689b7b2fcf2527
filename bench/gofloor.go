package main

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// goFloorRun is gofloor running: the least a Go supervisor with a
// goroutine per check costs (bench/gofloor).
type goFloorRun struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	done chan struct{}
}

// startGoFloor runs gofloor with heatd's CPU workload: the same checks,
// interval and spread.
func (b *bench) startGoFloor(argv []string) (*goFloorRun, error) {
	args := append([]string{strconv.Itoa(b.plan.cpuChecks), b.plan.cpuInterval.String()}, argv...)
	g := &goFloorRun{cmd: exec.Command(b.gofloor, args...), done: make(chan struct{})}
	g.cmd.Dir = b.dir
	g.cmd.Env = benchEnv()
	var err error
	if g.in, err = g.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := g.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	g.out = bufio.NewScanner(out)
	if err := b.procs.start(g.cmd); err != nil {
		return nil, err
	}
	return g, nil
}

// runs asks gofloor for its count of runs.
func (g *goFloorRun) runs() (int64, error) {
	if _, err := io.WriteString(g.in, "\n"); err != nil {
		return 0, fmt.Errorf("gofloor: %v", err)
	}
	if !g.out.Scan() {
		return 0, fmt.Errorf("gofloor ended: %v", g.out.Err())
	}
	return strconv.ParseInt(strings.TrimSpace(g.out.Text()), 10, 64)
}

func (g *goFloorRun) subject() subject {
	return subject{
		pause:  func() { signalGroup(g.cmd, syscall.SIGSTOP) },
		resume: func() { signalGroup(g.cmd, syscall.SIGCONT) },
		cpu:    func() (time.Duration, error) { return cpuOf(g.cmd.Process.Pid) },
		own:    func() (time.Duration, error) { return ownCPUOf(g.cmd.Process.Pid) },
		runs:   g.runs,
	}
}

func (b *bench) stopGoFloor(g *goFloorRun) {
	g.in.Close()
	b.procs.end(g.cmd, syscall.SIGKILL, 5*time.Second, nil)
}

// measureGoFloor measures gofloor running /bin/true as heatd's workload
// does, against the C floor.
func (b *bench) measureGoFloor() (windowed, error) {
	b.progress("Go floor: os.StartProcess from %d goroutines", b.plan.cpuChecks)
	argv := []string{"/bin/true"}
	g, err := b.startGoFloor(argv)
	if err != nil {
		return windowed{}, err
	}
	defer b.stopGoFloor(g)
	if !b.sleep(b.plan.warmup) {
		return windowed{}, b.ctx.Err()
	}
	return b.measureWindows(g.subject(), b.plan.windows, b.plan.window, argv)
}
