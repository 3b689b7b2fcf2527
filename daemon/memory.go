package daemon

import "runtime/debug"

// startGCPercent is Go's GOGC while the first runs of a start with splay 0
// run (holdStartHeap).
//
// With ten thousand checks the burst's heap peaks near three times what
// the idle checks keep, and with GOGC at 100 the collector lets it grow to
// twice what is live before each collection: the runtime's own bookkeeping
// of that heap (its spans, their bits) and the pages it touched stay with
// heatd after the memory is given back. At 25 it collects four times as
// often during those seconds, for about the same CPU in all (the burst's
// garbage dies young, and each collection marks only the checks' 20 MiB):
// RSS 0.5–1 MiB lower once idle, measured with 10,000 checks. Lower still
// (10) costs CPU and gains nothing more.
const startGCPercent = 25

// holdStartHeap keeps heatd's heap near what is live while the burst of
// its start runs, and returns the call that restores Go's setting once it
// is over, before returnStartMemory. An operator's GOGC lower than
// startGCPercent, or off, is left as it is. Neither READY=1, which comes
// before the burst, nor a start with a splay (no burst) nor heatd idle are
// touched by it.
func holdStartHeap() (restore func()) {
	was := debug.SetGCPercent(startGCPercent)
	if was <= startGCPercent { // off (-1) too
		debug.SetGCPercent(was)
	}
	return func() { debug.SetGCPercent(was) }
}

// returnStartMemory gives the OS back the memory heatd's start used and
// no longer needs, once the first runs are over (Engine.FirstRuns).
//
// With splay 0, ten thousand checks run at once at start, a thousand at a
// time (max_parallel), each run in flight with its goroutines, buffers and
// process bookkeeping. heatd's heap peaks near 90 MiB there, three times
// the 28 MiB its idle checks keep, and Go keeps the difference: with GOGC
// at 100 the heap may grow to twice what is live before the next
// collection, and Go's scavenger returns only what lies past that goal, so
// heatd idle would hold for good what its first seconds needed (75 to 135
// MiB of RSS with 10,000 checks, against 50 once returned). One forced
// collection that returns every free page, once, right after the burst,
// costs about 0.1 s of CPU; idle, heatd then allocates little enough that
// its heap stays near what is live. It is not done after a start whose
// first runs a splay spreads (no burst), after a reload, or on a timer: a
// busy heatd reuses its free heap, and forced collections would cost CPU
// and punctuality for nothing.
func returnStartMemory() { debug.FreeOSMemory() }
