// Package sdnotify tells systemd how heatd is doing, through the socket in
// NOTIFY_SOCKET. Without it every call does nothing, quietly.
package sdnotify

import (
	"github.com/coreos/go-systemd/v22/daemon"
)

// Send sends one notification of one or more "KEY=value" lines. It reports
// whether it was sent; with no NOTIFY_SOCKET it sends nothing and says so
// without an error.
func Send(state string) (bool, error) {
	// unsetEnvironment=false: NOTIFY_SOCKET must stay for later messages
	// (READY after each reload, the watchdog).
	return daemon.SdNotify(false, state)
}

// Ready says heatd is up, or back after a reload.
func Ready() error { _, err := Send(daemon.SdNotifyReady); return err }

// Reloading says a reload has begun, with the monotonic time systemd
// requires in the same message.
func Reloading() error {
	_, err := Send(daemon.SdNotifyReloading + "\n" + daemon.SdNotifyMonotonicUsec())
	return err
}

// Stopping says heatd is stopping.
func Stopping() error { _, err := Send(daemon.SdNotifyStopping); return err }

// Status sets the one-line status systemctl shows.
func Status(line string) error { _, err := Send("STATUS=" + line); return err }
