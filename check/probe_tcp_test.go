package check

import (
	"context"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestTCPProbeOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := probeOnce(t, context.Background(), &Spec{Probe: TCPProbe{Addr: ln.Addr().String()}, Timeout: 2 * time.Second})
	wantProbe(t, r, 0, false, "")

	// The probe closed its connection at once: the server reads its end.
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil || isTimeout(err) {
		t.Errorf("server read %d bytes, %v; want the end of a closed connection", n, err)
	}
}

func TestTCPProbeRefused(t *testing.T) {
	addr := freePort(t)
	_, port, _ := net.SplitHostPort(addr)
	r := probeOnce(t, context.Background(), &Spec{Probe: TCPProbe{Addr: addr}, Timeout: 2 * time.Second})
	wantProbe(t, r, codeNoConnect, false,
		"tcp: (7) Failed to connect to 127.0.0.1 port "+port+": Connection refused")
}

func TestTCPProbeNotResolved(t *testing.T) {
	r := probeOnce(t, context.Background(), &Spec{Probe: TCPProbe{Addr: "heatd-probe-test.invalid:80"}, Timeout: 3 * time.Second})
	if r.Code == codeTimeout {
		// .invalid never resolves (RFC 6761); a resolver that does not
		// answer at all leaves only the timeout.
		t.Skipf("the resolver did not answer within the timeout: %s", r.Output)
	}
	wantProbe(t, r, codeNoHost, false, "tcp: (6) Could not resolve host: heatd-probe-test.invalid")
}

// TestTCPProbeTimeout connects to a listener whose accept queue is full: on
// Linux its SYNs are dropped, so the connect hangs as toward a host that
// drops packets, and the check's timeout ends it.
func TestTCPProbeTimeout(t *testing.T) {
	addr := fullBacklog(t)
	r := probeOnce(t, context.Background(), &Spec{Probe: TCPProbe{Addr: addr}, Timeout: 100 * time.Millisecond})
	wantProbe(t, r, codeTimeout, true, "tcp: (28) Operation timed out after ")
	if r.Duration > time.Second {
		t.Errorf("took %v with a 100ms timeout", r.Duration)
	}
}

// fullBacklog is a loopback listener with a backlog of 0 that is never
// accepted from, filled until a connect no longer completes. Linux drops
// the SYNs of further connects while the queue is full, so they hang.
func fullBacklog(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	const tries = 8 // a backlog of 0 holds one connection; more is a kernel that does not drop
	for range tries {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			if !isTimeout(err) {
				t.Fatalf("filling the backlog: %v", err)
			}
			return addr
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	t.Skipf("the accept queue of %s never filled after %d connects: this kernel does not drop SYNs", addr, tries)
	return ""
}
