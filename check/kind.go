package check

import "context"

// A kind of check is how a check runs: a command, a script, a native probe.
// Each kind is a file of its own that brings its settings (a Probe), its
// runs (a Prober) and its registry entry (a Kind), and one line in Kinds.
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

// Kind is a kind of check as the configuration knows it.
type Kind struct {
	// Key is the config key that makes a check of this kind; its value is
	// the kind's main setting (`http = "URL"`). A check has exactly one.
	Key string
	// Doc is Key's line in the README's table of check keys.
	Doc string
	// Keys are the kind's other config keys (http_method...), which only a
	// check of this kind may set; Edit sets them on its Probe.
	Keys []string
	// New is the Probe of `Key = value`, its other keys at their defaults.
	New func(value string) Probe
}

// Kinds are the kinds of check, in the order the README lists them. A new
// kind is its own file and one line here.
func Kinds() []Kind {
	return []Kind{commandKind(), scriptKind(), httpKind(), tcpKind(), processKind()}
}

// KindOf is the kind that a config key makes; false when key makes none.
func KindOf(key string) (Kind, bool) {
	for _, k := range Kinds() {
		if k.Key == key {
			return k, true
		}
	}
	return Kind{}, false
}

// Edit changes spec's Probe with set when it is a P, and reports whether it
// is: how the configuration sets a kind's other keys, typed, so a setting
// whose type changes is a compile error.
func Edit[P Probe](spec *Spec, set func(*P)) bool {
	p, ok := spec.Probe.(P)
	if !ok {
		return false
	}
	set(&p)
	spec.Probe = p
	return true
}
