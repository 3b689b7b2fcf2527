package action

import (
	"context"
	"errors"
	"fmt"
	"sync"

	sddbus "github.com/coreos/go-systemd/v22/dbus"
)

// Systemd is heatd's one connection to systemd's D-Bus API, shared by every
// check whose recovery restarts a unit (recovery_unit). It is opened at the
// first restart, since most hosts never restart a unit and need no bus, and
// opened again when it has dropped (systemd re-executed, the bus
// restarted). The zero value is not usable: make one with NewSystemd.
type Systemd struct {
	// life is the connection's context: godbus closes a connection when the
	// context it was opened with ends, so it is Systemd's own, not a
	// restart's, and ends at Close.
	life context.Context
	end  context.CancelFunc

	mu     sync.Mutex
	conn   *sddbus.Conn
	closed bool
}

// NewSystemd makes a Systemd that has not connected yet.
func NewSystemd() *Systemd {
	life, end := context.WithCancel(context.Background())
	return &Systemd{life: life, end: end}
}

// errClosed is a restart asked of a Systemd after Close: heatd is stopping.
var errClosed = errors.New("the connection to systemd is closed: heatd is stopping")

// restartMode is systemctl restart's own job mode: the restart replaces a
// job of the unit already queued (a start in progress, a stop), rather than
// failing because of it.
const restartMode = "replace"

// Restart restarts unit and waits for its job's result, which systemd gives
// as "done", "failed", "timeout", "canceled", "dependency" or "skipped".
// err is set when systemd could not be asked (no bus, no such unit, access
// denied), or ctx ended first (it is then ctx's error); a job whose result
// never came is left to systemd, which bounds its own jobs.
func (s *Systemd) Restart(ctx context.Context, unit string) (result string, err error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return "", err
	}
	// go-systemd sends the result while it holds its table of jobs: the
	// channel has room for it, so a restart that stopped waiting never holds
	// up another check's.
	done := make(chan string, 1)
	_, err = conn.RestartUnitContext(ctx, unit, restartMode, done)
	if err != nil && ctx.Err() == nil && !conn.Connected() {
		// The connection dropped since the last restart, and only this call
		// found out: once more on a new one. Asking twice is harmless, the
		// second job replacing the first.
		if conn, err = s.connect(ctx); err == nil {
			_, err = conn.RestartUnitContext(ctx, unit, restartMode, done)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", err
	}
	select {
	case result := <-done:
		return result, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// connect is the open connection, opened (again) when there is none. The
// dial is bounded by ctx: a bus that accepts and never answers costs the
// restart under way its timeout, not heatd a stuck check.
func (s *Systemd) connect(ctx context.Context) (*sddbus.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	if s.conn != nil && s.conn.Connected() {
		return s.conn, nil
	}
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
	type dialed struct {
		conn *sddbus.Conn
		err  error
	}
	ch := make(chan dialed, 1)
	go func() {
		// The system bus, or as root systemd's private socket when there is
		// no bus (a minimal host without dbus).
		conn, err := sddbus.NewWithContext(s.life)
		ch <- dialed{conn, err}
	}()
	select {
	case d := <-ch:
		if d.err != nil {
			return nil, fmt.Errorf("cannot connect to systemd: %w", d.err)
		}
		s.conn = d.conn
		return d.conn, nil
	case <-ctx.Done():
		go func() {
			if d := <-ch; d.conn != nil {
				d.conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// Close closes the connection, if one was opened; a Restart after it fails.
func (s *Systemd) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
	s.end()
}
