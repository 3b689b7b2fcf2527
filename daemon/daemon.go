// Package daemon is heatd itself: it loads the configuration, runs the
// checks in an Engine, reloads on SIGHUP, stops on SIGTERM or SIGINT, and
// keeps systemd told.
package daemon

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/alert"
	"github.com/heatd/heatd/daemon/config"
	"github.com/heatd/heatd/daemon/metrics"
	"github.com/heatd/heatd/daemon/sdnotify"
	"github.com/heatd/heatd/daemon/state"
)

// Run is heatd: it runs the checks of the configuration at path until ctx
// ends or SIGTERM or SIGINT comes, and returns the exit status: 0 after a
// clean stop, 1 when the configuration is invalid at start. version is
// heatd's own, for heatd_build_info.
func Run(ctx context.Context, path, version string, stderr io.Writer) int {
	closeInheritedOnExec()
	// Caught before anything else, the load first: a signal's default
	// action would end heatd (a HUP from a "systemctl reload" racing the
	// start). A HUP that comes during the load is a reload after READY=1;
	// a TERM, a stop as soon as the checks are scheduled.
	//
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
	reserveThreads(threadReserve())
	defer log.Sync() //nolint:errcheck // stderr may be a closed pipe

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
	d.metrics.Build(version)
	// Closed last, after the engine has stopped: what the checks' last
	// steps changed goes out, and the alerts still firing stay so.
	d.alerts = alert.New(alertConfig(cfg.Daemon), log)
	defer d.alerts.Close()
	d.engine.WatchAlarms(alarmsToAlerts(d.alerts))
	d.metrics.Alerts(d.alerts.Sent)
	if err := d.serveMetrics(cfg.Daemon.MetricsListen); err != nil {
		fmt.Fprintf(stderr, "heatd: %v\n", err)
		return 1
	}
	defer d.serveMetrics("")
	ctl, err := listenControl(cfg.Daemon.ControlSocket)
	if err != nil {
		fmt.Fprintf(stderr, "heatd: %v\n", err)
		if hint := SocketWarning(cfg); hint != "" {
			fmt.Fprintf(stderr, "heatd: %s\n", hint)
		}
		return 1
	}
	d.stopping = ctx.Done()
	d.serveControl(ctl)
	// Closed after the engine has stopped: status answers during the grace.
	defer func() { d.control.Close() }()
	// Read before the first Apply, once heatd is sure to run (its socket
	// bound): each check starts as it was left.
	d.store = openStore(cfg, log)
	d.engine.Remember(d.store)
	// Closed after the engine has stopped: the last decisions are written.
	defer func() { d.store.Close() }() //nolint:errcheck // a failed write was state_file_failed
	// Every check is scheduled before READY=1, and none runs until after
	// it: ten thousand first runs would otherwise race the load.
	d.engine.Hold()
	d.engine.Apply(cfg.Checks, settings(cfg))
	d.metrics.Loaded(true, time.Now())
	log.Info("config_loaded", zap.String("file", path), zap.Int("checks", len(cfg.Checks)))
	logWarnings(log, cfg)
	d.status(time.Now())
	d.notify.Ready()
	d.engine.Release()
	d.cfg.Checks = nil // the engine keeps each check's settings; no second copy

	statusTick := time.NewTicker(sdnotify.StatusInterval)
	defer statusTick.Stop()
	firstRuns := d.engine.FirstRuns()
	restoreGC := func() {}
	if firstRuns != nil {
		restoreGC = holdStartHeap()
	}
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
			d.notify.Close()
			return 0
		case <-hup:
			d.reloadNow()
		case reply := <-d.reloads:
			reply <- d.reloadNow()
		case <-firstRuns:
			firstRuns = nil
			restoreGC()
			returnStartMemory()
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
	alerts        *alert.Sender
	metricsServer *metrics.Server // nil when metrics_listen is off

	control *controlSocket
	reloads chan chan error // reloads asked for on the control socket
	store   *state.Store    // what is decided about the checks, in [daemon] state_file

	stopping    <-chan struct{} // closed when heatd begins to stop
	reloadError string          // why the last reload was rejected; "" once one is applied
	stalled     error           // what the watchdog last found wedged
}

// openStore opens cfg's state file, root safe as heatd's other files are
// when heatd runs as root with strict_permissions.
func openStore(cfg *config.Config, log *zap.Logger) *state.Store {
	strict := os.Geteuid() == 0 && cfg.Daemon.StrictPermissions
	return state.Open(cfg.Daemon.StateFile, strict, log)
}

// settings are the engine's part of cfg.
func settings(cfg *config.Config) Settings {
	return Settings{Splay: cfg.Daemon.Splay, Grace: cfg.Daemon.ShutdownGrace, MaxParallel: cfg.Daemon.MaxParallel}
}
