package check

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/heatd/heatd/action"
)

// plainClient sends a plain-http check's requests over its one kept
// connection from the check's own goroutine: the request is written with
// net/http's Request.Write and the answer read with http.ReadResponse, in
// the goroutine that runs the check. http.Transport would hand each request
// to the connection's write goroutine and the answer back from its read
// goroutine, four wake-ups per run, which cost more CPU than the request
// itself (measured: about a third of a run's CPU with the server in
// another process). The reads and writes themselves are raw system calls
// (rawSocket), which do not wake the runtime's monitor thread. HTTPS keeps
// the Transport, for its handshakes and HTTP/2.
//
// It behaves as the Transport did for the probe: a kept connection that
// the server closed meanwhile is replaced and the request sent again once
// (idempotent methods only keep connections), headers are bounded by
// httpHeaderLimit, and an idle connection is closed after idle.
type plainClient struct {
	addr string        // host:port dialed
	idle time.Duration // how long a connection is kept unused
	req  *http.Request // the request of every run
	wire []byte        // req as it is sent, written out once

	mu     sync.Mutex
	kept   *plainConn  // the idle connection; nil: none
	timer  *time.Timer // closes kept once it has been idle too long
	closed bool        // close was called: nothing is kept any more
}

// plainConn is a connection with its buffers, which outlive a run.
type plainConn struct {
	conn net.Conn
	rw   io.ReadWriter // conn's reads and writes, by rawSocket
	lim  headerLimit
	br   *bufio.Reader
	// abort ends conn's pending read or write at once: heatd is stopping.
	// It is made with the connection, not at each run.
	abort func()
	stop  func() bool // keeps the run's abort from running
}

// headerLimit reads the connection, failing once a response's headers
// have taken more than left bytes (net/http's own words for it).
type headerLimit struct {
	conn io.Reader
	left int64
}

func (h *headerLimit) Read(p []byte) (int, error) {
	if h.left <= 0 {
		return 0, fmt.Errorf("net/http: server response headers exceeded %d bytes; aborted", httpHeaderLimit)
	}
	if int64(len(p)) > h.left {
		p = p[:h.left]
	}
	n, err := h.conn.Read(p)
	h.left -= int64(n)
	return n, err
}

// plainBuffer is the size of a connection's read buffer: a health page's
// answer fits, and a larger one only takes more reads.
const plainBuffer = 4 << 10

// longAgo is a deadline in the past: it ends a connection's pending read
// or write at once, when the run's context is cancelled.
var longAgo = time.Unix(1, 0)

// newPlainClient sends req to addr at each run. A run's request is always
// the same, so it is written out once here.
func newPlainClient(addr string, idle time.Duration, req *http.Request) (*plainClient, error) {
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		return nil, err
	}
	return &plainClient{addr: addr, idle: idle, req: req, wire: wire.Bytes()}, nil
}

// take is the kept connection, if any, now the run's own.
func (c *plainClient) take() *plainConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	pc := c.kept
	c.kept = nil
	return pc
}

// put keeps pc for the next run, for idle at most.
func (c *plainClient) put(pc *plainConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.kept != nil {
		pc.conn.Close()
		return
	}
	c.kept = pc
	if c.timer == nil {
		c.timer = time.AfterFunc(c.idle, c.dropIdle)
	} else {
		c.timer.Reset(c.idle)
	}
}

// dropIdle closes the kept connection: it has been idle too long.
func (c *plainClient) dropIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kept != nil {
		c.kept.conn.Close()
		c.kept = nil
	}
}

// close closes the kept connection and keeps none after: the check is
// stopping or being replaced.
func (c *plainClient) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.dropIdle()
}

// dial connects by deadline (zero: none), cut short when ctx ends.
func (c *plainClient) dial(ctx context.Context, deadline time.Time) (*plainConn, error) {
	conn, err := (&net.Dialer{Deadline: deadline}).DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, err
	}
	pc := &plainConn{conn: conn, rw: conn, abort: func() { conn.SetDeadline(longAgo) }}
	if s, ok := newRawSocket(conn); ok {
		pc.rw = s
	}
	pc.lim.conn = pc.rw
	pc.br = bufio.NewReaderSize(&pc.lim, plainBuffer)
	return pc, nil
}

// exchange sends the request and reads the answer's head by deadline (zero:
// none), cut short when ctx ends; the body is read by the caller, then
// finish is called. A kept connection that fails before any byte of the
// answer came is replaced and the request sent again, once.
func (c *plainClient) exchange(ctx context.Context, deadline time.Time) (*plainConn, *http.Response, error) {
	pc := c.take()
	reused := pc != nil
	for {
		if pc == nil {
			var err error
			if pc, err = c.dial(ctx, deadline); err != nil {
				return nil, nil, err
			}
		}
		resp, answered, err := pc.roundTrip(ctx, deadline, c.req, c.wire)
		if err == nil {
			return pc, resp, nil
		}
		pc.discard()
		if !reused || answered || !stale(err) || ctx.Err() != nil {
			return nil, nil, err
		}
		pc, reused = nil, false
	}
}

// stale reports whether err says a kept connection was closed by the
// server before the request reached it: it is worth sending again.
func stale(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// roundTrip writes req (as wire) and reads the answer's head by deadline,
// the connection's, and ctx's end (heatd stopping) ends any read or write
// at once. answered: a byte of the answer came. A connection closed
// before that is io.EOF, as the Transport has it (an empty reply), where
// http.ReadResponse says io.ErrUnexpectedEOF.
func (pc *plainConn) roundTrip(ctx context.Context, deadline time.Time, req *http.Request, wire []byte) (resp *http.Response, answered bool, err error) {
	if err := pc.conn.SetDeadline(deadline); err != nil {
		return nil, false, err
	}
	// abort runs only if ctx ends first; finish or discard stops it.
	pc.stop = action.AfterFunc(ctx, pc.abort)
	if _, err := pc.rw.Write(wire); err != nil {
		return nil, false, err
	}
	for {
		pc.lim.left = httpHeaderLimit
		answered = answered || pc.br.Buffered() > 0
		resp, err := http.ReadResponse(pc.br, req)
		answered = answered || pc.lim.left < httpHeaderLimit
		pc.lim.left = math.MaxInt64
		if err != nil {
			if !answered && errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			return nil, answered, err
		}
		// An interim answer (100 Continue, 103 Early Hints) is followed
		// by the real one, as the Transport has it.
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		return resp, answered, nil
	}
}

// finish ends a run on pc: the connection is kept when the answer was read
// to its end (whole), neither side asked to close it and the run was not
// cancelled; it is closed otherwise.
func (c *plainClient) finish(pc *plainConn, resp *http.Response, whole bool) {
	if !whole || resp.Close || c.req.Close || !pc.stop() || pc.conn.SetDeadline(time.Time{}) != nil {
		pc.discard()
		return
	}
	c.put(pc)
}

// discard closes pc, which no run will use again.
func (pc *plainConn) discard() {
	if pc.stop != nil {
		pc.stop()
	}
	pc.conn.Close()
}
