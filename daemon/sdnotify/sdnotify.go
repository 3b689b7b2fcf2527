// Package sdnotify tells systemd how heatd is doing, through the socket in
// NOTIFY_SOCKET. Without one, every call does nothing, quietly.
package sdnotify

import (
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// Notifier sends heatd's notifications. The zero value is not usable; use
// New.
type Notifier struct {
	// onError is told of the first failure to reach systemd only: a socket
	// that fails once fails every few seconds, and one line says it.
	onError func(error)
	once    sync.Once

	mu         sync.Mutex
	lastStatus string
	lastSent   time.Time
}

// New makes a Notifier that reports its first failure to onError.
func New(onError func(error)) *Notifier {
	return &Notifier{onError: onError}
}

// send sends one datagram of "KEY=value" lines.
func (n *Notifier) send(state string) {
	// unsetEnvironment=false: NOTIFY_SOCKET must stay for every later
	// message (READY after each reload, the watchdog).
	if _, err := daemon.SdNotify(false, state); err != nil && n.onError != nil {
		n.once.Do(func() { n.onError(err) })
	}
}

// Ready says heatd is up, or back after a reload.
func (n *Notifier) Ready() { n.send(daemon.SdNotifyReady) }

// Reloading says a reload has begun, with the monotonic time that systemd
// wants in the same datagram.
func (n *Notifier) Reloading() {
	n.send(daemon.SdNotifyReloading + "\n" + daemon.SdNotifyMonotonicUsec())
}

// Stopping says heatd is stopping.
func (n *Notifier) Stopping() { n.send(daemon.SdNotifyStopping) }

// Watchdog pings systemd's watchdog.
func (n *Notifier) Watchdog() { n.send(daemon.SdNotifyWatchdog) }

// StatusInterval is the least time between two STATUS= updates: systemd
// shows the line to a person, and a flapping check must not flood it.
const StatusInterval = time.Second

// Status sets the one-line status that systemctl shows. An unchanged line
// is not sent again, and a line sent less than StatusInterval after the
// last is dropped: the caller offers the current line at least once per
// StatusInterval, so the latest one always gets through.
func (n *Notifier) Status(line string, now time.Time) {
	n.mu.Lock()
	if line == n.lastStatus || (!n.lastSent.IsZero() && now.Sub(n.lastSent) < StatusInterval) {
		n.mu.Unlock()
		return
	}
	n.lastStatus, n.lastSent = line, now
	n.mu.Unlock()
	n.send("STATUS=" + line)
}

// WatchdogInterval is how often to ping systemd's watchdog: half of
// WatchdogSec, as sd_watchdog_enabled(3) advises. Zero when the watchdog is
// off (or the variables speak for another process).
func WatchdogInterval() time.Duration {
	d, err := daemon.SdWatchdogEnabled(false)
	if err != nil || d <= 0 {
		return 0
	}
	return d / 2
}
