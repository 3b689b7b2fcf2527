package check

import (
	"context"
	"time"
)

// A kind of check is how a check runs: a command, a script, a native probe.
// Each kind is a file of its own that brings its settings (a Probe), its
// runs (a Prober) and its registry entry (a Kind: its config keys, how
// they are read and checked, their README lines), and one line in Kinds.
// The loop and the rules never learn a kind's name: they see the Results.

// Probe is what a check runs, with the kind's own settings: a Command, a
// Script, an HTTPProbe, a TCPProbe. It is a plain value compared by
// Spec.Equal, so a reload tells an unchanged check apart; it holds settings
// only, never what a run opens.
type Probe interface {
	// Kind is the config key that names the probe's kind ("http").
	Kind() string
	// Prepare makes the Prober of one check's life, spec being the check's
	// settings and base heatd's environment.
	Prepare(spec *Spec, base []string) Prober
}

// Prober runs one check of a kind. It is made once per check and kept for
// the check's life, so what it holds (an HTTP client's idle connection, a
// command's words split once) serves the next run.
type Prober interface {
	// Run runs the check once; ctx (heatd's kill context) ending cuts the
	// run short (Result.Interrupted).
	Run(ctx context.Context) Result
	// Close releases what the Prober keeps between runs.
	Close()
}

// inProcess is a Prober whose runs start no process (a native probe, a
// heartbeat, a process check): max_parallel bounds processes, and its
// check's runs take none of its slots (Check.stepHere).
type inProcess interface {
	Prober
	startsNoProcess()
}

// spawnless is a Doer that knows whether its check's runs start a process:
// a Doer that is not one is taken to start one each run.
type spawnless interface {
	spawnsNothing() bool
}

// Kind is a kind of check as the configuration knows it: the key that
// chooses it, whose value makes its Probe, and the keys of its own.
type Kind struct {
	// Key is the config key that makes a check of this kind; its value is
	// the kind's main setting (`http = "URL"`), and its name is the kind's
	// (Probe.Kind). A check has exactly one such key.
	Key
	// Form is how Key's value looks in a message: `"URL"`.
	Form string
	// Keys are the kind's other config keys (http_method...), which only a
	// check of this kind may set, in the order the README lists them.
	Keys []Key
}

// Kinds are the kinds of check, in the order the README lists them. A new
// kind is its own file and one line here.
func Kinds() []Kind {
	return []Kind{commandKind(), scriptKind(), httpKind(), tcpKind(), processKind(), heartbeatKind()}
}

// Paced is a Probe whose kind chooses its checks' interval when the
// configuration does not: a heartbeat looks at its beats a tenth as often
// as it expects them.
type Paced interface {
	DefaultInterval() time.Duration
}

// DefaultInterval is the interval of a check of p that sets none: p's own
// when p is Paced, else otherwise.
func DefaultInterval(p Probe, otherwise time.Duration) time.Duration {
	if pp, ok := p.(Paced); ok {
		return pp.DefaultInterval()
	}
	return otherwise
}

// Reported is a Prober that takes reports from outside heatd between its
// runs (a heartbeat's beats), through the Runner.
type Reported interface {
	Prober
	Beat(Beat)
}

// keeper is a Prober that takes over what the Prober of its check's
// previous settings learnt, when a reload changes the check.
type keeper interface {
	keep(from Prober)
}
