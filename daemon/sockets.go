package daemon

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/control"
	"github.com/heatd/heatd/daemon/metrics"
)

// The two ways in from outside: the control socket (heatctl) and the
// metrics listener (Prometheus).

// serveControl serves the control socket s: status from the engine, and
// reloads handed to the main loop, the one place a reload happens.
func (d *daemon) serveControl(s *control.Server) {
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
