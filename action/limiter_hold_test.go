package action

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// While held, Go starts nothing, even with slots free; Unhold makes the
// calls noted, in their order, within the bound; one that has to wait for
// a slot and whose context ended meanwhile gets its error.
func TestLimiterHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(2)
		l.Hold()
		var mu sync.Mutex
		ran := map[int]error{}
		stopped, cancel := context.WithCancel(context.Background())
		for i := range 4 {
			ctx := context.Background()
			if i == 2 {
				ctx = stopped // it will wait: its context's end ends its wait
			}
			l.Go(ctx, func(waited time.Duration, err error) {
				mu.Lock()
				ran[i] = err
				mu.Unlock()
				if err == nil {
					time.Sleep(time.Second)
					l.Release()
				}
			})
		}
		cancel()
		time.Sleep(time.Second)
		synctest.Wait()
		if len(ran) != 0 {
			t.Fatalf("%v ran while held", ran)
		}
		l.Unhold()
		synctest.Wait()
		mu.Lock()
		_, three := ran[3]
		if len(ran) != 3 || ran[0] != nil || ran[1] != nil || !errors.Is(ran[2], context.Canceled) || three {
			t.Errorf("at Unhold %v, want 0 and 1 in the two slots, 2 with its context's error, 3 waiting", ran)
		}
		mu.Unlock()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if err, ok := ran[3]; !ok || err != nil {
			t.Errorf("3 did not run once a slot was free: %v", ran)
		}
	})
}

// Held, a call of Go is a note in a list and nothing more: no queue entry
// of its own, no callback on its context.
func TestLimiterHeldGoAllocatesNothingOfItsOwn(t *testing.T) {
	l := NewLimiter(1)
	l.Hold()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := func(time.Duration, error) {}
	if n := testing.AllocsPerRun(1000, func() { l.Go(ctx, f) }); n > 0.1 {
		t.Errorf("%v allocations a held Go", n)
	}
	cancel()
	l.Unhold()
}

// WhenIdle calls back at once when no slot is taken, else once the last
// slot is given back with nothing waiting.
func TestLimiterWhenIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(1)
		var calls atomic.Int32
		l.WhenIdle(func() { calls.Add(1) })
		if calls.Load() != 1 {
			t.Fatalf("an idle limiter called back %d times, want once at once", calls.Load())
		}
		l.Acquire(context.Background())
		l.Go(context.Background(), func(time.Duration, error) {
			time.Sleep(time.Second)
			l.Release()
		})
		l.WhenIdle(func() { calls.Add(1) })
		l.Release() // the waiting run takes the slot: not idle yet
		synctest.Wait()
		if calls.Load() != 1 {
			t.Fatalf("called back with a run under way")
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if calls.Load() != 2 {
			t.Errorf("called back %d times in all, want 2", calls.Load())
		}
	})
}
