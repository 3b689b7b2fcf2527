package heat

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args    []string
		command string
		check   func(*options) bool
	}{
		{[]string{"-i", "30", "curl", "-sf", "localhost:8000"}, "curl -sf localhost:8000",
			func(o *options) bool { return o.interval == 30*time.Second }},
		{[]string{"-i5", "pgrep", "-f", "my server"}, "pgrep -f my server",
			func(o *options) bool { return o.interval == 5*time.Second }},
		{[]string{"-i", "0.5", "--pid=42", "--", "-x"}, "-x",
			func(o *options) bool { return o.interval == 500*time.Millisecond && o.pid == 42 && o.pidSet }},
		{[]string{"-i", "500ms", "-s", "./check", "--fail", "./fail", "--recovery", "./recover",
			"--threshold", "3", "--recovery-timeout", "10", "--fault-signal", "USR1", "--success-signal", "USR2",
			"--signal", "HUP", "--timeout", "1m"}, "",
			func(o *options) bool {
				return o.script == "./check" && o.fail == "./fail" && o.recovery == "./recover" && o.threshold == 3 &&
					o.recoveryTimeout == 10*time.Second && o.faultSignal == "USR1" && o.successSignal == "USR2" &&
					o.signal == "HUP" && o.timeout == time.Minute
			}},
		{[]string{"echo", "-i", "5"}, "echo -i 5", func(o *options) bool { return o.interval == defaultInterval }},
		{[]string{"-", "x"}, "- x", nil},
	} {
		o, err := parseArgs(c.args)
		if err != nil {
			t.Errorf("parseArgs(%q): %v", c.args, err)
			continue
		}
		if o.command != c.command || (c.check != nil && !c.check(o)) {
			t.Errorf("parseArgs(%q) = %+v", c.args, o)
		}
	}
	for _, args := range [][]string{{"-x"}, {"--pid"}, {"--pid", "x"}, {"-i", "-1"}, {"--threshold", "0"},
		{"--threshold", "1.5"}, {"--timeout", "0"}, {"-i", "NaN"}, {"-i", "1e300"}, {"--bogus=1"}} {
		_, err := parseArgs(args)
		var u *usageError
		if !errors.As(err, &u) {
			t.Errorf("parseArgs(%q) = %v, want a usage error", args, err)
		}
	}
}

// FuzzParseArgs: any command line is read or refused as a usage error,
// never a panic; what is read keeps the command's words as given.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"-i\x0030\x00curl\x00-sf\x00localhost:8000", "-s\x00./check\x00--pid=4",
		"--\x00-x", "-i5\x00--threshold\x003\x00true", "--recovery-timeout\x00inf", "-i\x00-5ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		o, err := parseArgs(args)
		if err != nil {
			var u *usageError
			if !errors.As(err, &u) {
				t.Fatalf("parseArgs(%q): %v is not a usage error", args, err)
			}
			return
		}
		if o.help {
			return
		}
		if o.interval <= 0 || o.timeout < 0 || o.recoveryTimeout < 0 || o.threshold < 0 {
			t.Fatalf("parseArgs(%q) accepted %+v", args, o)
		}
		if o.command == "" {
			return
		}
		for k := range args {
			if strings.Join(args[k:], " ") == o.command {
				return
			}
		}
		t.Fatalf("parseArgs(%q): command %q is not the last words", args, o.command)
	})
}
