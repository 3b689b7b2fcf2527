package main

import (
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// procs are the processes heatbench started and has not yet seen end. Each
// leads a process group of its own, so ending it ends what it started that
// stayed in its group (HEAT's checks, monit's programs).
type procs struct {
	mu   sync.Mutex
	live map[int]*exec.Cmd // by pid, which is also the group
}

func newProcs() *procs { return &procs{live: map[int]*exec.Cmd{}} }

// start starts cmd in a group of its own, killed with SIGKILL should
// heatbench die without its cleanup (Pdeathsig), and remembers it.
func (p *procs) start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return err
	}
	p.mu.Lock()
	p.live[cmd.Process.Pid] = cmd
	p.mu.Unlock()
	return nil
}

// wait waits for cmd, started by start, and forgets it.
func (p *procs) wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	p.mu.Lock()
	delete(p.live, cmd.Process.Pid)
	p.mu.Unlock()
	return err
}

// end stops cmd: sig to its group, then SIGKILL after grace if it has not
// ended, and waits for it. done, when not nil, is closed by whoever waits
// for cmd already; end then only waits for that.
func (p *procs) end(cmd *exec.Cmd, sig syscall.Signal, grace time.Duration, done <-chan struct{}) {
	pid := cmd.Process.Pid
	syscall.Kill(-pid, sig)
	if done == nil {
		ch := make(chan struct{})
		go func() { p.wait(cmd); close(ch) }()
		done = ch
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
	// Nothing is signalled once the leader is reaped: its pid, and so the
	// group's, may be another's by then. What it left is a /bin/true about
	// to end.
}

// killAll kills every group still running: the cleanup on every way out.
func (p *procs) killAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pid := range p.live {
		syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// signalGroup sends sig to the group cmd leads (SIGSTOP and SIGCONT around
// the floor's runs).
func signalGroup(cmd *exec.Cmd, sig syscall.Signal) {
	syscall.Kill(-cmd.Process.Pid, sig)
}
