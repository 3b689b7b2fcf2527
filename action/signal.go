package action

import (
	"syscall"
)

// ParseSignal reads a signal as a config or command line gives it: a name
// with or without "SIG" in any case ("HUP", "SIGHUP", "hup"), or its number
// as a string or an integer ("1", int64(1)).
func ParseSignal(v any) (syscall.Signal, error) {
	return 0, errUnimplemented
}

// SignalName is the signal's short upper-case name, such as "USR1".
func SignalName(sig syscall.Signal) string {
	return ""
}

// Target names the process a check signals: a fixed PID, or the pid in a
// pidfile read at each send. The zero Target has no process.
type Target struct {
	PID     int
	Pidfile string
}

// IsSet reports whether the target names a process.
func (t Target) IsSet() bool { return t.PID != 0 || t.Pidfile != "" }

// Aim is an opened Target, ready to receive signals. For a PID it holds a
// pidfd taken when it was opened, so a recycled pid never receives a signal
// meant for a process that has died.
type Aim struct {
	target Target
}

// OpenTarget opens t. The Aim is always usable; err reports (for the
// target_missing warning) that a PID target is not alive now.
func OpenTarget(t Target) (*Aim, error) {
	return &Aim{target: t}, errUnimplemented
}

// Send sends sig to the target and returns the pid it went to. It never
// signals a pid ≤ 0, pid 1 or heatd itself; a target that is gone, an
// unreadable pidfile or a refused pid is an error saying why.
func (a *Aim) Send(sig syscall.Signal) (pid int, err error) {
	return 0, errUnimplemented
}

// Close releases the pidfd, if any.
func (a *Aim) Close() error { return nil }
