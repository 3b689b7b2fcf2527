package action

import (
	"errors"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The raw calls give what their unix counterparts give: descriptors that
// work, the errors of the kernel, a pipe's bytes and its end.
func TestRawCallsOnAPipe(t *testing.T) {
	if _, err := rawOpen("/nonexistent/heatd", unix.O_RDONLY|unix.O_CLOEXEC); !errors.Is(err, unix.ENOENT) {
		t.Errorf("opening a missing file: %v, want ENOENT", err)
	}
	null, err := rawOpen("/dev/null", unix.O_RDWR|unix.O_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if err := rawClose(null); err != nil {
		t.Error(err)
	}
	if err := rawClose(null); !errors.Is(err, unix.EBADF) {
		t.Errorf("closing it twice: %v, want EBADF", err)
	}

	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer rawClose(p[0])
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer rawClose(epfd)
	if err := epollAdd(epfd, p[0], 0); err != nil {
		t.Fatal(err)
	}
	events := make([]unix.EpollEvent, 2)
	if n, err := rawEpollPoll(epfd, events); n != 0 || err != nil {
		t.Errorf("an empty pipe: %d events, %v", n, err)
	}
	unix.Write(p[1], []byte("line\n"))
	rawClose(p[1])
	if n, err := rawEpollPoll(epfd, events); n != 1 || err != nil || int(events[0].Fd) != p[0] {
		t.Errorf("a written pipe: %d events (%v), %v", n, events[:n], err)
	}
	buf := make([]byte, 64)
	if n, err := rawRead(p[0], buf); string(buf[:n]) != "line\n" || err != nil {
		t.Errorf("read %q, %v", buf[:n], err)
	}
	if n, err := rawRead(p[0], buf); n != 0 || err != nil {
		t.Errorf("at its end: %d bytes, %v", n, err)
	}
	if err := rawSetNonblock(epfd); err != nil {
		t.Error(err)
	}
	if flags, _ := unix.FcntlInt(uintptr(epfd), unix.F_GETFL, 0); flags&unix.O_NONBLOCK == 0 {
		t.Error("not made non-blocking")
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(p[0])}
	if err := rawEpollCtl(epfd, unix.EPOLL_CTL_ADD, p[0], &ev); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding it twice: %v, want EEXIST", err)
	}
}

// rawReap reaps an exited process, and leaves a live one alone.
func TestRawReap(t *testing.T) {
	cmd := exec.Command("/bin/sleep", "0.2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	var status unix.WaitStatus
	if ok, err := rawReap(pid, &status); ok || err != nil {
		t.Fatalf("a live process: reaped %v, %v", ok, err)
	}
	eventually(t, 5*time.Second, "the process to end", func() bool { return procState(pid) == 'Z' })
	if ok, err := rawReap(pid, &status); !ok || err != nil || !status.Exited() || status.ExitStatus() != 0 {
		t.Fatalf("an exited process: reaped %v, %v, status %v", ok, err, status)
	}
	if ok, err := rawReap(pid, &status); ok || !errors.Is(err, unix.ECHILD) {
		t.Errorf("reaped again: %v, %v, want ECHILD", ok, err)
	}
}
