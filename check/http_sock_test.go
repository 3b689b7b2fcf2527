package check

import (
	"bytes"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// rawPair is a connection to a loopback server that serves it so, as a
// rawSocket.
func rawPair(t *testing.T, serve func(net.Conn)) (net.Conn, *rawSocket) {
	t.Helper()
	conn, err := net.Dial("tcp", newRawServer(t, serve).addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s, ok := newRawSocket(conn)
	if !ok {
		t.Fatal("a TCP connection has no raw socket")
	}
	return conn, s
}

// TestRawSocketWholeWrite: a write larger than the socket's buffers waits
// for the peer to read, and carries on where it stopped, until all of it
// is written; reads then see the peer's answer and its end as conn's do.
func TestRawSocketWholeWrite(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	got := make(chan []byte, 1)
	_, s := rawPair(t, func(c net.Conn) {
		b := make([]byte, len(big))
		if _, err := io.ReadFull(c, b); err != nil {
			got <- nil
			return
		}
		got <- b
		io.WriteString(c, "done")
		c.Close()
	})
	if n, err := s.Write(big); n != len(big) || err != nil {
		t.Fatalf("Write: %d, %v; want %d, nil", n, err, len(big))
	}
	if !bytes.Equal(<-got, big) {
		t.Fatal("the peer read other bytes than were written")
	}
	answer, err := io.ReadAll(s)
	if string(answer) != "done" || err != nil {
		t.Errorf("ReadAll: %q, %v; want \"done\", nil", answer, err)
	}
	if n, err := s.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("Read at the end: %d, %v; want 0, EOF", n, err)
	}
}

// TestRawSocketReset: a connection reset by the peer is ECONNRESET in a
// *net.OpError, as conn.Read says it.
func TestRawSocketReset(t *testing.T) {
	_, s := rawPair(t, afterRequest(resetConn))
	if _, err := s.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Read(make([]byte, 10))
	var op *net.OpError
	if !errors.Is(err, syscall.ECONNRESET) || !errors.As(err, &op) || op.Op != "read" {
		t.Errorf("Read after a reset: %v; want a read's ECONNRESET", err)
	}
}

// TestRawSocketDeadline: the connection's deadline bounds a read waiting
// for an answer, as a timeout.
func TestRawSocketDeadline(t *testing.T) {
	conn, s := rawPair(t, holdConn)
	if err := conn.SetDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := s.Read(make([]byte, 10))
	if !isTimeout(err) {
		t.Errorf("Read past the deadline: %v; want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Read returned after %v; the deadline was 50ms", d)
	}
}
