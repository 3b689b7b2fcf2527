package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/control"
	"github.com/heatd/heatd/daemon/metrics"
)

// The two ways in from outside: the control socket (heatctl) and the
// metrics listener (Prometheus).

// controlSocket is a bound control socket and the folders heatd made for
// it. A folder heatd made is heatd's to remove: a foreground heatd run as
// root must not leave an empty /run/heatd behind. One that was there
// before (systemd's RuntimeDirectory=) is left to whoever made it.
type controlSocket struct {
	*control.Server
	made      []string // the folders made for it, deepest first
	closeOnce sync.Once
	closeErr  error
}

// listenControl binds the control socket at path (control.Listen), noting
// which of its folders were missing before and are there after.
func listenControl(path string) (*controlSocket, error) {
	missing := missingFolders(filepath.Dir(path))
	srv, err := control.Listen(path)
	c := &controlSocket{Server: srv}
	for _, dir := range missing {
		if fi, err := os.Lstat(dir); err == nil && fi.IsDir() {
			c.made = append(c.made, dir)
		}
	}
	if err != nil {
		c.removeFolders()
		return nil, err
	}
	return c, nil
}

// Close closes the socket (control.Server.Close), then removes the
// folders heatd made for it, deepest first, each only while empty: a file
// someone else put there keeps it and every folder above it.
func (c *controlSocket) Close() error {
	c.closeOnce.Do(func() {
		c.closeErr = c.Server.Close()
		c.removeFolders()
	})
	return c.closeErr
}

func (c *controlSocket) removeFolders() {
	for _, dir := range c.made {
		// rmdir: it refuses a folder that is not empty, with no race
		// between a look and the removal.
		if unix.Rmdir(dir) != nil {
			return
		}
	}
}

// missingFolders are dir and the folders above it that are not there,
// deepest first: those that binding a socket in dir would create.
func missingFolders(dir string) []string {
	var missing []string
	for {
		if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
			return missing
		}
		missing = append(missing, dir)
		up := filepath.Dir(dir)
		if up == dir {
			return missing
		}
		dir = up
	}
}

// serveControl serves the control socket s: status from the engine, and
// reloads handed to the main loop, the one place a reload happens.
func (d *daemon) serveControl(s *controlSocket) {
	d.control = s
	src := &controlSource{engine: d.engine, reloads: d.reloads, stopping: d.stopping}
	go func() {
		if err := s.Serve(src); err != nil {
			d.log.Error("control_socket_failed", zap.String("socket", s.Path()), zap.Error(err))
		}
	}()
}

// controlSource is heatd as the control socket sees it.
type controlSource struct {
	engine   *Engine
	reloads  chan<- chan error
	stopping <-chan struct{}
}

func (s *controlSource) Statuses() []check.Status { return s.engine.Statuses() }

// Beat hands a job's report to its heartbeat check.
func (s *controlSource) Beat(name string, b check.Beat) error { return s.engine.Beat(name, b) }

// Pause pauses checks (heatctl pause).
func (s *controlSource) Pause(names []string, p check.Pause) ([]string, error) {
	return s.engine.Pause(names, p)
}

// Resume resumes checks (heatctl resume).
func (s *controlSource) Resume(names []string, uid int) ([]string, error) {
	return s.engine.Resume(names, uid)
}

// Run runs a check now (heatctl run).
func (s *controlSource) Run(ctx context.Context, name string) (check.Result, error) {
	return s.engine.Run(ctx, name)
}

// Reload hands a reload to the main loop and waits for its verdict.
func (s *controlSource) Reload(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case s.reloads <- reply:
	case <-s.stopping:
		return errors.New("heatd is stopping")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serveMetrics makes metrics served on addr ("": not at all), rebinding
// when the address changed. The new address is bound before the old one is
// let go, so a failed move keeps the metrics where they were. A move that
// cannot be bound beside the old listener (127.0.0.1:P to 0.0.0.0:P, the
// same port) lets the old one go first, and takes it back when the new one
// still cannot be bound. The error says where the metrics are then served.
func (d *daemon) serveMetrics(addr string) error {
	old := d.metricsServer
	if old != nil && old.Addr == addr {
		return nil
	}
	if addr == "" {
		if old != nil {
			old.Close()
		}
		d.metricsServer = nil
		return nil
	}
	next, err := metrics.Listen(addr, d.metrics, d.engine)
	if err == nil {
		if old != nil {
			old.Close()
		}
		d.metricsServer = next
		return nil
	}
	if old == nil {
		return fmt.Errorf("metrics_listen %q: %w", addr, err)
	}
	old.Close()
	if next, err2 := metrics.Listen(addr, d.metrics, d.engine); err2 == nil {
		d.metricsServer = next
		return nil
	}
	d.metricsServer = nil
	back, err2 := metrics.Listen(old.Addr, d.metrics, d.engine)
	if err2 != nil {
		return fmt.Errorf("metrics_listen %q: %w; and %q could not be bound again (%v): metrics are off", addr, err, old.Addr, err2)
	}
	d.metricsServer = back
	return fmt.Errorf("metrics_listen %q: %w; metrics are still served on %q", addr, err, old.Addr)
}
