package action

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Limiter bounds how many processes heatd runs at once (max_parallel), so
// heatd never runs itself out of descriptors or processes. A run waiting for
// a slot starts late; Acquire says how late. Its bound may change while runs
// hold slots (a reload): the new bound applies to the next Acquire.
type Limiter struct {
	mu      sync.Mutex
	max     int
	running int
	waiting []*waiter // first come, first served
	// While held (Hold), Go only notes its calls, in order, in deferred.
	held     bool
	deferred []deferredGo
	idle     []func() // WhenIdle's, waiting for the slots to be free
}

// deferredGo is a call of Go made while the Limiter was held.
type deferredGo struct {
	ctx context.Context
	f   func(waited time.Duration, err error)
}

// waiter is a run waiting for a slot.
type waiter struct {
	start   time.Time
	granted bool
	grant   func(waited time.Duration) // called with the slot taken and l.mu held; must not block
}

// NewLimiter allows max processes at once; max ≤ 0 means AutoParallel().
func NewLimiter(max int) *Limiter {
	l := &Limiter{}
	l.SetMax(max)
	return l
}

// SetMax changes the bound; max ≤ 0 means AutoParallel().
func (l *Limiter) SetMax(max int) {
	if max <= 0 {
		max = AutoParallel()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.max = max
	l.wake()
}

// Max is the bound in force.
func (l *Limiter) Max() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.max
}

// Acquire waits for a slot, or for ctx to end (then err is ctx's). waited
// is how long it waited. A nil Limiter has no bound.
func (l *Limiter) Acquire(ctx context.Context) (waited time.Duration, err error) {
	if l == nil {
		return 0, nil
	}
	ready := make(chan time.Duration, 1)
	w, ok := l.take(func(d time.Duration) { ready <- d })
	if ok {
		return 0, nil
	}
	l.mu.Unlock()
	select {
	case d := <-ready:
		return d, nil
	case <-ctx.Done():
		if !l.abandon(w) {
			l.Release() // granted meanwhile: hand it on
		}
		return time.Since(w.start), ctx.Err()
	}
}

// Go calls f on a goroutine of its own once a slot is free, f holding the
// slot (it must Release it), or with ctx's error once ctx ends first.
// Unlike Acquire, nothing blocks meanwhile: ten thousand runs due at once
// cost ten thousand small entries in a queue, not ten thousand goroutines.
// A nil Limiter calls f at once.
func (l *Limiter) Go(ctx context.Context, f func(waited time.Duration, err error)) {
	if l == nil {
		go f(0, nil)
		return
	}
	l.mu.Lock()
	if l.held {
		l.deferred = append(l.deferred, deferredGo{ctx, f})
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	var unhook func() bool
	w, ok := l.take(func(d time.Duration) {
		unhook()
		go f(d, nil)
	})
	if ok {
		go f(0, nil)
		return
	}
	unhook = AfterFunc(ctx, func() {
		if l.abandon(w) {
			f(time.Since(w.start), ctx.Err())
		}
	})
	l.mu.Unlock() // take left it held, so that grant cannot run before unhook is set
}

// Hold makes Go note its calls and do nothing more until Unhold, which
// makes them in the same order: a run's wait for a slot starts there.
//
// heatd holds its Limiter while it starts its checks. With splay 0 each
// check's start queues its first run, and a queue entry is a few small
// objects, freed once the run has its slot: made one check at a time,
// they lie between the objects each check keeps, and once freed leave
// holes that keep whole pages of heap in use for good. Made after every
// check has started, they lie together and go together.
func (l *Limiter) Hold() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = true
}

// Unhold makes the calls of Go noted since Hold, in their order.
func (l *Limiter) Unhold() {
	l.mu.Lock()
	calls := l.deferred
	l.held, l.deferred = false, nil
	l.mu.Unlock()
	for _, c := range calls {
		l.Go(c.ctx, c.f)
	}
}

// take takes a slot when one is free (ok), or queues a waiter to be granted
// one. When it queues, l.mu is left held for the caller to release.
func (l *Limiter) take(grant func(time.Duration)) (w *waiter, ok bool) {
	l.mu.Lock()
	if l.running < l.max && len(l.waiting) == 0 {
		l.running++
		l.mu.Unlock()
		return nil, true
	}
	w = &waiter{start: time.Now(), grant: grant}
	l.waiting = append(l.waiting, w)
	return w, false
}

// abandon takes w out of the queue; false when it was granted a slot
// already.
func (l *Limiter) abandon(w *waiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.granted {
		return false
	}
	for i, x := range l.waiting {
		if x == w {
			l.waiting = append(l.waiting[:i], l.waiting[i+1:]...)
			break
		}
	}
	return true
}

// Release frees a slot taken by Acquire.
func (l *Limiter) Release() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.running--
	l.wake()
	idle := l.becameIdle()
	l.mu.Unlock()
	for _, f := range idle {
		f()
	}
}

// WhenIdle calls f once no slot is taken and no run waits for one: at once
// when that is so now, else on the goroutine whose Release makes it so.
func (l *Limiter) WhenIdle(f func()) {
	l.mu.Lock()
	if l.running == 0 && len(l.waiting) == 0 && len(l.deferred) == 0 {
		l.mu.Unlock()
		f()
		return
	}
	l.idle = append(l.idle, f)
	l.mu.Unlock()
}

// becameIdle hands over WhenIdle's callbacks when no slot is taken and
// nothing waits; l.mu is held.
func (l *Limiter) becameIdle() []func() {
	if l.running > 0 || len(l.waiting) > 0 || len(l.deferred) > 0 {
		return nil
	}
	idle := l.idle
	l.idle = nil
	return idle
}

// wake grants slots to waiters while there is room; l.mu is held.
func (l *Limiter) wake() {
	for l.running < l.max && len(l.waiting) > 0 {
		w := l.waiting[0]
		l.waiting[0] = nil
		l.waiting = l.waiting[1:]
		l.running++
		w.granted = true
		w.grant(time.Since(w.start))
	}
}

// AutoParallel is max_parallel's automatic bound, from heatd's limits (and
// at most autoCeiling): a running check holds about four descriptors in
// heatd (its stderr pipe, its pidfd and its epoll instance; while it
// starts, /dev/null, the pipe's other end and the fork's own pipe for a
// moment), and each one is a process of heatd's user. A quarter of the descriptors and half of the
// processes leave room for everything else, heatd's own needs included.
func AutoParallel() int {
	nofile, nproc := uint64(unix.RLIM_INFINITY), uint64(unix.RLIM_INFINITY)
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil {
		nofile = lim.Cur
	}
	if unix.Getrlimit(unix.RLIMIT_NPROC, &lim) == nil {
		nproc = lim.Cur
	}
	return parallelFor(nofile, nproc)
}

// autoCeiling caps the automatic bound. Past a thousand processes at once
// nothing runs sooner on any machine (the kernel creates processes one at a
// time), while each run in flight costs heatd memory: a host whose limits
// allow a million processes must not have heatd start ten thousand checks
// in the same instant.
const autoCeiling = 1024

// parallelFor is AutoParallel's bound for these limits.
func parallelFor(nofile, nproc uint64) int {
	n := uint64(autoCeiling)
	if nofile != unix.RLIM_INFINITY {
		n = min(n, (max(nofile, reservedFiles)-reservedFiles)/4)
	}
	if nproc != unix.RLIM_INFINITY {
		n = min(n, nproc/2)
	}
	return int(max(n, 1))
}

// reservedFiles are descriptors kept for heatd itself: logs, sockets,
// config files and the runtime.
const reservedFiles = 64
