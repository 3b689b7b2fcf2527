package action

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// longSleep is a real process that lives until killed.
func longSleep(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("/bin/sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// deathWithin kills cmd with SIGKILL and returns how long the watch took
// to report it.
func deathWithin(t *testing.T, cmd *exec.Cmd, died <-chan int) time.Duration {
	t.Helper()
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case pid := <-died:
		if pid != cmd.Process.Pid {
			t.Errorf("died reported pid %d, want %d", pid, cmd.Process.Pid)
		}
		return time.Since(start)
	case <-time.After(5 * time.Second):
		t.Fatal("the watch never reported the death")
	}
	return 0
}

func TestWatchSeesAPIDTargetDie(t *testing.T) {
	cmd := longSleep(t)
	aim, err := OpenTarget(Target{PID: cmd.Process.Pid})
	if err != nil {
		t.Fatal(err)
	}
	defer aim.Close()
	died := make(chan int, 1)
	w, err := aim.Watch(nil, func(pid int) { died <- pid })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if again, err := aim.Watch(w, func(int) { t.Error("a second watch of the same process") }); err != nil || again != w {
		t.Errorf("watching the same process again: %v, %v", again == w, err)
	}
	took := deathWithin(t, cmd, died)
	t.Logf("SIGKILL seen after %v", took)
	if took > time.Second {
		t.Errorf("the death was seen after %v", took)
	}
	// The pid target is gone for good: nothing more to watch.
	if w2, err := aim.Watch(w, func(int) {}); err == nil || w2 != nil {
		t.Errorf("watching a dead pid target: %v, %v", w2, err)
	}
}

// A pidfile is read again at each Watch: the watch follows the service to
// its new process.
func TestWatchFollowsThePidfile(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "svc.pid")
	write := func(pid int) {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	first := longSleep(t)
	write(first.Process.Pid)
	aim, _ := OpenTarget(Target{Pidfile: pidfile})
	defer aim.Close()
	died := make(chan int, 1)
	report := func(pid int) { died <- pid }
	w, err := aim.Watch(nil, report)
	if err != nil {
		t.Fatal(err)
	}
	deathWithin(t, first, died)

	second := longSleep(t)
	write(second.Process.Pid)
	w, err = aim.Watch(w, report)
	if err != nil || w.PID() != second.Process.Pid {
		t.Fatalf("after the restart: %v, %v", w, err)
	}
	defer w.Close()
	deathWithin(t, second, died)
}

// A closed watch reports nothing, and its goroutine ends (goleak).
func TestWatchClosed(t *testing.T) {
	cmd := longSleep(t)
	aim, _ := OpenTarget(Target{PID: cmd.Process.Pid})
	defer aim.Close()
	w, err := aim.Watch(nil, func(int) { t.Error("a closed watch reported a death") })
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	w.Close()
	cmd.Process.Kill()
	cmd.Wait()
	time.Sleep(50 * time.Millisecond)
}

func TestWatchNothingToWatch(t *testing.T) {
	dir := t.TempDir()
	aim, _ := OpenTarget(Target{Pidfile: filepath.Join(dir, "missing.pid")})
	defer aim.Close()
	if w, err := aim.Watch(nil, func(int) {}); w != nil || err == nil {
		t.Errorf("a missing pidfile: %v, %v", w, err)
	}
}
