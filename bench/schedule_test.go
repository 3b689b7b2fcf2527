package main

import (
	"slices"
	"testing"
	"time"
)

// The grid is rebuilt from the runs alone: lateness against the most
// punctual run, a slot with no run missed, a slot with two doubled.
func TestMeasurePunctuality(t *testing.T) {
	t.Parallel()
	const s = time.Second
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	at := func(check int, k int, late time.Duration) checkRun {
		// Check 1's grid is offset by 300 ms (its splay), and every start
		// carries 2 ms of reaping that cancels against the anchor.
		return checkRun{check: check, start: t0.Add(time.Duration(k)*s + time.Duration(check)*300*ms + 2*ms + late)}
	}
	runs := []checkRun{
		at(0, 0, 5*ms), at(0, 1, 0), at(0, 2, 1*ms), at(0, 3, 7*ms), at(0, 4, 0),
		at(1, 0, 0), at(1, 1, 4*ms), at(1, 3, 2*ms), at(1, 3, 3*ms), at(1, 4, 0), // slot 2 missed, slot 3 doubled
	}
	p := measurePunctuality(runs, s, t0.Add(500*ms), t0.Add(4500*ms), time.Time{}, nil)
	if p.checks != 2 || p.slots != 8 || p.missed != 1 || p.doubled != 1 {
		t.Errorf("checks %d, slots %d, missed %d, doubled %d; want 2, 8, 1, 1", p.checks, p.slots, p.missed, p.doubled)
	}
	got := make([]time.Duration, len(p.late))
	for i, l := range p.late {
		got[i] = time.Duration(l)
	}
	slices.Sort(got)
	want := []time.Duration{0, 0, 0, ms, 2 * ms, 3 * ms, 4 * ms, 7 * ms}
	if !slices.Equal(got, want) {
		t.Errorf("lateness %v, want %v", got, want)
	}

	// Anchored before a moment, a later shift of the whole grid shows.
	shifted := []checkRun{at(0, 0, 0), at(0, 1, 0), at(0, 2, 20*ms), at(0, 3, 20*ms)}
	p = measurePunctuality(shifted, s, t0.Add(1500*ms), t0.Add(3500*ms), t0.Add(1500*ms), nil)
	if q := time.Duration(quantile(p.late, 1)); q != 20*ms {
		t.Errorf("a grid moved by 20 ms shows a lateness of %v", q)
	}

	// heatd's own late field, when present, is taken as it is.
	withField := []checkRun{{check: 0, start: t0.Add(9 * ms), late: 9 * ms, hasLate: true},
		{check: 0, start: t0.Add(s + 3*ms), late: 3 * ms, hasLate: true}}
	p = measurePunctuality(withField, s, t0.Add(-time.Millisecond), t0.Add(1500*ms), time.Time{}, nil)
	if !p.field || p.missed != 0 || time.Duration(quantile(p.late, 1)) != 9*ms {
		t.Errorf("with heatd's late field: %+v", p)
	}
}
