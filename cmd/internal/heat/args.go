package heat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// options are heat's command line, as HEAT had it.
type options struct {
	interval        time.Duration
	script          string
	command         string // the words after the options, joined by spaces
	pid             int
	pidSet          bool
	signal          string
	fail            string
	recovery        string
	threshold       int
	recoveryTimeout time.Duration
	faultSignal     string
	successSignal   string
	timeout         time.Duration
	help            bool
	version         bool
}

// usageError is a command line heat cannot read: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// defaultInterval is HEAT's: a check every 30 s when -i is not given.
const defaultInterval = 30 * time.Second

// parseArgs reads options up to the first word that is not one (or "--");
// the words after it are the command, joined with single spaces as HEAT
// joined them. So `heat -i 30 curl -sf localhost:8000` gives curl its own
// -sf. An option's value may follow it as the next word, or be joined to it
// ("-i30", "--pid=42").
func parseArgs(args []string) (*options, error) {
	o := &options{interval: defaultInterval}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break // the command starts here
		}
		if a == "-h" || a == "--help" {
			o.help = true
			return o, nil
		}
		if a == "-version" || a == "--version" {
			o.version = true
			return o, nil
		}
		name, value, joined := splitOption(a)
		set, ok := setters[name]
		if !ok {
			return nil, usagef("unknown option %s", name)
		}
		if !joined {
			if i+1 >= len(args) {
				return nil, usagef("option %s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := set(o, value); err != nil {
			return nil, usagef("option %s: %v", name, err)
		}
	}
	o.command = strings.Join(args[i:], " ")
	return o, nil
}

// splitOption separates "--pid=42" and "-i30" into name and value.
func splitOption(a string) (name, value string, joined bool) {
	if strings.HasPrefix(a, "--") {
		if k := strings.IndexByte(a, '='); k > 0 {
			return a[:k], a[k+1:], true
		}
		return a, "", false
	}
	if len(a) > 2 {
		return a[:2], strings.TrimPrefix(a[2:], "="), true
	}
	return a, "", false
}

// setters are heat's options by name.
var setters = map[string]func(*options, string) error{
	"-i": func(o *options, v string) (err error) { o.interval, err = seconds(v); return },
	"-s": func(o *options, v string) error { o.script = v; return nil },
	"--pid": func(o *options, v string) (err error) {
		o.pid, err = strconv.Atoi(v)
		o.pidSet = true
		if err != nil {
			return fmt.Errorf("%q is not a process id", v)
		}
		return nil
	},
	"--signal":   func(o *options, v string) error { o.signal = v; return nil },
	"--fail":     func(o *options, v string) error { o.fail = v; return nil },
	"--recovery": func(o *options, v string) error { o.recovery = v; return nil },
	"--threshold": func(o *options, v string) (err error) {
		o.threshold, err = strconv.Atoi(v)
		if err != nil || o.threshold < 1 {
			return fmt.Errorf("%q is not a whole number of at least 1", v)
		}
		return nil
	},
	"--recovery-timeout": func(o *options, v string) (err error) { o.recoveryTimeout, err = seconds(v); return },
	"--fault-signal":     func(o *options, v string) error { o.faultSignal = v; return nil },
	"--success-signal":   func(o *options, v string) error { o.successSignal = v; return nil },
	"--timeout":          func(o *options, v string) (err error) { o.timeout, err = seconds(v); return },
}

// seconds reads a time as HEAT took it, in seconds ("30", "0.5"), or as a
// Go duration ("500ms", "1m30s"). It must be positive.
func seconds(v string) (time.Duration, error) {
	var d time.Duration
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f > float64(1<<63-1)/float64(time.Second) {
			return 0, fmt.Errorf("%q is too long", v)
		}
		d = time.Duration(f * float64(time.Second))
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, fmt.Errorf("%q is not a number of seconds or a duration such as 500ms", v)
	}
	if d <= 0 {
		return 0, errors.New("must be more than 0")
	}
	return d, nil
}
