package daemon

import (
	"go.uber.org/zap"

	"github.com/heatd/heatd/daemon/config"
)

// logWarnings logs each warning of a configuration just applied as a
// config_warning event: strict_permissions = false says so at every load.
func logWarnings(log *zap.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings {
		log.Warn("config_warning", zap.String("warning", w))
	}
}
