package metrics

import (
	"net"
	"sync"
	"sync/atomic"
)

// maxConns bounds the connections the metrics listener holds at once.
// metrics_listen is open to every local user (and often to the network),
// so whatever reaches it must not take the descriptors the checks run on.
// A Prometheus pair, an operator's curl and a few heartbeats need a handful;
// 16 is a quarter of the descriptors that max_parallel's automatic bound
// leaves heatd for itself (its reservedFiles), so a flood of connections
// costs heatd at most 16 descriptors and never a check's run.
const maxConns = 16

// capListener accepts at most max connections open at once. One past the
// cap is closed at once rather than left waiting in the kernel's backlog:
// a waiting connection costs heatd nothing but its timeouts have not begun,
// so a flood holding every slot would keep a real scraper waiting with no
// bound; closed, the scraper fails fast and tries again at its next scrape.
type capListener struct {
	net.Listener
	max  int64
	open atomic.Int64
}

func newCapListener(ln net.Listener, max int) *capListener {
	return &capListener{Listener: ln, max: int64(max)}
}

// Accept returns the next connection within the cap, closing those past it.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			return &countedConn{Conn: c, l: l}, nil
		}
		l.open.Add(-1)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset: no TIME_WAIT left for a flood to pile up
		}
		c.Close()
	}
}

// countedConn gives its slot back when it is closed, once however often
// it is closed.
type countedConn struct {
	net.Conn
	l    *capListener
	once sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.open.Add(-1) })
	return err
}
