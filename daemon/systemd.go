package daemon

import (
	"time"

	"go.uber.org/zap"
)

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
