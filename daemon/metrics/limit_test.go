package metrics

import (
	"net"
	"testing"
	"time"
)

// The listener holds at most maxConns connections: those past the cap are
// closed at once, and a slot freed by a close is taken by the next comer.
func TestListenerCapsConnections(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newCapListener(raw, 3)
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	var held []net.Conn
	for range 3 {
		dial()
		held = append(held, <-accepted)
	}
	// One past the cap is reset, as it connects (the dial fails) or just
	// after (the read does).
	if extra, err := net.Dial("tcp", raw.Addr().String()); err == nil {
		extra.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := extra.Read(make([]byte, 1)); err == nil || isTimeout(err) {
			t.Errorf("a connection past the cap was kept open: %v", err)
		}
		extra.Close()
	}
	if n := ln.open.Load(); n != 3 {
		t.Errorf("%d connections counted open, want 3", n)
	}
	held[0].Close()
	held[0].Close() // a second close frees nothing more
	dial()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("a freed slot was not taken")
	}
	for _, c := range held[1:] {
		c.Close()
	}
	if n := ln.open.Load(); n != 0 {
		t.Errorf("%d connections counted open after all closed", n)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
