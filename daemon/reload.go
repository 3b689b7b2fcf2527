package daemon

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/daemon/config"
)

// reloadNow reloads, telling systemd (RELOADING=1, then READY=1 whichever
// way it went), and returns nil when the configuration was applied. A
// rejected reload's STATUS, which says so, comes before its READY=1; an
// applied one is over once its checks are in place, and the summary of
// them all (ten thousand Health calls on a large host) follows READY=1.
func (d *daemon) reloadNow() error {
	d.notify.Reloading()
	err := d.reload()
	if err != nil {
		d.status(time.Now())
		d.notify.Ready()
		return err
	}
	d.notify.Ready()
	d.status(time.Now())
	return nil
}

// reload reads the configuration again and applies it as a difference. An
// invalid configuration changes nothing; the error lists why, a reason a
// line.
func (d *daemon) reload() error {
	// The checks whose text did not change are taken as the engine runs
	// them, not built again (config.LoadAfter).
	last := d.cfg // read here: an abandoned parse must not race the next reload's write
	load := func(path string) (*config.Config, error) { return config.LoadAfter(path, last, d.engine.Spec) }
	cfg, err := loadWithin(load, d.path, parseDeadline)
	var moved *controlSocket
	if err == nil && cfg.Daemon.ControlSocket != d.control.Path() {
		// Bound before anything changes: a socket that cannot move rejects
		// the reload as a whole.
		moved, err = listenControl(cfg.Daemon.ControlSocket)
	}
	if err == nil {
		err = d.events.Set(cfg.Daemon.LogFormat, cfg.Daemon.LogLevel)
	}
	if err == nil {
		// Last of what can fail, and like the control socket, bound before
		// the checks change: a move that cannot be bound rejects the
		// reload, rather than being applied in name only.
		if err = d.serveMetrics(cfg.Daemon.MetricsListen); err != nil {
			err = fmt.Errorf("%s: [daemon] %w", d.path, err)
			d.events.Set(d.cfg.Daemon.LogFormat, d.cfg.Daemon.LogLevel) //nolint:errcheck // in force until now
		}
	}
	if err != nil {
		if moved != nil {
			moved.Close()
		}
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
	prev := d.cfg
	d.cfg, d.reloadError = cfg, ""
	d.alerts.SetConfig(alertConfig(cfg.Daemon))
	if moved != nil {
		old := d.control
		d.serveControl(moved)
		// The old socket answers what is in flight (this reload's own
		// answer among them) before it goes.
		go old.Close()
	}
	if cfg.Daemon.StateFile != prev.Daemon.StateFile || cfg.Daemon.StrictPermissions != prev.Daemon.StrictPermissions {
		d.moveStore(cfg)
	}
	ch := d.engine.Apply(cfg.Checks, settings(cfg))
	d.metrics.Forget(ch.Removed...)
	d.metrics.Loaded(true, time.Now())
	d.log.Info("config_loaded", zap.String("file", d.path), zap.Int("checks", len(cfg.Checks)),
		zap.Strings("added", ch.Added), zap.Strings("changed", ch.Changed),
		zap.Strings("removed", ch.Removed), zap.Int("kept", len(ch.Kept)))
	logWarnings(d.log, cfg)
	cfg.Checks = nil // the engine keeps each check's settings; no second copy
	return nil
}

// moveStore follows a state_file (or strict_permissions) that a reload
// changed: what heatd has decided so far goes to the new file, over what
// that file held, and the old store is written a last time and closed.
func (d *daemon) moveStore(cfg *config.Config) {
	next := openStore(cfg, d.log)
	old := d.engine.Move(next)
	d.store = next
	old.Close() //nolint:errcheck // a failed write was state_file_failed
}

// parseDeadline bounds a reload's parse. A file within the loader's bounds
// parses in well under a second, even ten thousand checks on a busy host;
// a parse still going after this is stuck (a file system that does not
// answer), and the engine must not wait on it.
const parseDeadline = 30 * time.Second

// loadWithin runs load(path) in a goroutine of its own, so that neither a
// panic nor a parse that never ends reaches the running engine: a panic is
// an error, and past within the parse is abandoned and the reload
// rejected, the old configuration running on. An abandoned parse ends by
// itself when its read or decode does; it holds nothing the engine needs.
func loadWithin(load func(string) (*config.Config, error), path string, within time.Duration) (*config.Config, error) {
	type result struct {
		cfg *config.Config
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("%s: cannot be parsed: %v", path, p)}
			}
		}()
		cfg, err := load(path)
		done <- result{cfg, err}
	}()
	timer := time.NewTimer(within)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.cfg, r.err
	case <-timer.C:
		return nil, fmt.Errorf("%s: not parsed within %v; the reload is rejected", path, within)
	}
}
