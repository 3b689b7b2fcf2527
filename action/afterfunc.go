package action

import "context"

// afterFuncer is a context that schedules its own callbacks, as the
// context package lets a context do: daemon's cancelSignal.
type afterFuncer interface {
	AfterFunc(f func()) (stop func() bool)
}

// AfterFunc is context.AfterFunc: f runs on a goroutine of its own once
// ctx has ended; stop keeps it from running and reports whether it did.
// A context with an AfterFunc method of its own is asked directly:
// context.AfterFunc would make a context of its own around the callback,
// some 200 bytes kept for as long as the callback waits, which ten
// thousand checks waiting for their stop multiply.
func AfterFunc(ctx context.Context, f func()) (stop func() bool) {
	if a, ok := ctx.(afterFuncer); ok {
		return a.AfterFunc(f)
	}
	return context.AfterFunc(ctx, f)
}
