package daemon

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A cancelSignal is a context as context.WithCancel's: Done closes and Err
// turns Canceled at cancel, once; context.AfterFunc runs its function
// after it, or never when stopped first; a context derived from it ends
// with it.
func TestCancelSignal(t *testing.T) {
	s := newCancelSignal()
	var ctx context.Context = s
	ran := make(chan string, 3)
	context.AfterFunc(ctx, func() { ran <- "kept" })
	stop := context.AfterFunc(ctx, func() { ran <- "stopped" })
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	if !stop() {
		t.Error("stop before the end reports false")
	}
	if ctx.Err() != nil {
		t.Errorf("Err %v before cancel", ctx.Err())
	}
	select {
	case <-ctx.Done():
		t.Fatal("Done closed before cancel")
	default:
	}
	s.cancel()
	s.cancel() // a second cancel is nothing
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("Err %v after cancel, want Canceled", ctx.Err())
	}
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a derived context did not end with it")
	}
	if got := <-ran; got != "kept" {
		t.Errorf("ran %q", got)
	}
	context.AfterFunc(ctx, func() { ran <- "late" })
	if got := <-ran; got != "late" {
		t.Errorf("an AfterFunc after the end: ran %q, want late", got)
	}
	select {
	case got := <-ran:
		t.Errorf("ran %q as well", got)
	case <-time.After(50 * time.Millisecond):
	}
	if _, ok := ctx.Deadline(); ok || ctx.Value("k") != nil {
		t.Error("a deadline or a value")
	}
}

// A zero cancelSignal (a stop's) makes its channel when Done is first
// called: one asked before cancel closes at cancel, one asked after is
// closed already, and a context derived from it ends with it.
func TestStopSignalDone(t *testing.T) {
	before := &cancelSignal{}
	child, cancelChild := context.WithCancel(before)
	defer cancelChild()
	done := before.Done()
	select {
	case <-done:
		t.Fatal("Done closed before cancel")
	default:
	}
	before.cancel()
	<-done
	if before.Done() != done {
		t.Error("a second Done is another channel")
	}
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a derived context did not end with it")
	}

	after := &cancelSignal{}
	after.cancel()
	select {
	case <-after.Done():
	default:
		t.Fatal("Done asked after cancel is not closed")
	}
	if !errors.Is(after.Err(), context.Canceled) {
		t.Errorf("Err %v after cancel, want Canceled", after.Err())
	}
}
