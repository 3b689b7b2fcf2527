// Package daemon is heatd itself: it loads the configuration, runs the
// checks in an Engine, reloads on SIGHUP, stops on SIGTERM or SIGINT, and
// keeps systemd told.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/config"
	"github.com/heatd/heatd/daemon/control"
	"github.com/heatd/heatd/daemon/metrics"
	"github.com/heatd/heatd/daemon/sdnotify"
)

// Run is heatd: it runs the checks of the configuration at path until ctx
// ends or SIGTERM or SIGINT comes, and returns the exit status: 0 after a
// clean stop, 1 when the configuration is invalid at start.
func Run(ctx context.Context, path string, stderr io.Writer) int {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	events, err := NewEventLog(cfg.Daemon.LogFormat, cfg.Daemon.LogLevel, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "heatd: %v\n", err)
		return 1
	}
	log := events.Logger()
	defer log.Sync() //nolint:errcheck // stderr may be a closed pipe

	// A write to a broken stderr (journald restarted under us) must fail,
	// not kill heatd with SIGPIPE. Caught rather than ignored: an ignored
	// signal stays ignored in the checks heatd starts; a caught one does not.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)

	// HUPs fold into one pending reload; TERM and INT stop.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer cancel()

	d := &daemon{
		path:    path,
		cfg:     cfg,
		events:  events,
		log:     log,
		notify:  sdnotify.New(func(err error) { log.Warn("notify_failed", zap.Error(err)) }),
		reloads: make(chan chan error),
	}
	d.engine = NewEngine(log, func(name string, r check.Result) { d.metrics.Ran(name, r) })
	d.metrics = metrics.New(d.engine)
	if err := d.serveMetrics(cfg.Daemon.MetricsListen); err != nil {
		fmt.Fprintf(stderr, "heatd: metrics_listen %q: %v\n", cfg.Daemon.MetricsListen, err)
		return 1
	}
	defer d.serveMetrics("")
	ctl, err := control.Listen(cfg.Daemon.ControlSocket)
	if err != nil {
		fmt.Fprintf(stderr, "heatd: %v\n", err)
		return 1
	}
	d.stopping = ctx.Done()
	d.serveControl(ctl)
	// Closed after the engine has stopped: status answers during the grace.
	defer func() { d.control.Close() }()
	d.engine.Apply(cfg.Checks, settings(cfg))
	d.metrics.Loaded(true, time.Now())
	log.Info("config_loaded", zap.String("file", path), zap.Int("checks", len(cfg.Checks)))
	logWarnings(log, cfg)
	d.status(time.Now())
	d.notify.Ready()

	statusTick := time.NewTicker(sdnotify.StatusInterval)
	defer statusTick.Stop()
	var watchdog <-chan time.Time
	if every := sdnotify.WatchdogInterval(); every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		watchdog = t.C
		d.feedWatchdog(time.Now())
	}
	for {
		select {
		case <-ctx.Done():
			log.Info("stopping", zap.Duration("grace", d.cfg.Daemon.ShutdownGrace))
			d.notify.Stopping()
			d.engine.Stop(d.cfg.Daemon.ShutdownGrace)
			return 0
		case <-hup:
			d.reloadNow()
		case reply := <-d.reloads:
			reply <- d.reloadNow()
		case now := <-statusTick.C:
			d.status(now)
		case now := <-watchdog:
			d.feedWatchdog(now)
		}
	}
}

// daemon is heatd's state between events.
type daemon struct {
	path   string
	cfg    *config.Config // the configuration in force
	events *EventLog
	log    *zap.Logger
	engine *Engine
	notify *sdnotify.Notifier

	metrics       *metrics.Metrics
	metricsServer *metrics.Server // nil when metrics_listen is off

	control *control.Server
	reloads chan chan error // reloads asked for on the control socket

	stopping    <-chan struct{} // closed when heatd begins to stop
	reloadError string          // why the last reload was rejected; "" once one is applied
	stalled     error           // what the watchdog last found wedged
}

// reloadNow reloads, telling systemd (RELOADING=1, then READY=1 whichever
// way it went), and returns nil when the configuration was applied.
func (d *daemon) reloadNow() error {
	d.notify.Reloading()
	err := d.reload()
	d.status(time.Now())
	d.notify.Ready()
	return err
}

// reload reads the configuration again and applies it as a difference. An
// invalid configuration changes nothing; the error lists why, a reason a
// line.
func (d *daemon) reload() error {
	cfg, err := config.Load(d.path)
	var moved *control.Server
	if err == nil && cfg.Daemon.ControlSocket != d.control.Path() {
		// Bound before anything changes: a socket that cannot move rejects
		// the reload as a whole.
		moved, err = control.Listen(cfg.Daemon.ControlSocket)
	}
	if err == nil {
		err = d.events.Set(cfg.Daemon.LogFormat, cfg.Daemon.LogLevel)
	}
	if err != nil {
		msgs := []string{err.Error()}
		var list config.Errors
		if errors.As(err, &list) {
			msgs = msgs[:0]
			for _, e := range list {
				msgs = append(msgs, e.Error())
			}
		}
		d.log.Error("config_reload_failed", zap.String("file", d.path), zap.Strings("errors", msgs))
		d.metrics.Loaded(false, time.Now())
		d.reloadError = msgs[0]
		if len(msgs) > 1 {
			d.reloadError += fmt.Sprintf(" (and %d more)", len(msgs)-1)
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	d.cfg, d.reloadError = cfg, ""
	if moved != nil {
		old := d.control
		d.serveControl(moved)
		// The old socket answers what is in flight (this reload's own
		// answer among them) before it goes.
		go old.Close()
	}
	if err := d.serveMetrics(cfg.Daemon.MetricsListen); err != nil {
		// The checks matter more than their metrics: apply the rest.
		d.log.Error("metrics_listen_failed", zap.String("address", cfg.Daemon.MetricsListen), zap.Error(err))
	}
	ch := d.engine.Apply(cfg.Checks, settings(cfg))
	d.metrics.Forget(ch.Removed...)
	d.metrics.Loaded(true, time.Now())
	d.log.Info("config_loaded", zap.String("file", d.path), zap.Int("checks", len(cfg.Checks)),
		zap.Strings("added", ch.Added), zap.Strings("changed", ch.Changed),
		zap.Strings("removed", ch.Removed), zap.Int("kept", len(ch.Kept)))
	logWarnings(d.log, cfg)
	return nil
}

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

// status offers systemd the current status line.
func (d *daemon) status(now time.Time) {
	line := d.engine.Summary()
	if d.reloadError != "" {
		line = "reload failed: " + d.reloadError + "; running the last good config: " + line
	}
	d.notify.Status(line, now)
}

// feedWatchdog pings systemd's watchdog if, and only if, every check loop
// is live: a wedged engine goes unfed, and systemd restarts heatd.
func (d *daemon) feedWatchdog(now time.Time) {
	err := d.engine.Live(now)
	if err != nil {
		if d.stalled == nil || err.Error() != d.stalled.Error() {
			d.log.Error("watchdog_withheld", zap.Error(err))
		}
		d.stalled = err
		return
	}
	d.stalled = nil
	d.notify.Watchdog()
}

// settings are the engine's part of cfg.
func settings(cfg *config.Config) Settings {
	return Settings{Splay: cfg.Daemon.Splay, Grace: cfg.Daemon.ShutdownGrace, MaxParallel: cfg.Daemon.MaxParallel}
}
