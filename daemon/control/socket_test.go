package control

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestListenMakesSocketAndLock(t *testing.T) {
	// A umask that would leave the socket to its owner alone: the modes
	// must not depend on it. No other test runs meanwhile (none is
	// parallel), and this package starts no process.
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)

	dir := filepath.Join(t.TempDir(), "run", "heatd")
	path := filepath.Join(dir, "heatd.sock")
	s, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("socket folder: %v, %v; want mode 0755", fi.Mode(), err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v, want a socket of mode 0660", fi.Mode())
	}
	pid, err := os.ReadFile(path + ".lock")
	if err != nil || string(pid) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("lock file holds %q (%v), want our pid", pid, err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q", s.Path())
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".lock"} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s after Close: %v, want it gone", p, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Serve(&fakeSource{}); err != nil {
		t.Errorf("Serve after Close: %v, want nil at once", err)
	}
}

func TestSecondHeatdRefused(t *testing.T) {
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("flock is not installed (Debian: util-linux)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "heatd.sock")
	// Another heatd: a process that holds the lock and wrote its pid into
	// the lock file, and says so once it has.
	other := exec.Command(flock, path+".lock", "sh", "-c", `echo $$ > "$0" && echo $$ && exec sleep 60`, path+".lock")
	out, _ := other.StdoutPipe()
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { other.Process.Kill(); other.Wait() }()
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		t.Fatal(err)
	}
	_, err = Listen(path)
	want := fmt.Sprintf("control socket %s is in use by another heatd (pid %d)", path, pid)
	if err == nil || err.Error() != want {
		t.Fatalf("second Listen: %v\nwant: %s", err, want)
	}
}

// A control socket path that leads, through a symlinked folder, to the
// socket this heatd already serves (a reload that renames the socket's
// folder so) is not "in use by another heatd": the message says what it
// is, and the first socket goes on answering.
func TestOwnSocketThroughSymlinkNamed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "run")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	first := serve(t, filepath.Join(target, "heatd.sock"), testLimits(), &fakeSource{})

	_, err := Listen(filepath.Join(link, "heatd.sock"))
	want := fmt.Sprintf("control socket %s is %s, the socket this heatd already serves (its folder %s leads to %s through a symlink); name it one way only",
		filepath.Join(link, "heatd.sock"), filepath.Join(target, "heatd.sock"), link, target)
	if err == nil || err.Error() != want {
		t.Fatalf("Listen through the symlink: %v\nwant: %s", err, want)
	}
	if _, err := Dial(first.Path()).Status(ctx(t)); err != nil {
		t.Errorf("the first socket after the refusal: %v", err)
	}
}

func TestStaleSocketReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	// What a crash leaves: a socket file nobody listens on, and a lock
	// file that nobody holds.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	os.WriteFile(path+".lock", []byte("999999\n"), 0o644)
	if _, err := Dial(path).Status(ctx(t)); !isUnreachable(err, Refused) {
		t.Fatalf("the stale socket: %v, want connection refused", err)
	}

	serve(t, path, testLimits(), &fakeSource{})
	if _, err := Dial(path).Status(ctx(t)); err != nil {
		t.Errorf("after replacing the stale socket: %v", err)
	}
}

func TestNotASocketLeftAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	os.WriteFile(path, []byte("precious"), 0o644)
	_, err := Listen(path)
	if err == nil || !strings.Contains(err.Error(), "not a socket is in the way") {
		t.Fatalf("Listen over a file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "precious" {
		t.Errorf("the file became %q", b)
	}
	if _, err := os.Lstat(path + ".lock"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock file left after a failed Listen: %v", err)
	}
}

func TestSilentClientLetGo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	serve(t, path, testLimits(), &fakeSource{})
	before := goleak.IgnoreCurrent()

	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	// The server hangs up on a client that says nothing: the read ends
	// with EOF (or a reset), well before our own deadline.
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read from the server: %d, %v; want it to hang up", n, err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("hung up after %v", took)
	}
	// And nothing of that connection is left running in the server.
	goleak.VerifyNone(t, before)
}

func TestSlowHeadersLetGo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	serve(t, path, testLimits(), &fakeSource{})
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "GET /v1/status HTTP/1.1\r\nHost: heatd\r\n") // and never the blank line
	if _, err := io.ReadAll(conn); err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept a client that never finished its headers: %v", err)
	}
}

func TestCloseEndsReloadUnderWay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	started := make(chan struct{})
	src := &fakeSource{reload: func(ctx context.Context) error {
		close(started)
		<-ctx.Done() // a main loop that never takes the request
		return ctx.Err()
	}}
	s, err := listen(path, testLimits())
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(src) }()
	answered := make(chan error, 1)
	go func() {
		_, err := Dial(path).Reload(context.Background())
		answered <- err
	}()
	<-started
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if err := <-answered; err == nil {
		t.Errorf("a reload cut short by Close reported no error")
	}
}

func TestClientUnreachable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	_, err := Dial(path).Status(ctx(t))
	if !isUnreachable(err, Missing) {
		t.Fatalf("no socket: %v", err)
	}
	want := "no heatd answers on " + path + ": the socket does not exist"
	if err.Error() != want {
		t.Errorf("message %q\nwant    %q", err, want)
	}
}

// isUnreachable reports whether err is an *UnreachableError for reason.
func isUnreachable(err error, reason Reason) bool {
	var u *UnreachableError
	return errors.As(err, &u) && u.Reason == reason
}

func TestCloseWithSilentClient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	lim := testLimits()
	lim.header = time.Minute // the client stays connected for as long as Close may take
	s, err := listen(path, lim)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(&fakeSource{}) }()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // for the server to accept it
	start := time.Now()
	s.Close()
	if took := time.Since(start); took > lim.grace+time.Second {
		t.Errorf("Close with a silent client connected took %v, grace %v", took, lim.grace)
	}
	<-served
}

func TestCloseAbandonsStuckSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	started, release := make(chan struct{}), make(chan struct{})
	s, err := listen(path, testLimits())
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() {
		served <- s.Serve(&fakeSource{reload: func(context.Context) error {
			close(started)
			<-release // deaf to its context
			return nil
		}})
	}()
	answered := make(chan error, 1)
	go func() {
		_, err := Dial(path).Reload(context.Background())
		answered <- err
	}()
	<-started
	start := time.Now()
	s.Close()
	if took := time.Since(start); took > 2*testLimits().grace+time.Second {
		t.Errorf("Close waited %v on a Source that ignores its context", took)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket after Close: %v", err)
	}
	close(release)
	<-served
	<-answered
}
