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
	waiting []chan struct{} // first come, first served
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
	l.mu.Lock()
	if l.running < l.max && len(l.waiting) == 0 {
		l.running++
		l.mu.Unlock()
		return 0, nil
	}
	start := time.Now()
	ready := make(chan struct{})
	l.waiting = append(l.waiting, ready)
	l.mu.Unlock()
	select {
	case <-ready:
		return time.Since(start), nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		select {
		case <-ready: // granted meanwhile: hand it on
			l.running--
			l.wake()
		default:
			for i, w := range l.waiting {
				if w == ready {
					l.waiting = append(l.waiting[:i], l.waiting[i+1:]...)
					break
				}
			}
		}
		return time.Since(start), ctx.Err()
	}
}

// Release frees a slot taken by Acquire.
func (l *Limiter) Release() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running--
	l.wake()
}

// wake grants slots to waiters while there is room; l.mu is held.
func (l *Limiter) wake() {
	for l.running < l.max && len(l.waiting) > 0 {
		close(l.waiting[0])
		l.waiting = l.waiting[1:]
		l.running++
	}
}

// AutoParallel is max_parallel's automatic bound, from heatd's limits (and
// at most autoCeiling): a
// running check holds about four descriptors in heatd (its stderr pipe, its
// pidfd, and the two /dev/null ends while it starts), and each one is a
// process of heatd's user. A quarter of the descriptors and half of the
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
