package systemd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cgroupPrefix names the cgroups the test makes for its containers, each
// followed by the pid of the test process that made it, so a later run can
// tell a dead run's leftovers from a live run's container.
const cgroupPrefix = "heatd-systemd-test-"

// sigRTMIN3 is SIGRTMIN+3, which asks systemd as PID 1 to halt. SIGRTMIN is
// 34 with glibc, which reserves the kernel's first two real-time signals;
// systemd counts from glibc's.
const sigRTMIN3 = syscall.Signal(34 + 3)

const (
	bootTimeout = 30 * time.Second // systemd reaches "running" in about 1 s here
	haltTimeout = 20 * time.Second // a clean halt, then SIGKILL
	cmdTimeout  = 60 * time.Second // any one command in the container
)

// container is Debian's systemd booted by systemd-nspawn on an overlay of a
// root file system. Commands run in it through nsenter: the host has no
// systemd or D-Bus of its own, so neither machinectl nor systemctl -M can
// reach it.
type container struct {
	nspawn  *exec.Cmd
	exited  chan struct{} // closed when nspawn has exited
	guard   *exec.Cmd     // tears the container down if the test dies
	pid1    int           // the container's systemd, as the host sees it
	cgroups []string      // the cgroup made for it in each hierarchy
	tmp     string        // its console log
	logf    func(format string, args ...any)

	once sync.Once
}

// boot starts a container on rootfs and waits until its systemd runs. It
// registers the teardown with t, and with SIGINT and SIGTERM, so nothing it
// started outlives the test.
func boot(t *testing.T, rootfs string) *container {
	t.Helper()
	reapStale(t.Logf)
	hierarchies := cgroupHierarchies()
	if len(hierarchies) == 0 {
		t.Skip("no cgroup hierarchy to run a container in")
	}
	tmp, err := os.MkdirTemp("", cgroupPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		t.Fatal(err)
	}
	c := &container{tmp: tmp, exited: make(chan struct{}), logf: t.Logf}
	t.Cleanup(func() {
		for _, leak := range c.teardown() {
			t.Error(leak)
		}
	})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	stopSigs := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(os.Stderr, "%v: tearing the container down\n", s)
			c.teardown()
			os.Exit(1)
		case <-stopSigs:
		}
	}()
	t.Cleanup(func() { signal.Stop(sigs); close(stopSigs) })

	// A cgroup of its own in each hierarchy (on this kind of host, cgroup v1's
	// name=systemd and v2's unified one), so that teardown finds every process
	// of the container, whatever became of nspawn.
	var procs []string
	for _, h := range hierarchies {
		dir := filepath.Join(h, cgroupPrefix+strconv.Itoa(os.Getpid()))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatalf("making a cgroup for the container: %v", err)
		}
		c.cgroups = append(c.cgroups, dir)
		procs = append(procs, filepath.Join(dir, "cgroup.procs"))
	}

	// The launcher joins the cgroups, then becomes nspawn in a mount
	// namespace of its own with tmpfs over /run and /tmp: nspawn keeps state
	// in /run/systemd and an overlay's mount point in /tmp, and the host's
	// are on disk, where they would outlive it.
	nspawn := []string{"systemd-nspawn", "-D", rootfs, "--boot", "--register=no", "--keep-unit",
		"--private-network", "--volatile=overlay", "--console=read-only", "--link-journal=no",
		"--resolv-conf=off", "--timezone=off", "--machine=heatd-test"}
	script := `cgroups=$1; shift
for f in $cgroups; do echo $$ >"$f" || exit 1; done
exec unshare --mount --propagation private sh -c '
	mount -t tmpfs -o mode=0755 tmpfs /run && mount -t tmpfs -o mode=1777 tmpfs /tmp && exec "$@"' sh "$@"`
	args := append([]string{"-c", script, "sh", strings.Join(procs, " ")}, nspawn...)
	console, err := os.Create(filepath.Join(tmp, "console.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	c.nspawn = exec.Command("sh", args...)
	c.nspawn.Env = hostEnv()
	c.nspawn.Stdout, c.nspawn.Stderr = console, console
	if err := c.nspawn.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.nspawn.Wait(); close(c.exited) }()

	deadline := time.Now().Add(bootTimeout)
	for c.pid1 == 0 {
		c.pid1 = namespaceInit(c.nspawn.Process.Pid)
		select {
		case <-c.exited:
			t.Fatalf("systemd-nspawn exited: %v\n%s", c.nspawn.ProcessState, c.console())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no systemd in the container after %v\n%s", bootTimeout, c.console())
		}
	}
	c.startGuard(t)

	var state string
	for time.Now().Before(deadline) {
		state, _ = c.run("systemctl", "is-system-running")
		if state == "running" || state == "degraded" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	switch state {
	case "running":
	case "degraded":
		failed, _ := c.run("systemctl", "--failed", "--no-legend")
		t.Logf("the container's systemd runs degraded:\n%s", failed)
	default:
		t.Fatalf("the container's systemd is %q after %v\n%s", state, bootTimeout, c.console())
	}
	return c
}

// guardScript waits for the test process ($1) to end, then kills the
// container's PID 1 ($2) and, once its processes are gone, removes its
// cgroups and temporary folder (the rest). The teardown ends it first: it
// acts only when the test was killed before its cleanup could run (SIGKILL,
// go test's -timeout).
const guardScript = `test=$1 init=$2 tmp=$3; shift 3
while kill -0 "$test" 2>/dev/null; do sleep 1; done
kill -KILL "$init" 2>/dev/null
for cg; do
	n=0
	while [ -d "$cg" ] && [ $n -lt 40 ]; do
		for p in $(find "$cg" -name cgroup.procs -exec cat {} +); do kill -KILL "$p" 2>/dev/null; done
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
		n=$((n + 1)); sleep 0.25
	done
done
rm -rf "$tmp"`

// startGuard starts the guard, in a session of its own so that no signal
// meant for the test's terminal reaches it.
func (c *container) startGuard(t *testing.T) {
	t.Helper()
	args := append([]string{"-c", guardScript, "sh", strconv.Itoa(os.Getpid()), strconv.Itoa(c.pid1), c.tmp}, c.cgroups...)
	c.guard = exec.Command("sh", args...)
	c.guard.Env = hostEnv()
	c.guard.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := c.guard.Start(); err != nil {
		t.Fatal(err)
	}
}

// run runs a command in the container and returns its stdout, trimmed. The
// error carries its stderr.
func (c *container) run(args ...string) (string, error) {
	return c.runInput(nil, args...)
}

// runInput is run with stdin.
func (c *container) runInput(stdin []byte, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nsenter", append([]string{"-t", strconv.Itoa(c.pid1), "-a"}, args...)...)
	cmd.Env = hostEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	out := strings.TrimSpace(stdout.String())
	if err != nil {
		return out, fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// must is run, failing the test on an error.
func (c *container) must(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.run(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// write makes a file in the container, root's, with its folders.
func (c *container) write(t *testing.T, path string, mode os.FileMode, content string) {
	t.Helper()
	_, err := c.runInput([]byte(content), "sh", "-c", `mkdir -p "${1%/*}" && cat >"$1" && chmod "$2" "$1"`,
		"sh", path, fmt.Sprintf("%o", mode))
	if err != nil {
		t.Fatal(err)
	}
}

// console is the end of the container's console output.
func (c *container) console() string {
	b, _ := os.ReadFile(filepath.Join(c.tmp, "console.log"))
	return "container console:\n" + tail(string(b), 40)
}

// teardown halts the container (SIGKILL if it will not), kills whatever is
// left in its cgroups, removes them and its temporary files, and returns
// what it could not clean up. It runs once.
func (c *container) teardown() (leaks []string) {
	c.once.Do(func() {
		if c.guard != nil {
			c.guard.Process.Kill()
			c.guard.Wait()
		}
		if c.nspawn != nil && c.nspawn.Process != nil {
			wait := time.Duration(0) // no systemd to halt: kill at once
			if c.pid1 > 0 {
				syscall.Kill(c.pid1, sigRTMIN3)
				wait = haltTimeout
			}
			select {
			case <-c.exited:
			case <-time.After(wait):
				if wait > 0 {
					c.logf("the container did not halt in %v: killing it\n%s", haltTimeout, c.console())
				}
				if c.pid1 > 0 {
					syscall.Kill(c.pid1, syscall.SIGKILL)
				}
				c.nspawn.Process.Kill()
				select {
				case <-c.exited:
				case <-time.After(5 * time.Second):
					leaks = append(leaks, fmt.Sprintf("systemd-nspawn (pid %d) did not exit", c.nspawn.Process.Pid))
				}
			}
		}
		for _, cg := range c.cgroups {
			if err := removeCgroup(cg); err != nil {
				leaks = append(leaks, err.Error())
			}
		}
		os.RemoveAll(c.tmp)
	})
	return leaks
}

// reapStale removes the cgroups, with their processes, and the temporary
// folders of earlier runs whose test process is gone, killed before its
// cleanup or its guard could run.
func reapStale(logf func(string, ...any)) {
	stale := func(path string) bool {
		pid, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(path), cgroupPrefix), "-")
		n, err := strconv.Atoi(pid)
		return err != nil || syscall.Kill(n, 0) != nil
	}
	for _, h := range cgroupHierarchies() {
		dirs, _ := filepath.Glob(filepath.Join(h, cgroupPrefix+"*"))
		for _, dir := range dirs {
			if stale(dir) {
				logf("removing %s, left by an earlier run", dir)
				if err := removeCgroup(dir); err != nil {
					logf("%v", err)
				}
			}
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(os.TempDir(), cgroupPrefix+"*"))
	for _, dir := range tmps {
		if stale(dir) {
			os.RemoveAll(dir)
		}
	}
}

// removeCgroup kills every process in the cgroup tree at dir and removes
// the tree, deepest first.
func removeCgroup(dir string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var dirs []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		if len(dirs) == 0 {
			return nil
		}
		live := 0
		for _, d := range dirs {
			for _, pid := range cgroupPids(d) {
				live++
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if live == 0 {
			for i := len(dirs) - 1; i >= 0; i-- {
				os.Remove(dirs[i])
			}
			if _, err := os.Stat(dir); os.IsNotExist(err) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup %s: %d processes or sub-cgroups remain", dir, live)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func cgroupPids(dir string) []int {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// cgroupHierarchies are the mount points of the cgroup hierarchies that
// track processes: cgroup v2, and cgroup v1's name=systemd where the host
// mounts it (a hybrid layout, as here).
func cgroupHierarchies() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var v2, v1 string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options... - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		a, b := strings.Fields(pre), strings.Fields(post)
		if len(a) < 5 || len(b) < 3 {
			continue
		}
		switch {
		case b[0] == "cgroup2" && v2 == "":
			v2 = a[4]
		case b[0] == "cgroup" && v1 == "" && strings.Contains(","+b[2]+",", ",name=systemd,"):
			v1 = a[4]
		}
	}
	var hs []string
	for _, h := range []string{v2, v1} {
		if h != "" {
			hs = append(hs, h)
		}
	}
	return hs
}

// namespaceInit finds the container's PID 1 among the descendants of
// nspawn: the process that is pid 1 in its own namespace and runs systemd.
func namespaceInit(nspawn int) int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		f := strings.Fields(rest)
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
	}
	queue := children[nspawn]
	for len(queue) > 0 {
		pid := queue[0]
		queue = append(queue[1:], children[pid]...)
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if strings.TrimSpace(string(comm)) != "systemd" {
			continue
		}
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) > 2 && f[0] == "NSpid:" && f[len(f)-1] == "1" {
				return pid
			}
		}
	}
	return 0
}
