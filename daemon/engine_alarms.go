package daemon

import "github.com/heatd/heatd/check"

// WatchAlarms makes f hear of every check's alarms changing (the
// conditions heatd's alerts follow), as check.AlarmFunc says; call it
// before the first Apply. A check a reload removes or changes is heard no
// more once retired, and what its alarms held is turned off at once: a
// removed check's alerts resolve, and a changed one's new instance starts
// clean. Stop turns nothing off: heatd stopping says nothing of the
// checks.
func (e *Engine) WatchAlarms(f check.AlarmFunc) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.alarms = f
}

// instanceAlarms is the OnAlarms of instance in: it passes changes on to
// the engine's listener while in is its name's, and keeps what they came
// to, for retireAlarms. nil when nobody listens. e.mu is held.
func (e *Engine) instanceAlarms(in *instance) check.AlarmFunc {
	f := e.alarms
	if f == nil {
		return nil
	}
	return func(name string, from, to check.Alarms, last check.Result) {
		// Under in.mu, so that a change and the instance's retirement
		// reach f in the order they happened.
		in.mu.Lock()
		defer in.mu.Unlock()
		if in.retired {
			return
		}
		in.alarms = to
		f(name, from, to, last)
	}
}

// retireAlarms turns off the alarms a retired instance of name held.
func (e *Engine) retireAlarms(name string, fired check.Alarms) {
	if fired != 0 && e.alarms != nil {
		e.alarms(name, fired, 0, check.Result{})
	}
}
