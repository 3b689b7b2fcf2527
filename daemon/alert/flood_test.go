package alert

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/daemon/alert/alerttest"
)

// TestFloodStaysBounded: Fire from many goroutines at once, for more
// checks than any config holds, against a hung Alertmanager: calls do not
// wait for posts, and the alerts held stop at maxAlerts, the rest counted
// failed.
func TestFloodStaysBounded(t *testing.T) {
	addr := alerttest.FreeAddr(t)
	alerttest.Hang(t, addr)
	s := New(Config{URLs: []string{"http://" + addr}, Resend: time.Second}, zap.NewNop())

	const workers, each = 32, (maxAlerts + maxAlerts/2) / 32
	var wg sync.WaitGroup
	took := make([][]time.Duration, workers)
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				check := fmt.Sprintf("c%d-%d", w, i)
				t0 := time.Now()
				s.Fire(Alert(i%3), check, Annotations{Output: "down"}, false)
				if i%4 == 0 {
					s.Resolve(Alert(i%3), check)
				}
				took[w] = append(took[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(took...)
	slices.Sort(all)

	s.Close()
	held := len(s.alerts)
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	median := all[len(all)/2]
	t.Logf("%d calls from %d goroutines in %v: median %v, p99 %v, p99.9 %v, worst %v; %d alerts held, heap %d MiB",
		len(all), workers, elapsed, median, all[len(all)*99/100], all[len(all)*999/1000], all[len(all)-1],
		held, m.HeapAlloc>>20)
	if held > maxAlerts {
		t.Errorf("%d alerts held, want at most %d", held, maxAlerts)
	}
	if held < maxAlerts/2 {
		t.Errorf("only %d alerts held: the flood was not taken", held)
	}
	// The slowest calls are as late as the scheduler makes them, with 32
	// goroutines on a machine's few cores (a bare mutex and map show the
	// same tail); a call that waited for a post, a second here, would
	// move the median.
	if median > 100*time.Microsecond {
		t.Errorf("calls waited: median %v, want under 100µs", median)
	}
	if _, failed := s.Sent(); failed < uint64(workers*each-maxAlerts) {
		t.Errorf("%d failed, want at least the %d alerts that did not fit", failed, workers*each-maxAlerts)
	}
}
