package check

import (
	"context"
	"fmt"
	"runtime/metrics"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/action"
)

// Checks whose first run is due at start queue for their slot without a
// goroutine each: ten thousand checks started at once with splay 0 must not
// be ten thousand goroutines at once, whose records Go never frees.
func TestStartQueuesFirstRunsWithoutGoroutines(t *testing.T) {
	const checks = 1000
	slots := action.NewLimiter(1)
	// The only slot is taken: every first run waits in the queue.
	if _, err := slots.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	stop, cancel := context.WithCancel(context.Background())
	all := make([]*Check, checks)
	before := goroutinesCreated()
	for i := range all {
		all[i] = New(&Spec{Name: fmt.Sprintf("c%d", i), Interval: time.Hour, Timeout: time.Second},
			Options{Doer: newWorld(func(int) int { return 0 }), Log: zap.NewNop(), Slots: slots})
		all[i].Start(stop, stop)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range all {
		for c.doing() != "waiting for a slot" {
			if time.Now().After(deadline) {
				t.Fatalf("check %s is %q, not waiting for a slot", c.name, c.doing())
			}
			time.Sleep(time.Millisecond)
		}
	}
	created := goroutinesCreated() - before
	cancel()
	for _, c := range all {
		<-c.Done()
	}
	slots.Release()
	if created > checks/10 {
		t.Errorf("%d checks queued for a slot with %d goroutines created", checks, created)
	}
}

// A check that logs keeps no logger of its own: ten thousand checks at
// debug level would keep ten thousand, each made amid its first run's
// garbage.
func TestEventsKeepNoLoggerPerCheck(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	base := zap.New(core)
	c := New(&Spec{Name: "web", Interval: time.Hour, Timeout: time.Second},
		Options{Doer: newWorld(func(int) int { return 0 }), Log: base})
	stop, cancel := context.WithCancel(context.Background())
	c.Start(stop, stop)
	deadline := time.Now().Add(10 * time.Second)
	for logs.FilterMessage("check_ok").Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no check_ok")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-c.Done()
	if e := logs.FilterMessage("check_ok").All()[0]; e.ContextMap()["check"] != "web" {
		t.Errorf("check_ok has check %v, want web", e.ContextMap()["check"])
	}
	if c.log != base {
		t.Error("the check keeps a logger of its own")
	}
}

// doing is what the check's loop is doing now.
func (c *Check) doing() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.phase.what
}

// goroutinesCreated counts the goroutines the program has created so far.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
