package action

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/sys/unix"
)

func TestLimiterBoundsAndQueues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(2)
		var mu sync.Mutex
		running, most := 0, 0
		var order []int
		var waits []time.Duration
		var wg sync.WaitGroup
		for i := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(i) * time.Millisecond) // arrive in order
				waited, err := l.Acquire(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				running++
				most = max(most, running)
				order = append(order, i)
				waits = append(waits, waited)
				mu.Unlock()
				time.Sleep(time.Second)
				mu.Lock()
				running--
				mu.Unlock()
				l.Release()
			}()
		}
		wg.Wait()
		if most != 2 {
			t.Errorf("%d at once, want 2", most)
		}
		if want := []int{0, 1, 2, 3, 4}; !equalInts(order, want) {
			t.Errorf("order %v, want first come first served", order)
		}
		// 2 and 3 waited for 0 and 1 (a second less their later arrival), 4 for 2
		// (released at 2 s, 4 arrived at 4 ms).
		want := []time.Duration{0, 0, 998 * time.Millisecond, 998 * time.Millisecond, 1996 * time.Millisecond}
		for i := range want {
			if waits[i] != want[i] {
				t.Errorf("waits %v, want %v", waits, want)
				break
			}
		}
	})
}

func TestLimiterGivesUpWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(1)
		l.Acquire(context.Background())
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		waited, err := l.Acquire(ctx)
		if err == nil || waited != time.Second {
			t.Fatalf("waited %v, err %v; want 1s and the context's error", waited, err)
		}
		l.Release()
		// The slot the cancelled waiter gave up is free.
		if waited, err := l.Acquire(context.Background()); err != nil || waited != 0 {
			t.Errorf("waited %v, err %v", waited, err)
		}
	})
}

func TestLimiterRaisedWakesWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(1)
		l.Acquire(context.Background())
		done := make(chan time.Duration)
		go func() { w, _ := l.Acquire(context.Background()); done <- w }()
		time.Sleep(time.Minute)
		l.SetMax(2)
		if w := <-done; w != time.Minute {
			t.Errorf("waited %v, want 1m", w)
		}
	})
}

func TestNilLimiterHasNoBound(t *testing.T) {
	var l *Limiter
	if w, err := l.Acquire(context.Background()); w != 0 || err != nil {
		t.Errorf("nil limiter: %v %v", w, err)
	}
	l.Release()
}

func TestParallelFor(t *testing.T) {
	inf := uint64(unix.RLIM_INFINITY)
	for _, c := range []struct {
		nofile, nproc uint64
		want          int
	}{
		{1024, inf, 240},
		{1024, 100, 50},
		{1 << 20, 63000, autoCeiling},
		{1 << 20, 1000, 500},
		{inf, inf, autoCeiling},
		{10, 1, 1},
		{0, 0, 1},
	} {
		if got := parallelFor(c.nofile, c.nproc); got != c.want {
			t.Errorf("parallelFor(%d, %d) = %d, want %d", c.nofile, c.nproc, got, c.want)
		}
	}
	if n := AutoParallel(); n < 1 {
		t.Errorf("AutoParallel() = %d", n)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLimiterGoQueuesWithoutGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(2)
		var mu sync.Mutex
		waits := make([]time.Duration, 5)
		var wg sync.WaitGroup
		for i := range 5 {
			wg.Add(1)
			l.Go(context.Background(), func(waited time.Duration, err error) {
				defer wg.Done()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				waits[i] = waited
				mu.Unlock()
				time.Sleep(time.Second)
				l.Release()
			})
		}
		synctest.Wait()
		// Two run; three wait as entries, not goroutines.
		if n := limiterGoroutines(); n != 2 {
			t.Errorf("%d goroutines with two runs and three waiting, want 2", n)
		}
		wg.Wait()
		// First come, first served: 2 and 3 got the slots 0 and 1 freed,
		// 4 one of theirs.
		want := []time.Duration{0, 0, time.Second, time.Second, 2 * time.Second}
		for i := range want {
			if waits[i] != want[i] {
				t.Errorf("waits %v, want %v", waits, want)
				break
			}
		}
	})
}

// limiterGoroutines counts the goroutines a Limiter started, read from
// every goroutine's stack: runtime.NumGoroutine would count too those of
// earlier tests still ending, which a busy machine lets linger.
func limiterGoroutines() int {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "created by github.com/heatd/heatd/action.(*Limiter).Go")
		}
		buf = make([]byte, 2*len(buf))
	}
}

func TestLimiterGoGivesUpWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(1)
		l.Acquire(context.Background())
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		var got error
		l.Go(ctx, func(waited time.Duration, err error) { calls++; got = err })
		time.Sleep(time.Second)
		cancel()
		synctest.Wait()
		if calls != 1 || got == nil {
			t.Fatalf("calls %d, err %v: want one call with the context's error", calls, got)
		}
		l.Release()
		synctest.Wait()
		if calls != 1 {
			t.Errorf("f called again after the slot freed")
		}
		if w, err := l.Acquire(context.Background()); err != nil || w != 0 {
			t.Errorf("the slot is not free: %v %v", w, err)
		}
	})
}
