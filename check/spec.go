// Package check runs one named check: the state machine of HEAT's semantics
// (machine.go), the loop that drives it on a schedule (loop.go), and the
// kinds of check, the ways a check is run (kind.go: a command, a script, a
// native probe).
package check

import (
	"reflect"
	"syscall"
	"time"

	"github.com/heatd/heatd/action"
)

// Spec is one check's effective settings: defaults applied, paths resolved.
// Two checks with equal Specs behave the same, which is what reload compares.
type Spec struct {
	Name string

	// Probe is what the check runs, with its kind's own settings (kind.go).
	Probe Probe

	// DependsOn are the checks this one depends on, sorted: a set, so that
	// a list only reordered is an equal Spec. nil: none.
	DependsOn []string

	Interval time.Duration
	Timeout  time.Duration // zero: none (heat without --timeout)

	Target        action.Target
	Signal        syscall.Signal // per normal-mode failure; 0: none
	FaultSignal   syscall.Signal // before each recovery; 0: none
	SuccessSignal syscall.Signal // on a verified recovery; 0: none

	Fail            string        // script run on each normal-mode failure
	Recovery        string        // script run when Threshold is reached
	RecoveryUnit    string        // systemd unit restarted instead, when Threshold is reached
	Threshold       int           // 0: no recovery
	RecoveryTimeout time.Duration // 0: verify by count (Threshold runs)
	ScriptTimeout   time.Duration

	// The bounds of remediation (SPEC 12). A zero value is the key's
	// default, and with them all zero a check behaves as HEAT's rules say
	// (but for watching its target: heat sets NoWatch).
	StartPeriod         time.Duration // failures this long after the first run take no step
	SuccessThreshold    int           // ok runs in a row that end a streak; 0 is 1
	RetryInterval       time.Duration // the period while failing; 0: Interval
	RecoveryBackoff     time.Duration // the wait before a streak's second attempt, doubling; 0: none
	RecoveryBackoffMax  time.Duration // its cap; 0: DefaultBackoffMax
	RecoveryLimit       int           // attempts within RecoveryLimitWindow; 0: no limit
	RecoveryLimitWindow time.Duration // 0: DefaultLimitWindow
	FlapLow, FlapHigh   int           // percent; 0: DefaultFlapLow, DefaultFlapHigh
	NoWatch             bool          // the target's death does not run the check (watch_target = false)
	FlapDetection       bool

	// StrictLog: write HeatLog as root safety requires
	// (action.HeatLog.Strict). Beside the two bools above, all three in
	// one word: the engine keeps a Spec a check.
	StrictLog bool
	HeatLog   string            // this check's heat log
	Env       map[string]string // extra environment, defaults merged in
	Dir       string            // working directory of every process
}

// The defaults of the bounds that are not zero.
const (
	// DefaultBackoffMax caps the doubling wait between recovery attempts
	// as Kubernetes' crash-loop backoff does: 10s, 20s, 40s … 5m.
	DefaultBackoffMax = 5 * time.Minute
	// DefaultLimitWindow is how far back recovery_limit counts attempts: an
	// hour of restarts that fixed nothing is enough to stop and tell.
	DefaultLimitWindow = time.Hour
	// DefaultFlapLow and DefaultFlapHigh are the flap score's hysteresis,
	// in percent: Nagios' own defaults.
	DefaultFlapLow  = 20
	DefaultFlapHigh = 30
)

// Equal reports whether s and o are the same settings.
func (s *Spec) Equal(o *Spec) bool { return reflect.DeepEqual(s, o) }
