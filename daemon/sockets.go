package daemon

import (
	"context"
	"errors"

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
// let go, so a failed move keeps the metrics where they were.
func (d *daemon) serveMetrics(addr string) error {
	if d.metricsServer != nil && d.metricsServer.Addr == addr {
		return nil
	}
	var next *metrics.Server
	if addr != "" {
		var err error
		if next, err = metrics.Listen(addr, d.metrics); err != nil {
			return err
		}
	}
	if d.metricsServer != nil {
		d.metricsServer.Close()
	}
	d.metricsServer = next
	return nil
}
