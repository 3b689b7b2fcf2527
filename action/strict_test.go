package action

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// needRoot skips a test that plays a service user against root's files
// and processes: only root can chown them to another user.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("root safety is tested with files and processes of two users: run the tests as root to cover it")
	}
}

// own makes path (not what it links to) uid's, with mode unless it is a
// link.
func own(t *testing.T, path string, mode os.FileMode, uid int) {
	t.Helper()
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Lchown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

// TestSendStrictLinks aims at root's process through pidfiles reached by
// symbolic links, as a service user would: a link of its own in its own
// folder, renamed over its pidfile (ln -s /run/sshd.pid t && mv -T t
// app.pid), or a folder of its own swapped for a link. A strict target
// never reads a pidfile through a link that a user other than root could
// have placed, so root's process receives nothing; links root placed in
// its own folders (/var/run -> /run) still work.
func TestSendStrictLinks(t *testing.T) {
	needRoot(t)
	t.Parallel()
	const refusal = "pidfile %[1]s: refused (strict_permissions): %[2]s, and heatd reads a pidfile through no link " +
		"that a user other than root could have placed, since that user could aim heatd's signals at any process; " +
		"name the pidfile by a path without that link"
	for _, c := range []struct {
		name    string
		setup   func(t *testing.T, d string) // d holds run/root.pid, root's pidfile naming root's process, and svc, a service user's folder
		pidfile string
		refused string // %[1]s is the pidfile, $D the test's folder; "": sent
	}{
		{
			name: "the user's link renamed over its pidfile",
			setup: func(t *testing.T, d string) {
				link(t, d+"/run/root.pid", d+"/svc/t", nobody)
				if err := os.Rename(d+"/svc/t", d+"/svc/app.pid"); err != nil {
					t.Fatal(err)
				}
			},
			pidfile: "svc/app.pid",
			refused: fmt.Sprintf(refusal, "%[1]s", "$D/svc/app.pid is a symbolic link owned by uid 65534, not root"),
		},
		{
			name:    "a link of root's in the user's folder",
			setup:   func(t *testing.T, d string) { link(t, d+"/run/root.pid", d+"/svc/app.pid", 0) },
			pidfile: "svc/app.pid",
			refused: fmt.Sprintf(refusal, "%[1]s", "$D/svc/app.pid is a symbolic link in $D/svc, which uid 65534 owns"),
		},
		{
			name:    "the user's folder swapped for a link",
			setup:   func(t *testing.T, d string) { link(t, d+"/run", d+"/svc/run", nobody) },
			pidfile: "svc/run/root.pid",
			refused: fmt.Sprintf(refusal, "%[1]s", "$D/svc/run is a symbolic link owned by uid 65534, not root"),
		},
		{
			name: "a relative link in a folder others may write",
			setup: func(t *testing.T, d string) {
				mkdir(t, d+"/drop", 0o777, 0)
				link(t, "../run", d+"/drop/run", 0)
			},
			pidfile: "drop/run/root.pid",
			refused: fmt.Sprintf(refusal, "%[1]s", "$D/drop/run is a symbolic link in $D/drop, which others may write"),
		},
		{
			name: "root's links in root's folders, as /var/run -> /run",
			setup: func(t *testing.T, d string) {
				mkdir(t, d+"/var", 0o755, 0)
				link(t, "../run", d+"/var/run", 0)
				link(t, "root.pid", d+"/run/link.pid", 0)
			},
			pidfile: "var/run/link.pid",
		},
		{
			name: "root's link in a sticky folder others may write, as /tmp",
			setup: func(t *testing.T, d string) {
				mkdir(t, d+"/tmp", 0o777|os.ModeSticky, 0)
				link(t, d+"/run/root.pid", d+"/tmp/app.pid", 0)
			},
			pidfile: "tmp/app.pid",
		},
		{
			// The owner judged is the file opened, not the link.
			name: "root's link to the user's pidfile naming root's process",
			setup: func(t *testing.T, d string) {
				write(t, d+"/svc/app.pid", d+"/run/root.pid", nobody)
				link(t, d+"/svc/app.pid", d+"/run/app.pid", 0)
			},
			pidfile: "run/app.pid",
			refused: "pidfile %[1]s: process %[2]d runs as uid 0, not as the pidfile's owner (uid 65534): refused (strict_permissions), " +
				"since whoever can write a pidfile could otherwise aim heatd's signals at another user's process; " +
				"if it is that process's own pidfile: chown 0 %[1]s",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			proc := sleeper(t, 0)
			d := t.TempDir()
			mkdir(t, d+"/run", 0o755, 0)
			mkdir(t, d+"/svc", 0o755, nobody)
			if err := os.WriteFile(d+"/run/root.pid", []byte(strconv.Itoa(proc.Process.Pid)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			c.setup(t, d)
			pidfile := filepath.Join(d, c.pidfile)
			aim, err := OpenTarget(Target{Pidfile: pidfile, Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			defer aim.Close()
			_, err = aim.Send(syscall.SIGUSR1)
			want := "<nil>"
			if c.refused != "" {
				want = strings.ReplaceAll(fmt.Sprintf(c.refused, pidfile, proc.Process.Pid), "$D", d)
			}
			if got := fmt.Sprint(err); got != want {
				t.Errorf("Send:\n got %s\nwant %s", got, want)
			}
			if got := ended(t, proc); got != (c.refused == "") {
				t.Errorf("root's process was signalled: %v; want %v", got, c.refused == "")
			}
		})
	}
}

func mkdir(t *testing.T, path string, mode os.FileMode, uid int) {
	t.Helper()
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	own(t, path, mode, uid)
}

// link makes path a symbolic link to target, owned by uid.
func link(t *testing.T, target, path string, uid int) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	own(t, path, 0, uid)
}

// write makes path a copy of the file from, owned by uid, mode 0644.
func write(t *testing.T, path, from string, uid int) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	own(t, path, 0o644, uid)
}
