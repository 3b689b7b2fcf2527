package daemon

import (
	"sync/atomic"

	"github.com/heatd/heatd/action"
)

// firstRuns counts down the checks that heatd's start released (Release)
// with their first run due at once, until each has ended that run, or
// ended without one (a stop that came first). With splay 0 every check runs at once at start: ten
// thousand runs queue for max_parallel's slots, and the memory they take
// on the way is what Go keeps as its heap until told otherwise. Once the
// count reaches zero, and the steps of those runs have ended too (their
// events written, their scripts run: slots holds a slot for each step),
// heatd can give that memory back (memory.go).
type firstRuns struct {
	left  atomic.Int64
	slots *action.Limiter
	done  chan struct{} // closed when left reaches zero and slots is idle
}

// ran tells of one check's first run ended, once per check (instance.ranOnce).
func (f *firstRuns) ran() {
	if f.left.Add(-1) == 0 {
		f.slots.WhenIdle(func() { close(f.done) })
	}
}

// ranOnce tells the start's count, the first time only, that the check's
// first run has ended or the check has; an instance that was not released
// at start counts nothing.
func (in *instance) ranOnce() {
	if in.counted && !in.told.Swap(true) {
		in.e.started.ran()
	}
}
