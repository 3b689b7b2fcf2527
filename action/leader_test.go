package action

import (
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Both ways of watching must see the exit and leave the leader unreaped:
// only then may its group still be signalled.
func TestChildWatchLeavesZombie(t *testing.T) {
	t.Parallel()
	for name, pidfd := range map[string]func(pid int) int{
		"pidfd": func(pid int) int {
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				t.Fatal(err)
			}
			return fd
		},
		"waitid": func(int) int { return -1 },
	} {
		cmd := exec.Command("/bin/sh", "-c", "sleep 0.1; exit 3")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c, err := newChild(-1)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.watch(cmd.Process.Pid, pidfd(cmd.Process.Pid)); err != nil {
			t.Fatal(err)
		}
		if !c.waitExited(time.Now().Add(5 * time.Second)) {
			t.Fatalf("%s: the exit was not seen", name)
		}
		c.close()
		if s := procState(cmd.Process.Pid); s != 'Z' {
			t.Errorf("%s: leader in state %q after its exit was seen; want an unreaped zombie", name, s)
		}
		if err := cmd.Wait(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 3 {
			t.Errorf("%s: reaping after the watch: %v", name, err)
		}
		if c.end.IsZero() {
			t.Errorf("%s: no end time", name)
		}
	}
}
