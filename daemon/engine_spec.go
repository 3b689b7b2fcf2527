package daemon

import "github.com/heatd/heatd/check"

// Spec is the settings check name runs with now; ok is false when the
// engine runs no check of that name. A reload takes a check whose text did
// not change from here (config.LoadAfter) rather than build it again, and
// Apply then finds it equal and keeps it.
func (e *Engine) Spec(name string) (spec check.Spec, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	in, ok := e.checks[name]
	if !ok {
		return check.Spec{}, false
	}
	return in.spec, true
}
