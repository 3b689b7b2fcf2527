package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bin holds heatd, heat and the examples' programs, built once.
var bin string

func TestMain(m *testing.M) {
	if pidfile := os.Getenv(growerEnv); pidfile != "" {
		grow(pidfile)
		return
	}
	dir, err := os.MkdirTemp("", "heatd-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	build := exec.Command("go", "build", "-o", dir+"/",
		"./cmd/heatd", "./cmd/heat", "./cmd/heatctl", "./examples/heartbeat", "./examples/receiver")
	build.Dir = "../.."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the binaries:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a started binary whose output is gathered line by line.
type proc struct {
	t   *testing.T
	cmd *exec.Cmd

	mu     sync.Mutex
	stdout []string
	stderr []string
	done   chan struct{}
}

// start runs a binary of bin in dir.
func start(t *testing.T, dir, name string, args ...string) *proc {
	t.Helper()
	return startEnv(t, dir, []string{"NOTIFY_SOCKET="}, name, args...) // no systemd here
}

// startEnv runs a binary of bin in dir with env added to the environment.
func startEnv(t *testing.T, dir string, env []string, name string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return launch(t, cmd)
}

// launch starts cmd with its output gathered line by line; whatever still
// runs at the end of the test is killed (its whole group, when it has one
// of its own).
func launch(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Add(2)
	go p.read(&wg, stdout, &p.stdout)
	go p.read(&wg, stderr, &p.stderr)
	go func() { wg.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if cmd.ProcessState != nil {
			return
		}
		if cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		} else {
			cmd.Process.Kill()
		}
		cmd.Wait()
	})
	return p
}

func (p *proc) read(wg *sync.WaitGroup, r io.Reader, into *[]string) {
	defer wg.Done()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		p.mu.Lock()
		*into = append(*into, sc.Text())
		p.mu.Unlock()
	}
}

func (p *proc) lines(stderr bool) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if stderr {
		return append([]string(nil), p.stderr...)
	}
	return append([]string(nil), p.stdout...)
}

// waitFor polls until ok holds for the output, or fails the test.
func (p *proc) waitFor(what string, timeout time.Duration, stderr bool, ok func([]string) bool) []string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		l := p.lines(stderr)
		if ok(l) {
			return l
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s: stdout:\n%s\nstderr:\n%s", what,
				strings.Join(p.lines(false), "\n"), strings.Join(p.lines(true), "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends sig and waits for the exit status.
func (p *proc) stop(sig syscall.Signal) int {
	p.t.Helper()
	p.cmd.Process.Signal(sig)
	<-p.done
	p.cmd.Wait()
	return p.cmd.ProcessState.ExitCode()
}

// run runs a binary to its end.
func run(t *testing.T, dir, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// event is one JSON line of heatd's stderr.
type event map[string]any

func events(lines []string) []event {
	var evs []event
	for _, l := range lines {
		var e event
		if json.Unmarshal([]byte(l), &e) == nil {
			evs = append(evs, e)
		}
	}
	return evs
}

func count(lines []string, msg, check string) int {
	return countEvents(events(lines), msg, check)
}

// countEvents counts the events msg of check (any check when "").
func countEvents(evs []event, msg, check string) int {
	n := 0
	for _, e := range evs {
		if e["msg"] == msg && (check == "" || e["check"] == check) {
			n++
		}
	}
	return n
}

// script writes an executable shell script.
func script(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// freePort is a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// receiver starts the examples' signal receiver and returns it with its pid.
func receiver(t *testing.T, dir string) (*proc, int) {
	t.Helper()
	r := start(t, dir, "receiver")
	l := r.waitFor("the receiver", 5*time.Second, false, func(l []string) bool { return len(l) > 0 })
	var pid int
	if _, err := fmt.Sscanf(l[0], "running on %d", &pid); err != nil {
		t.Fatalf("receiver said %q", l[0])
	}
	return r, pid
}

// killPidfile ends the process a pidfile names, if any.
func killPidfile(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var pid int
	if _, err := fmt.Sscan(string(b), &pid); err == nil && pid > 1 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// groupAlive reports whether a process of group pgid is alive (a zombie
// is not: where init does not reap orphans, one may linger).
func groupAlive(pgid int) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ')'.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == fmt.Sprint(pgid) {
			return true
		}
	}
	return false
}
