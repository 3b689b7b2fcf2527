package action

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// start starts p in a process group of its own, with stdin from /dev/null
// and its stdout and stderr on p.Output, or stdout on /dev/null and stderr
// on a pipe that the child returned captures.
//
// It calls syscall.ForkExec itself rather than going through os/exec: for
// /bin/true started 500 times a second, os/exec's two opens of /dev/null,
// its descriptors put in and out of non-blocking mode, its goroutine
// copying stderr and the one watching the exit cost heatd more CPU than
// the spawn itself (measured with perf and strace in bench/).
func start(p Process) (*child, error) {
	path := p.Path
	if filepath.Base(path) == path {
		// As exec.Command does: a bare name is looked up in heatd's PATH,
		// and a name found relative to the current folder is refused.
		found, err := exec.LookPath(path)
		if err != nil {
			return nil, err
		}
		path = found
	}
	argv := p.Args
	if len(argv) == 0 {
		argv = []string{p.Path}
	}
	env := p.Env
	if env == nil {
		// Never heatd's own: ForkExec would take a nil Env as an empty one
		// too, but the contract is said here, not left to it.
		env = []string{}
	}

	null, err := rawOpen(os.DevNull, unix.O_RDWR|unix.O_CLOEXEC)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: os.DevNull, Err: err}
	}
	defer rawClose(null)
	files := []uintptr{uintptr(null), uintptr(null), uintptr(null)}
	stderr := -1
	if p.Output != nil {
		out := p.Output.Fd()
		files[1], files[2] = out, out
	} else {
		var pipe [2]int
		if err := unix.Pipe2(pipe[:], unix.O_CLOEXEC); err != nil {
			return nil, os.NewSyscallError("pipe2", err)
		}
		stderr = pipe[0]
		files[2] = uintptr(pipe[1])
		defer rawClose(pipe[1])
	}

	c, err := newChild(stderr)
	if err != nil {
		if stderr >= 0 {
			rawClose(stderr)
		}
		return nil, err
	}
	pidfd := -1
	attr := &syscall.ProcAttr{
		Dir:   p.Dir,
		Env:   env,
		Files: files,
		// A group of its own, so a timeout ends the check and all it
		// started, and heatd's own group never receives the check's
		// signals. The pidfd comes with the fork, so a started process is
		// always one that can be watched.
		Sys: &syscall.SysProcAttr{Setpgid: true, PidFD: &pidfd},
	}
	pid, err := syscall.ForkExec(path, argv, attr)
	if p.Output != nil {
		runtime.KeepAlive(p.Output) // its descriptor was in use until here
	}
	if err != nil {
		c.close()
		// The error os/exec gives, so that what heatd reports and what
		// callers test for (errors.Is ENOENT...) are unchanged.
		return nil, &os.PathError{Op: "fork/exec", Path: path, Err: err}
	}
	if err := c.watch(pid, pidfd); err != nil {
		return nil, err
	}
	return c, nil
}
