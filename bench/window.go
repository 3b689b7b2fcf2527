package main

import (
	"errors"
	"fmt"
	"time"
)

// subject is a running supervisor measured in windows.
type subject struct {
	pause, resume func()                        // SIGSTOP and SIGCONT it
	cpu           func() (time.Duration, error) // its CPU and its reaped children's so far
	runs          func() (int64, error)         // check runs it has completed so far
	// own is its CPU alone so far, its children's left out; nil when
	// not measured.
	own func() (time.Duration, error)
}

// windowed is what repeated windows measured.
type windowed struct {
	perRun []float64 // CPU per run in each window, in ns
	rate   []float64 // runs a second in each window
	floor  []float64 // CPU per run of the floor between windows, in ns

	// The supervisor's own part of perRun and the floor program's own
	// part of floor, children left out: what spawning and reaping cost
	// each. Empty when the subject has no own.
	ownPerRun []float64
	floorOwn  []float64
}

// measureWindows measures s in n windows of d each. Before each window
// (and after the last) s is stopped while the floor runs floorArgv, so the
// two never share the CPU and a change in the host's load lands on both.
// A nil floorArgv runs no floor.
func (b *bench) measureWindows(s subject, n int, d time.Duration, floorArgv []string) (windowed, error) {
	var w windowed
	floor := func() error {
		if floorArgv == nil {
			return nil
		}
		s.pause()
		f, err := b.floorRun(b.plan.floorRuns, floorArgv...)
		s.resume()
		if err != nil && !errors.Is(err, errNoFloor) {
			return err
		}
		if err == nil {
			w.floor = append(w.floor, float64(f.total))
			w.floorOwn = append(w.floorOwn, float64(f.own))
		}
		// Time for the resumed supervisor to reap what ended while it was
		// stopped and to catch up with the runs it owes, so that neither
		// lands in the window.
		if !b.sleep(b.plan.settle) {
			return b.ctx.Err()
		}
		return nil
	}
	for range n {
		if err := floor(); err != nil {
			return w, err
		}
		r0, err := s.runs()
		if err != nil {
			return w, err
		}
		c0, err := s.cpu()
		if err != nil {
			return w, err
		}
		o0, err := ownOf(s)
		if err != nil {
			return w, err
		}
		t0 := time.Now()
		if !b.sleep(d) {
			return w, b.ctx.Err()
		}
		c1, err := s.cpu()
		if err != nil {
			return w, err
		}
		o1, err := ownOf(s)
		if err != nil {
			return w, err
		}
		wall := time.Since(t0)
		r1, err := s.runs()
		if err != nil {
			return w, err
		}
		if r1 <= r0 {
			return w, fmt.Errorf("no run in a window of %s", d)
		}
		w.perRun = append(w.perRun, float64(c1-c0)/float64(r1-r0))
		if s.own != nil {
			w.ownPerRun = append(w.ownPerRun, float64(o1-o0)/float64(r1-r0))
		}
		w.rate = append(w.rate, float64(r1-r0)/wall.Seconds())
		floorNow := "none"
		if len(w.floor) > 0 {
			floorNow = us(time.Duration(w.floor[len(w.floor)-1]))
		}
		b.progress("  window: %d runs, %s CPU, %s per run (floor before it: %s)",
			r1-r0, ms(c1-c0), us(time.Duration(w.perRun[len(w.perRun)-1])), floorNow)
	}
	return w, floor()
}

// ownOf is s's own CPU so far; 0 when it is not measured.
func ownOf(s subject) (time.Duration, error) {
	if s.own == nil {
		return 0, nil
	}
	return s.own()
}

// ownRatio is the median of the supervisor's own CPU per run over the
// median of the floor program's own; 0 when either is missing.
func (w windowed) ownRatio() float64 {
	if len(w.ownPerRun) == 0 || len(w.floorOwn) == 0 || median(w.floorOwn) == 0 {
		return 0
	}
	return median(w.ownPerRun) / median(w.floorOwn)
}

// ratio is the median CPU per run over the floor's median; 0 without a
// floor.
func (w windowed) ratio() float64 {
	if len(w.floor) == 0 {
		return 0
	}
	return median(w.perRun) / median(w.floor)
}

// ratioSpread is the range of each window's figure over the floor's median,
// to show how steady the ratio was.
func (w windowed) ratioSpread() string {
	if len(w.floor) == 0 || len(w.perRun) < 2 {
		return ""
	}
	f := median(w.floor)
	var rs []float64
	for _, x := range w.perRun {
		rs = append(rs, x/f)
	}
	return "windows " + spread(rs, times)
}
