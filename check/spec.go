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

	HeatLog   string            // this check's heat log
	StrictLog bool              // write it as root safety requires (action.HeatLog.Strict)
	Env       map[string]string // extra environment, defaults merged in
	Dir       string            // working directory of every process
}

// Equal reports whether s and o are the same settings.
func (s *Spec) Equal(o *Spec) bool { return reflect.DeepEqual(s, o) }
