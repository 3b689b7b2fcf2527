package action

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// nobody is the user other than root the tests below run processes as.
const nobody = 65534

// sleeper is a process that SIGUSR1 ends, run as uid.
func sleeper(t *testing.T, uid uint32) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("/bin/sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// ended reports whether cmd was ended by SIGUSR1 (after a moment: the
// signal was sent), or is still running.
func ended(t *testing.T, cmd *exec.Cmd) bool {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok || !st.Signaled() || st.Signal() != syscall.SIGUSR1 {
			t.Errorf("process %d ended otherwise than by SIGUSR1: %v", cmd.Process.Pid, err)
		}
		return true
	case <-time.After(200 * time.Millisecond):
		cmd.Process.Kill()
		<-done
		return false
	}
}

// TestSendStrict aims at real processes of root and of nobody through
// pidfiles of either, strictly or not (a pidfile writable by
// others, or naming a process of another user than the pidfile's owner,
// would let whoever writes it aim heatd's signals).
func TestSendStrict(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("strict pidfiles are tested with processes and pidfiles of two users: run as root to cover them")
	}
	t.Parallel()
	for _, c := range []struct {
		name         string
		strict       bool
		pidfileOwner int
		pidfileMode  os.FileMode
		processUser  uint32
		refused      string // %[1]d is the process, %[2]s the pidfile; "": sent
	}{
		{name: "another user's pidfile naming root's process", strict: true, pidfileOwner: nobody, pidfileMode: 0o644, processUser: 0,
			refused: "pidfile %[2]s: process %[1]d runs as uid 0, not as the pidfile's owner (uid 65534): refused (strict_permissions), " +
				"since whoever can write a pidfile could otherwise aim heatd's signals at another user's process; " +
				"if it is that process's own pidfile: chown 0 %[2]s"},
		{name: "a user's pidfile naming its own process", strict: true, pidfileOwner: nobody, pidfileMode: 0o644, processUser: nobody},
		{name: "a group-writable pidfile naming its owner's process", strict: true, pidfileOwner: nobody, pidfileMode: 0o664, processUser: nobody},
		{name: "root's pidfile naming another user's process", strict: true, pidfileOwner: 0, pidfileMode: 0o644, processUser: nobody,
			refused: "pidfile %[2]s: process %[1]d runs as uid 65534, not as the pidfile's owner (uid 0): refused (strict_permissions), " +
				"since whoever can write a pidfile could otherwise aim heatd's signals at another user's process; " +
				"if it is that process's own pidfile: chown 65534 %[2]s"},
		{name: "root's pidfile naming root's process", strict: true, pidfileOwner: 0, pidfileMode: 0o644, processUser: 0},
		{name: "a world-writable pidfile", strict: true, pidfileOwner: 0, pidfileMode: 0o666, processUser: 0,
			refused: "pidfile %[2]s is writable by others, so anyone could aim heatd's signals with it: refused (strict_permissions); chmod o-w %[2]s"},
		{name: "not strict: another user's pidfile naming root's process", pidfileOwner: nobody, pidfileMode: 0o644, processUser: 0},
		{name: "not strict: a world-writable pidfile", pidfileOwner: 0, pidfileMode: 0o666, processUser: nobody},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			proc := sleeper(t, c.processUser)
			pidfile := filepath.Join(t.TempDir(), "web.pid")
			if err := os.WriteFile(pidfile, []byte(strconv.Itoa(proc.Process.Pid)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(pidfile, c.pidfileMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(pidfile, c.pidfileOwner, c.pidfileOwner); err != nil {
				t.Fatal(err)
			}
			aim, err := OpenTarget(Target{Pidfile: pidfile, Strict: c.strict})
			if err != nil {
				t.Fatal(err)
			}
			defer aim.Close()
			pid, err := aim.Send(syscall.SIGUSR1)
			if pid != proc.Process.Pid && c.refused == "" {
				t.Errorf("Send went to %d, want %d", pid, proc.Process.Pid)
			}
			want := "<nil>"
			if c.refused != "" {
				want = fmt.Sprintf(c.refused, proc.Process.Pid, pidfile)
			}
			if got := fmt.Sprint(err); got != want {
				t.Errorf("Send:\n got %s\nwant %s", got, want)
			}
			if got := ended(t, proc); got != (c.refused == "") {
				t.Errorf("the process was signalled: %v; want %v", got, c.refused == "")
			}
		})
	}
}

// realUID reads the Uid: line of /proc/PID/status.
func TestRealUID(t *testing.T) {
	uid, err := realUID(os.Getpid())
	if err != nil || uid != uint32(os.Getuid()) {
		t.Errorf("realUID(self) = %d, %v; want %d", uid, err, os.Getuid())
	}
	if _, err := realUID(deadPID(t)); !os.IsNotExist(err) {
		t.Errorf("realUID(dead) = %v; want not exist", err)
	}
}
