package main

import (
	"math"
	"slices"
	"time"
)

// A check's runs are due at anchor + k·interval (heatd counts each interval
// from the scheduled start, not the real one, so the grid never drifts).
// heatd does not log the schedule, so the grid is rebuilt from the runs: a
// run's slot k is its start's distance from the first run in intervals,
// rounded, and the anchor is the earliest start − k·interval, that of the
// most punctual run. Lateness is then measured against the best the check
// ever did; a delay common to every run of a check (a late first run) is
// not seen. A start is ts − duration of its check_ok event, which is a
// little later than the real start (the reaping and the event's making):
// that part is much the same for every run, and cancels against the anchor.
// When an event carries heatd's own "late" field, that is used instead.

// punctuality is how runs kept to their grid.
type punctuality struct {
	late    []float64 // lateness of each run due in the window, ns
	checks  int       // checks with runs
	slots   int       // runs due in the window, all checks
	missed  int       // of which no run came
	doubled int       // runs beyond one in a slot
	field   bool      // lateness came from heatd's "late" field
}

// grid is one check's schedule.
type grid struct {
	anchor time.Time
	slot   []int64 // each run's k
	late   []time.Duration
}

// gridOf rebuilds one check's grid from its runs, sorted by start, using
// only runs that started before `before` for the anchor (zero: all).
func gridOf(runs []checkRun, interval time.Duration, before time.Time) grid {
	g := grid{slot: make([]int64, len(runs)), late: make([]time.Duration, len(runs))}
	if len(runs) == 0 {
		return g
	}
	if runs[0].hasLate {
		g.anchor = runs[0].start.Add(-runs[0].late)
		for i, r := range runs {
			sched := r.start.Add(-r.late)
			g.slot[i] = int64(math.Round(float64(sched.Sub(g.anchor)) / float64(interval)))
			g.late[i] = r.late
		}
		return g
	}
	first := runs[0].start
	found := false
	for i, r := range runs {
		g.slot[i] = int64(math.Round(float64(r.start.Sub(first)) / float64(interval)))
		phase := r.start.Add(-time.Duration(g.slot[i]) * interval)
		if (before.IsZero() || r.start.Before(before)) && (!found || phase.Before(g.anchor)) {
			g.anchor, found = phase, true
		}
	}
	if !found {
		g.anchor = first
	}
	for i, r := range runs {
		g.late[i] = r.start.Sub(g.anchor.Add(time.Duration(g.slot[i]) * interval))
	}
	return g
}

// byCheck groups runs by check, each group sorted by start.
func byCheck(runs []checkRun) map[int][]checkRun {
	m := map[int][]checkRun{}
	for _, r := range runs {
		m[r.check] = append(m[r.check], r)
	}
	for _, rs := range m {
		slices.SortFunc(rs, func(a, b checkRun) int { return a.start.Compare(b.start) })
	}
	return m
}

// measurePunctuality looks at the runs due in [from, to): their lateness,
// and the slots that had no run or more than one. Checks for which skip is
// true are left out; anchorBefore is as for gridOf.
func measurePunctuality(runs []checkRun, interval time.Duration, from, to, anchorBefore time.Time, skip func(check int) bool) punctuality {
	var p punctuality
	for check, rs := range byCheck(runs) {
		if skip != nil && skip(check) {
			continue
		}
		p.checks++
		g := gridOf(rs, interval, anchorBefore)
		p.field = p.field || rs[0].hasLate
		k0 := int64(math.Ceil(float64(from.Sub(g.anchor)) / float64(interval)))
		k1 := int64(math.Ceil(float64(to.Sub(g.anchor))/float64(interval))) - 1
		seen := map[int64]int{}
		for i, k := range g.slot {
			if k < k0 || k > k1 {
				continue
			}
			seen[k]++
			p.late = append(p.late, float64(g.late[i]))
		}
		for k := k0; k <= k1; k++ {
			p.slots++
			switch n := seen[k]; {
			case n == 0:
				p.missed++
			case n > 1:
				p.doubled += n - 1
			}
		}
	}
	return p
}
