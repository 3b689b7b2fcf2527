// Package sdnotify tells systemd how heatd is doing, through the socket in
// NOTIFY_SOCKET. Without one, every call does nothing, quietly.
package sdnotify

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// Notifier sends heatd's notifications. The zero value is not usable; use
// New.
//
// A datagram to a notify socket whose reader has stopped reading waits for
// room in its queue, forever. heatd's main loop, which must go on answering
// SIGTERM, never waits on one: it hands each notification to a sender of
// its own, through a bounded queue, and goes on.
type Notifier struct {
	// onError is told of the first failure to reach systemd only: a socket
	// that fails once fails every few seconds, and one line says it.
	onError func(error)
	once    sync.Once

	addr  *net.UnixAddr // nil without NOTIFY_SOCKET
	queue chan string   // notifications not yet sent
	quit  chan struct{} // closed by Close
	done  chan struct{} // closed when the sender has ended

	mu         sync.Mutex
	lastStatus string
	lastSent   time.Time
	closed     bool
}

// queueLen bounds the notifications waiting for a slow systemd: minutes of
// watchdog pings and status lines, while the reader is merely busy (PID 1
// during a daemon-reload). Past it, the reader is stuck, and a notification
// is dropped rather than held.
const queueLen = 64

// writeTimeout bounds one datagram's wait for room: long enough for a busy
// systemd, short enough that a stuck one costs the sender, not heatd, a
// failed write now and then.
const writeTimeout = 5 * time.Second

// closeWait bounds how long Close waits for queued notifications (the
// STOPPING=1 of a stop) to go out.
const closeWait = time.Second

// errQueueFull says notifications are being dropped.
var errQueueFull = errors.New("notify socket: the reader is not reading; notifications dropped")

// New makes a Notifier for the NOTIFY_SOCKET heatd was started with, that
// reports its first failure to onError.
func New(onError func(error)) *Notifier {
	n := &Notifier{onError: onError}
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return n
	}
	// NOTIFY_SOCKET stays in the environment: every later message (READY
	// after each reload, the watchdog) needs it. An abstract socket's "@"
	// is understood by net as it is by systemd.
	n.addr = &net.UnixAddr{Name: path, Net: "unixgram"}
	n.queue = make(chan string, queueLen)
	n.quit = make(chan struct{})
	n.done = make(chan struct{})
	go n.sender()
	return n
}

// send queues one datagram of "KEY=value" lines, never waiting.
func (n *Notifier) send(state string) {
	if n.queue == nil {
		return
	}
	select {
	case n.queue <- state:
	default:
		n.fail(errQueueFull)
	}
}

// sender writes the queued notifications, in order, until Close.
func (n *Notifier) sender() {
	defer close(n.done)
	for {
		select {
		case msg := <-n.queue:
			n.write(msg)
		case <-n.quit:
			for {
				select {
				case msg := <-n.queue:
					n.write(msg)
				default:
					return
				}
			}
		}
	}
}

// write sends one datagram, on a socket of its own: systemd may have made
// its socket anew since the last one (a daemon-reexec).
func (n *Notifier) write(msg string) {
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		n.fail(err)
		return
	}
	defer conn.Close()
	conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := conn.Write([]byte(msg)); err != nil {
		n.fail(err)
	}
}

func (n *Notifier) fail(err error) {
	if n.onError != nil {
		n.once.Do(func() { n.onError(err) })
	}
}

// Close sends what is queued, waiting for it no longer than closeWait, and
// ends the sender. Notifications after Close are dropped.
func (n *Notifier) Close() {
	n.mu.Lock()
	closed := n.closed
	n.closed = true
	n.mu.Unlock()
	if n.queue == nil || closed {
		return
	}
	close(n.quit)
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-n.done:
	case <-t.C:
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
