package check

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// childEnv makes the test binary a child that a process check watches:
// "idle", "rss:MiB" (holds that much memory, every page touched), "spin"
// (keeps one core busy), "fds:N" (holds N more open descriptors), "http:ADDR"
// (serves a health page on ADDR, so that a probe's CPU is measured apart
// from the server's).
const childEnv = "HEATD_TEST_CHILD"

// childMain is the child: it does what it is told, says "ready" on
// stdout, and lives until its stdin closes (the test ended or died).
func childMain(what string) {
	name, arg, _ := strings.Cut(what, ":")
	n, _ := strconv.Atoi(arg)
	var held [][]byte
	var files []*os.File
	switch name {
	case "rss":
		for range n {
			mib := make([]byte, 1<<20)
			for i := 0; i < len(mib); i += 4096 {
				mib[i] = 1
			}
			held = append(held, mib)
		}
	case "spin":
		go func() {
			for x := 0; ; x++ {
				_ = x * x
			}
		}()
	case "http":
		l, err := net.Listen("tcp", arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, `{"status": "ok"}`)
		}))
	case "fds":
		for range n {
			f, err := os.Open(os.DevNull)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			files = append(files, f)
		}
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	runtime.KeepAlive(held)
	runtime.KeepAlive(files)
	os.Exit(0)
}

// child is a running child.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	pid   int
}

// startChild starts the test binary as a child doing what, ready when it
// returns; the test's end kills and reaps it.
func startChild(t testing.TB, what string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+what)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, pid: cmd.Process.Pid}
	t.Cleanup(c.kill)
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("child %q said %q, not ready", what, line)
	}
	return c
}

// kill ends the child and reaps it.
func (c *child) kill() {
	c.stdin.Close()
	c.cmd.Process.Kill()
	c.cmd.Wait()
}
