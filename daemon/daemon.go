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
	"syscall"

	"go.uber.org/zap"

	"github.com/heatd/heatd/daemon/config"
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
	log, level, err := NewLogger(cfg.Daemon.LogFormat, cfg.Daemon.LogLevel, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "heatd: %v\n", err)
		return 1
	}
	defer log.Sync() //nolint:errcheck // stderr may be a closed pipe

	// HUPs fold into one pending reload; TERM and INT stop.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer cancel()

	engine := NewEngine(log)
	engine.Apply(cfg.Checks, settings(cfg))
	log.Info("config_loaded", zap.String("file", path), zap.Int("checks", len(cfg.Checks)))
	notify(log, sdnotify.Ready())

	for {
		select {
		case <-ctx.Done():
			log.Info("stopping", zap.Duration("grace", cfg.Daemon.ShutdownGrace))
			notify(log, sdnotify.Stopping())
			engine.Stop(cfg.Daemon.ShutdownGrace)
			return 0
		case <-hup:
			notify(log, sdnotify.Reloading())
			if next, ok := reload(log, path, engine); ok {
				cfg = next
				level.SetLevel(mustLevel(cfg.Daemon.LogLevel))
			}
			notify(log, sdnotify.Ready())
		}
	}
}

// reload reads the configuration again and applies it as a difference. An
// invalid configuration changes nothing.
func reload(log *zap.Logger, path string, engine *Engine) (*config.Config, bool) {
	cfg, err := config.Load(path)
	if err != nil {
		var list config.Errors
		msgs := []string{err.Error()}
		if errors.As(err, &list) {
			msgs = msgs[:0]
			for _, e := range list {
				msgs = append(msgs, e.Error())
			}
		}
		log.Error("config_reload_failed", zap.String("file", path), zap.Strings("errors", msgs))
		return nil, false
	}
	ch := engine.Apply(cfg.Checks, settings(cfg))
	log.Info("config_loaded", zap.String("file", path), zap.Int("checks", len(cfg.Checks)),
		zap.Strings("added", ch.Added), zap.Strings("changed", ch.Changed),
		zap.Strings("removed", ch.Removed), zap.Int("kept", len(ch.Kept)))
	return cfg, true
}

// settings are the engine's part of cfg.
func settings(cfg *config.Config) Settings {
	return Settings{Splay: cfg.Daemon.Splay, Grace: cfg.Daemon.ShutdownGrace, MaxParallel: cfg.Daemon.MaxParallel}
}

// notify logs a failure to reach systemd; heatd goes on without it.
func notify(log *zap.Logger, err error) {
	if err != nil {
		log.Warn("notify_failed", zap.Error(err))
	}
}
