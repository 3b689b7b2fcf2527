package check

import (
	"context"
	"errors"
	"time"
)

// heatctl run NAME: the check runs now, as a scheduled run with every step
// that follows it, and the schedule goes on from that run. A run is never
// doubled: asked while a step is under way (a run, its scripts, a
// recovery), the check waits for that step to end, then runs. The answer is
// that new run's result, given as soon as the run ends, before its steps
// (a recovery may take minutes).

// ErrStopped is RunNow's answer when the check stopped (heatd stopping, a
// reload that changed or removed it) before it could run.
var ErrStopped = errors.New("the check stopped before it ran")

// runAnswer is what a run asked for came to.
type runAnswer struct {
	r   Result
	err error
}

// RunNow runs the check as soon as no step is under way and returns that
// run's result; ctx's error when ctx ends first (the run still happens);
// ErrStopped when the check stops first.
func (c *Check) RunNow(ctx context.Context) (Result, error) {
	a := make(chan runAnswer, 1)
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return Result{}, ErrStopped
	}
	k := c.kept()
	k.asked = append(k.asked, a)
	// Not started yet (an instance waiting for the one before it): its
	// first run answers.
	if c.timer != nil && !c.busy && c.timer.Stop() {
		// Idle: the run now. A recovery due takes its step first; its
		// verification run, at once after it, answers.
		c.next = time.Now()
		c.waitFor(c.next)
		c.timer.Reset(0)
	}
	c.mu.Unlock()
	select {
	case ans := <-a:
		if ans.err == nil && ans.r.Interrupted {
			ans.err = ErrStopped
		}
		return ans.r, ans.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// answer gives r to those who asked for a run. Most runs have no one to
// answer: the answer's copy of r is made in a frame of its own, only then.
func answer(asked []chan<- runAnswer, r *Result) {
	if len(asked) > 0 {
		send(asked, r)
	}
}

// send gives r to each of asked.
//
//go:noinline
func send(asked []chan<- runAnswer, r *Result) {
	for _, a := range asked {
		a <- runAnswer{r: *r}
	}
}
