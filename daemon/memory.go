package daemon

import "runtime/debug"

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
