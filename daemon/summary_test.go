package daemon

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
)

// The status line, made every second, costs the same few bytes however
// many checks there are: idle, heatd's garbage is what keeps its heap
// above what is live.
func TestSummaryAllocatesNoListOfChecks(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	e.Hold() // never released: the checks are there, and none runs
	defer e.Stop(time.Second)
	specs := make([]check.Spec, 2000)
	for i := range specs {
		specs[i] = spec(dir, fmt.Sprintf("c%d", i), "true", time.Hour)
	}
	e.Apply(specs, Settings{Grace: time.Second})
	const calls = 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range calls {
		if got, want := e.Summary(), "2000 checks: 2000 healthy, 0 failing, 0 recovering"; got != want {
			t.Fatalf("summary %q, want %q", got, want)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / calls; per > 1024 {
		t.Errorf("a summary of %d checks allocates %d bytes", len(specs), per)
	}
}
