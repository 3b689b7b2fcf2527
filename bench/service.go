package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// service is the program a supervisor keeps alive in the recovery
// measurement: a sleep whose pid is in a pidfile. heatbench starts it
// itself, as its own child, so that a killed one is reaped at once (this
// machine's init may never reap an orphan, and a zombie passes kill -0).
// The supervisor's recovery program (bench/revive) asks heatbench on a
// socket to start it again, with the moment it began to run.
type service struct {
	b       *bench
	dir     string // revive, revive.sock and target.pid are here
	pidfile string
	revive  string // this service's copy of revive
	ln      net.Listener
	stamps  chan time.Duration // CLOCK_MONOTONIC when a revive began

	mu  sync.Mutex
	cmd *exec.Cmd // the running service
}

// newService makes dir/name with a copy of revive that talks to a socket
// there, and starts the service.
func (b *bench) newService(dir, name string) (*service, error) {
	s := &service{b: b, dir: filepath.Join(dir, name), stamps: make(chan time.Duration, 16)}
	s.pidfile = filepath.Join(s.dir, "target.pid")
	s.revive = filepath.Join(s.dir, "revive")
	if err := os.Mkdir(s.dir, 0o755); err != nil {
		return nil, err
	}
	bin, err := os.ReadFile(b.revive)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(s.revive, bin, 0o755); err != nil {
		return nil, err
	}
	if s.ln, err = net.Listen("unix", filepath.Join(s.dir, "revive.sock")); err != nil {
		return nil, err
	}
	if err := s.start(); err != nil {
		s.ln.Close()
		return nil, err
	}
	go s.serve()
	return s, nil
}

// start starts the service and writes its pidfile (by a rename, so that no
// reader sees half of it).
func (s *service) start() error {
	cmd := exec.Command("sleep", "1000000")
	cmd.Dir = s.dir
	if err := s.b.procs.start(cmd); err != nil {
		return err
	}
	go s.b.procs.wait(cmd) // reaped the moment it dies
	tmp := s.pidfile + ".new"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.pidfile); err != nil {
		return err
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	return nil
}

// serve answers revive: each connection brings a CLOCK_MONOTONIC reading;
// the service is started again, and revive told "ok" once its pidfile is
// written.
func (s *service) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		ns, perr := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
		switch {
		case err != nil || perr != nil:
			fmt.Fprintf(c, "error: %q\n", line)
		default:
			if err := s.start(); err != nil {
				fmt.Fprintf(c, "error: %v\n", err)
				break
			}
			fmt.Fprintln(c, "ok")
			select {
			case s.stamps <- time.Duration(ns):
			default: // nobody is waiting: an unasked restart, dropped
			}
		}
		c.Close()
	}
}

// kill kills the service with SIGKILL and returns CLOCK_MONOTONIC just
// before, having dropped any restart that came unasked.
func (s *service) kill() (time.Duration, error) {
	for len(s.stamps) > 0 {
		<-s.stamps
	}
	s.mu.Lock()
	pid := s.cmd.Process.Pid
	s.mu.Unlock()
	at := monotonic()
	return at, syscall.Kill(pid, syscall.SIGKILL)
}

// revived waits for the restart that follows a kill at killed and returns
// the time from the kill to the start of revive.
func (s *service) revived(killed, timeout time.Duration) (time.Duration, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case at := <-s.stamps:
		return at - killed, nil
	case <-t.C:
		return 0, fmt.Errorf("not restarted within %s of its SIGKILL", timeout)
	case <-s.b.ctx.Done():
		return 0, s.b.ctx.Err()
	}
}

// close stops answering; the running service is ended with the others.
func (s *service) close() {
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.cmd.Process.Kill()
	}
}
