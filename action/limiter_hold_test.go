package action

import (
	"context"
	"errors"
	"sync"
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
		var order []int
		var errs []error
		stopped, cancel := context.WithCancel(context.Background())
		for i := range 4 {
			ctx := context.Background()
			if i == 2 {
				ctx = stopped // it will wait: its context's end ends its wait
			}
			l.Go(ctx, func(waited time.Duration, err error) {
				mu.Lock()
				order = append(order, i)
				errs = append(errs, err)
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
		if len(order) != 0 {
			t.Fatalf("%v ran while held", order)
		}
		l.Unhold()
		synctest.Wait()
		mu.Lock()
		if want := []int{0, 1, 2}; !equalInts(order, want) {
			t.Errorf("at Unhold %v, want %v: two slots, and the ended context's error", order, want)
		}
		if len(errs) == 3 && (errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], context.Canceled)) {
			t.Errorf("errors %v", errs)
		}
		mu.Unlock()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if want := []int{0, 1, 2, 3}; !equalInts(order, want) {
			t.Errorf("in the end %v, want %v", order, want)
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
