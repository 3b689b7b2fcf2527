package action

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// receiver is a real process that writes the name of each USR1 or USR2 it
// receives to a file.
type receiver struct {
	cmd  *exec.Cmd
	got  string // the file of received signals
	pid  int
	dead bool
}

func startReceiver(t *testing.T) *receiver {
	t.Helper()
	dir := t.TempDir()
	r := &receiver{got: filepath.Join(dir, "got")}
	ready := filepath.Join(dir, "ready")
	r.cmd = exec.Command("/bin/sh", "-c", `
trap 'echo USR1 >> "$1"' USR1
trap 'echo USR2 >> "$1"' USR2
echo ready > "$2"
while :; do sleep 0.02; done`, "sh", r.got, ready)
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.pid = r.cmd.Process.Pid
	t.Cleanup(func() { r.stop() })
	eventually(t, 2*time.Second, "the receiver never got ready", func() bool {
		_, err := os.Stat(ready)
		return err == nil
	})
	return r
}

// stop kills the receiver's group and reaps it.
func (r *receiver) stop() {
	if r.dead {
		return
	}
	r.dead = true
	syscall.Kill(-r.pid, syscall.SIGKILL)
	r.cmd.Wait()
}

func (r *receiver) received() string {
	data, _ := os.ReadFile(r.got)
	return string(data)
}

// expectSignals waits until the receiver has logged want.
func (r *receiver) expectSignals(t *testing.T, want string) {
	t.Helper()
	eventually(t, 2*time.Second, "the receiver did not log "+strings.Fields(want)[0], func() bool {
		return r.received() == want
	})
}

func TestSendByPID(t *testing.T) {
	t.Parallel()
	r := startReceiver(t)
	aim, err := OpenTarget(Target{PID: r.pid})
	if err != nil {
		t.Fatal(err)
	}
	defer aim.Close()
	pid, err := aim.Send(syscall.SIGUSR1)
	if err != nil || pid != r.pid {
		t.Fatalf("Send = %d, %v; want %d, nil", pid, err, r.pid)
	}
	r.expectSignals(t, "USR1\n")
	if _, err := aim.Send(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	r.expectSignals(t, "USR1\nUSR2\n")
}

func TestSendByPidfile(t *testing.T) {
	t.Parallel()
	first, second := startReceiver(t), startReceiver(t)
	pidfile := filepath.Join(t.TempDir(), "web.pid")
	aim, err := OpenTarget(Target{Pidfile: pidfile})
	if err != nil {
		t.Fatalf("a pidfile is read at send, not at open: %v", err)
	}
	defer aim.Close()
	for _, r := range []*receiver{first, second} {
		// Read at each send: a restarted service writes its new pid.
		if err := os.WriteFile(pidfile, []byte(" "+strconv.Itoa(r.pid)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if pid, err := aim.Send(syscall.SIGUSR2); err != nil || pid != r.pid {
			t.Fatalf("Send = %d, %v; want %d, nil", pid, err, r.pid)
		}
		r.expectSignals(t, "USR2\n")
	}
}

// Refusals are tested with signal 0, which checks without delivering: were a
// guard missing, the send would succeed (and fail the test) without harming
// init or the test itself.
func TestSendRefusesPIDs(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	for _, pid := range []int{-1, -1234, 1, os.Getpid(), 0} {
		if pid != 0 {
			aim, err := OpenTarget(Target{PID: pid})
			if aim == nil || err == nil || !strings.Contains(err.Error(), "refused") {
				t.Errorf("OpenTarget(PID %d) = %v, %v; want an Aim and a refusal", pid, aim, err)
			}
			if _, err := aim.Send(0); err == nil || !strings.Contains(err.Error(), "refused") {
				t.Errorf("Send to PID %d: %v; want a refusal", pid, err)
			}
			aim.Close()
		}
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(pid)), 0o644); err != nil {
			t.Fatal(err)
		}
		aim, _ := OpenTarget(Target{Pidfile: pidfile})
		if _, err := aim.Send(0); err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), pidfile) {
			t.Errorf("Send to pidfile holding %d: %v; want a refusal naming the pidfile", pid, err)
		}
		aim.Close()
	}
}

func TestSendPidfileProblems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, reason string }{
		{filepath.Join(dir, "missing"), "does not exist"},
		{write("empty", " \n"), "is empty"},
		{write("garbage", "web\n"), "does not hold a pid"},
		{write("two", "12 13\n"), "does not hold a pid"},
		{write("huge", strings.Repeat("1", 100)), "does not hold a pid"},
		{dir, "not a regular file"},
		{fifo, "not a regular file"},
	} {
		aim, _ := OpenTarget(Target{Pidfile: c.path})
		if _, err := aim.Send(0); err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("pidfile %s: %v; want %q", filepath.Base(c.path), err, c.reason)
		}
	}
}

// deadPID is the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestSendPidfileDeadProcess(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	if err := os.WriteFile(pidfile, []byte(strconv.Itoa(deadPID(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	aim, _ := OpenTarget(Target{Pidfile: pidfile})
	if _, err := aim.Send(0); err == nil || !strings.Contains(err.Error(), "has exited") {
		t.Errorf("Send to a dead pidfile process: %v", err)
	}
}

func TestOpenTargetNotRunning(t *testing.T) {
	t.Parallel()
	pid := deadPID(t)
	aim, err := OpenTarget(Target{PID: pid})
	if aim == nil || err == nil {
		t.Fatalf("OpenTarget(dead %d) = %v, %v; want a usable Aim and an error", pid, aim, err)
	}
	defer aim.Close()
	if _, err := aim.Send(0); err == nil || !strings.Contains(err.Error(), "pidfile") {
		t.Errorf("Send to a pid dead at open: %v; want an error suggesting a pidfile", err)
	}
}

func TestSendHeldProcessExited(t *testing.T) {
	t.Parallel()
	r := startReceiver(t)
	aim, err := OpenTarget(Target{PID: r.pid})
	if err != nil {
		t.Fatal(err)
	}
	defer aim.Close()
	syscall.Kill(r.pid, syscall.SIGKILL)
	// Dead but not yet reaped: kill(2) would still succeed on the zombie.
	eventually(t, 2*time.Second, "the receiver did not die", func() bool { return procState(r.pid) == 'Z' })
	if _, err := aim.Send(syscall.SIGUSR1); err == nil || !strings.Contains(err.Error(), "has exited") {
		t.Errorf("Send to a zombie: %v", err)
	}
	if zombie, err := OpenTarget(Target{PID: r.pid}); err == nil {
		t.Error("OpenTarget took a zombie for a live process")
	} else {
		zombie.Close()
	}
	r.stop()
	if _, err := aim.Send(syscall.SIGUSR1); err == nil || !strings.Contains(err.Error(), "has exited") {
		t.Errorf("Send to a reaped process: %v", err)
	}
}

// TestSendHeldPIDRecycled gives a new process the pid of a dead target (as
// root, through ns_last_pid) and checks the old Aim does not reach it.
func TestSendHeldPIDRecycled(t *testing.T) {
	// Not parallel: other tests' processes would take the pid.
	const lastPID = "/proc/sys/kernel/ns_last_pid"
	if f, err := os.OpenFile(lastPID, os.O_WRONLY, 0); err != nil {
		t.Skipf("cannot choose pids: %v", err)
	} else {
		f.Close()
	}
	// A lone process: one with children would leave its pid in use as the
	// process group of their zombies where init does not reap orphans.
	old := exec.Command("/bin/sleep", "30")
	if err := old.Start(); err != nil {
		t.Fatal(err)
	}
	pid := old.Process.Pid
	aim, err := OpenTarget(Target{PID: pid})
	if err != nil {
		t.Fatal(err)
	}
	defer aim.Close()
	old.Process.Kill()
	old.Wait()
	var reused *receiver
	for range 5 {
		if err := os.WriteFile(lastPID, []byte(strconv.Itoa(pid-1)), 0); err != nil {
			t.Skipf("cannot choose pids: %v", err)
		}
		r := startReceiver(t)
		if r.pid == pid {
			reused = r
			break
		}
		t.Logf("wanted pid %d, got %d", pid, r.pid)
	}
	if reused == nil {
		t.Skip("the pid was not reused")
	}
	if _, err := aim.Send(syscall.SIGUSR1); err == nil {
		t.Error("Send reported success to a recycled pid")
	}
	time.Sleep(100 * time.Millisecond)
	if got := reused.received(); got != "" {
		t.Errorf("the new process with the old pid received %q", got)
	}
}

func TestAimWithoutTargetOrClosed(t *testing.T) {
	t.Parallel()
	var none *Aim
	if _, err := none.Send(syscall.SIGHUP); err == nil {
		t.Error("a nil Aim sent a signal")
	}
	aim, err := OpenTarget(Target{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := aim.Send(syscall.SIGHUP); err == nil {
		t.Error("the zero Target sent a signal")
	}
	r := startReceiver(t)
	aim, _ = OpenTarget(Target{PID: r.pid})
	if err := aim.Close(); err != nil {
		t.Fatal(err)
	}
	if err := aim.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := aim.Send(syscall.SIGUSR1); err == nil {
		t.Error("a closed Aim sent a signal")
	}
}
