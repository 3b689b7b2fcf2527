package action

import (
	"context"
	"testing"
	"time"
)

// ownAfterFunc is a context that schedules its callbacks itself.
type ownAfterFunc struct {
	context.Context
	asked int
}

func (c *ownAfterFunc) AfterFunc(f func()) func() bool {
	c.asked++
	return func() bool { return true }
}

// AfterFunc asks a context with an AfterFunc method of its own, and is
// context.AfterFunc for any other.
func TestAfterFunc(t *testing.T) {
	own := &ownAfterFunc{Context: context.Background()}
	if stop := AfterFunc(own, func() {}); own.asked != 1 || !stop() {
		t.Errorf("the context's own AfterFunc asked %d times", own.asked)
	}

	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan string, 2)
	AfterFunc(ctx, func() { ran <- "kept" })
	stop := AfterFunc(ctx, func() { ran <- "stopped" })
	if !stop() {
		t.Error("stop before the end reports false")
	}
	cancel()
	if got := <-ran; got != "kept" {
		t.Errorf("ran %q", got)
	}
	select {
	case got := <-ran:
		t.Errorf("ran %q too", got)
	case <-time.After(50 * time.Millisecond):
	}
}
