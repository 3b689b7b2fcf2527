package check

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helpers shared by the probe tests: every server here is real, on a
// loopback port the kernel picks, and misbehaves on purpose.

// probeOnce runs spec's probe once through a Runner, as the loop would.
func probeOnce(t *testing.T, ctx context.Context, spec *Spec) Result {
	t.Helper()
	r := newProbeRunner(t, spec)
	return r.Check(ctx)
}

// newProbeRunner is a Runner for spec, closed (its idle connection with it)
// when the test ends.
func newProbeRunner(t *testing.T, spec *Spec) *Runner {
	t.Helper()
	if spec.Name == "" {
		spec.Name = "probe"
	}
	r, missing := NewRunner(spec, nil, nil)
	if missing != nil {
		t.Fatal(missing)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// wantProbe checks a probe's Result: its code, whether the check's timeout
// ran out, and a piece of its one-line output.
func wantProbe(t *testing.T, r Result, code int, timedOut bool, out string) {
	t.Helper()
	if r.Err != nil || r.Interrupted {
		t.Fatalf("Err %v, Interrupted %v; want a finished run", r.Err, r.Interrupted)
	}
	if r.Code != code || r.TimedOut != timedOut {
		t.Errorf("code %d, timed out %v; want %d, %v (output %q)", r.Code, r.TimedOut, code, timedOut, r.Output)
	}
	if !strings.Contains(string(r.Output), out) {
		t.Errorf("output %q; want it to hold %q", r.Output, out)
	}
	if code == 0 && len(r.Output) != 0 {
		t.Errorf("output %q on success; want none", r.Output)
	}
	if code != 0 && (strings.Count(string(r.Output), "\n") != 1 || !strings.HasSuffix(string(r.Output), "\n")) {
		t.Errorf("output %q; want one line", r.Output)
	}
	if r.PID != 0 || r.Start.IsZero() || r.Unix != r.Start.Unix() || r.Duration <= 0 {
		t.Errorf("PID %d, Start %v, Unix %d, Duration %v", r.PID, r.Start, r.Unix, r.Duration)
	}
}

// rawServer accepts connections on a loopback port and hands each to
// serve on a goroutine of its own. When the test ends it closes the
// listener and every connection, so a serve that hangs on a read returns,
// and waits for them all.
type rawServer struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func newRawServer(t *testing.T, serve func(net.Conn)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Go(func() { serve(c) })
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawServer) addr() string { return s.ln.Addr().String() }

// holdConn keeps a connection open, answering nothing, until it is closed.
func holdConn(c net.Conn) {
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// freePort is a loopback address where nothing listens: a port the kernel
// just gave out and took back.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestProbeNotStartedWhenStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := probeOnce(t, ctx, &Spec{Probe: TCPProbe{Addr: freePort(t)}})
	if !r.Interrupted || r.Err == nil || !errors.Is(r.Err, context.Canceled) {
		t.Errorf("Interrupted %v, Err %v; want an interrupted run that did not start", r.Interrupted, r.Err)
	}
}

func TestProbeNothingToRun(t *testing.T) {
	r := probeOnce(t, context.Background(), &Spec{})
	if !errors.Is(r.Err, errNothingToRun) {
		t.Errorf("Err %v; want errNothingToRun (a run_error)", r.Err)
	}
}

// TestProbeInterrupted: the kill context ending mid-probe ends the probe
// at once, and the run is reported as interrupted, not as a failure. The
// server answers nothing and the check has no timeout of its own.
func TestProbeInterrupted(t *testing.T) {
	srv := newRawServer(t, holdConn)
	t.Run("http", func(t *testing.T) {
		wantInterrupted(t, &Spec{Probe: HTTPProbe{URL: "http://" + srv.addr() + "/"}})
	})
	t.Run("tcp", func(t *testing.T) {
		wantInterrupted(t, &Spec{Probe: TCPProbe{Addr: fullBacklog(t)}})
	})
	// A timeout is the connection's deadline: a stop still ends the probe
	// before it.
	t.Run("http with a timeout", func(t *testing.T) {
		wantInterrupted(t, &Spec{Probe: HTTPProbe{URL: "http://" + srv.addr() + "/"}, Timeout: 10 * time.Second})
	})
	t.Run("tcp with a timeout", func(t *testing.T) {
		wantInterrupted(t, &Spec{Probe: TCPProbe{Addr: fullBacklog(t)}, Timeout: 10 * time.Second})
	})
}

// wantInterrupted runs spec's probe and stops it 50ms in.
func wantInterrupted(t *testing.T, spec *Spec) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := time.AfterFunc(50*time.Millisecond, cancel)
	defer stop.Stop()
	r := probeOnce(t, ctx, spec)
	if !r.Interrupted || r.Code != codeAborted || r.TimedOut || r.Err != nil {
		t.Errorf("Interrupted %v, code %d, timed out %v, Err %v; want interrupted, %d",
			r.Interrupted, r.Code, r.TimedOut, r.Err, codeAborted)
	}
	if r.Duration > 2*time.Second {
		t.Errorf("took %v to see the stop", r.Duration)
	}
}
