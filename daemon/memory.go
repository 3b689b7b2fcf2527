package daemon

import "runtime/debug"

// returnStartMemory gives the OS back the memory heatd's start used and
// no longer needs, once the first runs are over (Engine.FirstRuns).
//
// With splay 0, ten thousand checks run at once at start; a thousand of
// them at a time (max_parallel) hold a goroutine, a process's descriptors
// and buffers each. That burst peaks near three times the memory the idle
// checks keep, and Go keeps the difference as free heap: with GOGC at 100
// the heap may grow to twice what is live before the next collection, and
// Go's scavenger only returns what lies past that goal, so heatd idle
// would hold for good what its first minute needed. One forced collection
// that returns every free page, once, right after the burst, costs a few
// tens of milliseconds of CPU a start; idle, heatd then allocates little
// enough that its heap stays near what is live. It is not done again
// after a reload or on a timer: a busy heatd reuses its free heap, and
// forcing collections would cost CPU for nothing.
func returnStartMemory() { debug.FreeOSMemory() }
