package action

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ParseSignal reads a signal as a config or command line gives it: a name
// with or without "SIG" in any case ("HUP", "SIGHUP", "hup"), or its number
// as a string or an integer ("1", int64(1)).
func ParseSignal(v any) (syscall.Signal, error) {
	switch v := v.(type) {
	case int64:
		return signalNumber(v)
	case int:
		return signalNumber(int64(v))
	case string:
		s := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return signalNumber(n)
		}
		name := strings.ToUpper(s)
		if !strings.HasPrefix(name, "SIG") {
			name = "SIG" + name
		}
		if sig := unix.SignalNum(name); sig != 0 {
			return sig, nil
		}
		return 0, fmt.Errorf("%q is not a signal (use a name such as HUP, USR1 or TERM, or a number)", v)
	default:
		return 0, fmt.Errorf("a signal is a name such as \"USR1\" or a number, not %T", v)
	}
}

// signalNumber accepts the signals Linux has: 1 to 64.
func signalNumber(n int64) (syscall.Signal, error) {
	if n < 1 || n > 64 {
		return 0, fmt.Errorf("%d is not a signal number (1 to 64)", n)
	}
	return syscall.Signal(n), nil
}

// SignalName is the signal's short upper-case name, such as "USR1", or its
// number when it has no name.
func SignalName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return strings.TrimPrefix(name, "SIG")
	}
	return strconv.Itoa(int(sig))
}
