package action

import (
	"syscall"
	"testing"
)

func TestParseSignalSpellings(t *testing.T) {
	for _, v := range []any{"HUP", "SIGHUP", "hup", "SigHup", " hup ", "1", int64(1), 1} {
		if sig, err := ParseSignal(v); err != nil || sig != syscall.SIGHUP {
			t.Errorf("ParseSignal(%#v) = %v, %v; want SIGHUP", v, sig, err)
		}
	}
	for v, want := range map[string]syscall.Signal{"USR1": syscall.SIGUSR1, "sigusr2": syscall.SIGUSR2,
		"TERM": syscall.SIGTERM, "9": syscall.SIGKILL, "RTMIN": 0, "34": 34} {
		sig, err := ParseSignal(v)
		if want == 0 {
			if err == nil {
				t.Errorf("ParseSignal(%q) = %v, want an error", v, sig)
			}
			continue
		}
		if err != nil || sig != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", v, sig, err, want)
		}
	}
	for _, v := range []any{"", "FOO", "SIG", "0", "-1", "65", int64(0), int64(99), 1.5, true} {
		if sig, err := ParseSignal(v); err == nil {
			t.Errorf("ParseSignal(%#v) = %v, want an error", v, sig)
		}
	}
}

func TestSignalName(t *testing.T) {
	for sig, want := range map[syscall.Signal]string{syscall.SIGHUP: "HUP", syscall.SIGUSR1: "USR1",
		syscall.SIGKILL: "KILL", 40: "40"} {
		if got := SignalName(sig); got != want {
			t.Errorf("SignalName(%d) = %q, want %q", sig, got, want)
		}
	}
}
