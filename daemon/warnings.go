package daemon

import (
	"go.uber.org/zap"

	"github.com/heatd/heatd/daemon/config"
)

// logWarnings logs each warning of a configuration just applied: a
// config_warning event (strict_permissions = false says so at every load),
// or a key_unused event for a key that can have no effect where it is
// written, with its check and key.
func logWarnings(log *zap.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings {
		log.Warn("config_warning", zap.String("warning", w))
	}
	for _, e := range cfg.Unused {
		log.Warn("key_unused", zap.String("check", e.Check), zap.String("key", e.Key), zap.String("warning", e.Error()))
	}
}
