package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// notifySocket is a NOTIFY_SOCKET, as systemd listens on: every datagram
// is kept with the moment it was read.
type notifySocket struct {
	path string
	conn *net.UnixConn
	msgs chan note
}

// note is one datagram from heatd.
type note struct {
	text string
	at   time.Time     // when it was read (monotonic)
	mono time.Duration // the same moment on CLOCK_MONOTONIC, systemd's clock
}

func listenNotify(path string) (*notifySocket, error) {
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	n := &notifySocket{path: path, conn: conn, msgs: make(chan note, 1024)}
	go n.read()
	return n, nil
}

func (n *notifySocket) read() {
	defer close(n.msgs)
	buf := make([]byte, 4096)
	for {
		k, err := n.conn.Read(buf)
		if err != nil {
			return
		}
		n.msgs <- note{text: string(buf[:k]), at: time.Now(), mono: monotonic()}
	}
}

// expect waits for a datagram that has a line equal to line (READY=1,
// RELOADING=1), skipping others.
func (n *notifySocket) expect(line string, timeout time.Duration) (note, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case m, ok := <-n.msgs:
			if !ok {
				return note{}, fmt.Errorf("notify socket closed before %s", line)
			}
			for _, l := range strings.Split(m.text, "\n") {
				if l == line {
					return m, nil
				}
			}
		case <-t.C:
			return note{}, fmt.Errorf("no %s in %s", line, timeout)
		}
	}
}

// field is the value of KEY= in a datagram.
func (m note) field(key string) string {
	for _, l := range strings.Split(m.text, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return v
		}
	}
	return ""
}

// monotonicUsec is MONOTONIC_USEC of a datagram: when heatd sent it.
func (m note) monotonicUsec() (time.Duration, error) {
	us, err := strconv.ParseInt(m.field("MONOTONIC_USEC"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("MONOTONIC_USEC in %q: %v", m.text, err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

func (n *notifySocket) close() { n.conn.Close() }

// monotonic is CLOCK_MONOTONIC now, the clock of MONOTONIC_USEC.
func monotonic() time.Duration {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return time.Duration(ts.Nano())
}
