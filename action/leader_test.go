package action

import (
	"os/exec"
	"testing"
	"time"
)

// Both ways of watching must see the exit and leave the leader unreaped:
// only then may its group still be signalled.
func TestLeaderWatchLeavesZombie(t *testing.T) {
	t.Parallel()
	for name, watch := range map[string]func(w *leaderWatch, pid int){
		"pidfd":  func(w *leaderWatch, pid int) { w.watchPidfd(pid) },
		"waitid": func(w *leaderWatch, pid int) { go w.watchWaitid(pid) },
	} {
		cmd := exec.Command("/bin/sh", "-c", "sleep 0.1; exit 3")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w := &leaderWatch{done: make(chan struct{})}
		watch(w, cmd.Process.Pid)
		select {
		case <-w.done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the exit was not seen", name)
		}
		if s := procState(cmd.Process.Pid); s != 'Z' {
			t.Errorf("%s: leader in state %q after its exit was seen; want an unreaped zombie", name, s)
		}
		if err := cmd.Wait(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 3 {
			t.Errorf("%s: reaping after the watch: %v", name, err)
		}
		if w.end.IsZero() {
			t.Errorf("%s: no end time", name)
		}
	}
}
