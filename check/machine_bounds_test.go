package check

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// boundedReference is the rules with SPEC 12's bounds read as a plain loop,
// step by step, as reference reads HEAT's: a second version written from
// the contract's text, not from machine.go. Runs and scripts take no time;
// the trace gives seconds since the first run.
func boundedReference(p Policy, outs []outcome) []string {
	var trace []string
	var now time.Duration
	say := func(f string, a ...any) {
		trace = append(trace, fmt.Sprintf("%g ", now.Seconds())+fmt.Sprintf(f, a...))
	}
	need := max(p.SuccessThreshold, 1)
	starting := p.StartPeriod > 0
	count, row, attempt, verified := 0, 0, 0, 0
	var attempts []time.Duration // when each recovery attempt started
	var history []bool           // results, oldest first: true for failed
	flapping := false
	paused := false  // SPEC 13: held as flapping holds, and a due attempt waits for the resume
	blocked := false // SPEC 13: a parent not healthy holds it as flapping does
	// normal, attempt (due at `at`), verify, wait (backoff), gave_up
	mode := "normal"
	var at, from, retryAt time.Duration

	normalPeriod := func() time.Duration {
		if count > 0 && p.RetryInterval > 0 {
			return p.RetryInterval
		}
		return p.Interval
	}
	// result adds a result to the flap history; it reports whether
	// flapping stopped.
	result := func(failed bool) bool {
		if !p.Flap {
			return false
		}
		history = append(history, failed)
		if len(history) > 21 {
			history = history[1:]
		}
		if len(history) < 21 {
			return false
		}
		changes := 0.0
		for x := 1; x <= 20; x++ {
			if history[x] != history[x-1] {
				changes += 0.75 + float64(x-1)*(1.25-0.75)/19
			}
		}
		score := math.Round(changes*100/20*1e6) / 1e6
		if !flapping && score >= float64(p.FlapHigh) {
			flapping = true
			say("flapping_started")
		} else if flapping && score <= float64(p.FlapLow) {
			flapping = false
			say("flapping_stopped")
			return true
		}
		return false
	}
	failedAttempt := func() {
		say("recovery_failed")
		switch {
		case flapping || paused || blocked:
			mode, at = "normal", now+normalPeriod()
		case p.Backoff == 0:
			mode, at = "attempt", now+p.Interval
		default:
			wait := p.Backoff
			for k := 2; k < attempt+1; k++ {
				wait *= 2
			}
			if p.BackoffMax > 0 && wait > p.BackoffMax {
				wait = p.BackoffMax
			}
			if wait < p.Interval {
				wait = p.Interval
			}
			say("backoff %s", wait)
			retryAt = now + wait
			if now+p.Interval >= retryAt {
				mode, at = "attempt", retryAt
			} else {
				mode, at = "wait", now+p.Interval
			}
		}
	}
	// waitRun follows a run during a backoff wait that did not end it.
	waitRun := func() {
		switch {
		case flapping || paused || blocked:
			mode, at = "normal", now+normalPeriod()
		case row == 0 && now+p.Interval >= retryAt:
			mode, at = "attempt", max(retryAt, now)
		default:
			at = now + p.Interval
		}
	}
	verifyMore := func() bool {
		if row > 0 {
			return true
		}
		if p.RecoveryTimeout > 0 {
			return now+p.Interval-from <= p.RecoveryTimeout
		}
		return verified < p.Threshold
	}

	for i := 0; ; {
		if i < len(outs) && outs[i] == pauseOp {
			// A due attempt does not start; one whose script ran stops
			// there: what follows are normal runs, the next at its slot.
			i++
			say("paused")
			paused = true
			if mode == "attempt" || mode == "verify" || mode == "wait" {
				mode, row, verified = "normal", 0, 0
				for at <= now {
					at += normalPeriod()
				}
			}
			continue
		}
		if i < len(outs) && outs[i] == resumeOp {
			i++
			if !paused && mode != "gave_up" {
				continue
			}
			say("resumed")
			paused = false
			if mode == "gave_up" {
				mode, row, attempts = "normal", 0, nil
			}
			if mode == "normal" && p.Threshold > 0 && count >= p.Threshold && !flapping && !blocked {
				mode, at = "attempt", now
			}
			continue
		}
		if i < len(outs) && (outs[i] == blockOp || outs[i] == unblockOp) {
			blocked = outs[i] == blockOp
			i++
			if blocked {
				say("blocked")
				continue
			}
			say("unblocked")
			if mode == "normal" && p.Threshold > 0 && count >= p.Threshold && !flapping && !paused {
				mode, at = "attempt", now
			}
			continue
		}
		if mode == "attempt" {
			now = at
			if p.Limit > 0 {
				recent := 0
				for _, t := range attempts {
					if now-t < p.LimitWindow {
						recent++
					}
				}
				if recent >= p.Limit {
					say("gave_up")
					mode, row, at = "gave_up", 0, now+p.Interval
					continue
				}
			}
			attempts = append(attempts, now)
			attempt++
			say("recovery_started %d", attempt)
			if p.FaultSignal != 0 {
				say("signal fault")
			}
			if p.Recovery {
				say("recovery script %d cnt=%d", attempt, count)
			}
			mode, from, verified, row = "verify", now, 0, 0
			continue
		}
		if i == len(outs) {
			return trace
		}
		now = at
		o := outs[i]
		i++
		switch {
		case o == errRun:
			say("run_error")
			switch mode {
			case "normal":
				at = now + normalPeriod()
			case "verify":
				at = now + p.Interval
				if !verifyMore() {
					failedAttempt()
				}
			case "wait":
				waitRun()
			default:
				at = now + p.Interval
			}

		case o == okRun:
			say("ok")
			starting = false
			stopped := result(false)
			switch {
			case mode == "normal" && count == 0:
				at = now + p.Interval
			case row+1 < need:
				row++
				switch mode {
				case "normal":
					at = now + normalPeriod()
				case "verify":
					verified++
					at = now + p.Interval
				case "wait":
					waitRun()
				default:
					at = now + p.Interval
				}
			default:
				switch mode {
				case "verify", "wait":
					if p.SuccessSignal != 0 {
						say("signal success")
					}
					say("recovered")
				case "gave_up":
					say("recovered after giving up")
				}
				mode, count, row, attempt, at = "normal", 0, 0, 0, now+p.Interval
			}
			if stopped && mode == "normal" && p.Threshold > 0 && count >= p.Threshold && !paused && !blocked {
				mode, at = "attempt", now
			}

		case starting && now < p.StartPeriod:
			say("failed starting")
			at = now + p.Interval

		default:
			starting = false
			count++
			row = 0
			say("failed %d", count)
			result(true)
			switch mode {
			case "verify":
				verified++
				at = now + p.Interval
				if !verifyMore() {
					failedAttempt()
				}
			case "wait":
				waitRun()
			case "gave_up":
				at = now + p.Interval
			default:
				if flapping || paused || blocked {
					at = now + normalPeriod()
					break
				}
				if p.Signal != 0 {
					say("signal failure")
				}
				if p.Fail {
					say("fail script")
				}
				if p.Threshold > 0 && count >= p.Threshold {
					mode, at = "attempt", now
				} else {
					at = now + normalPeriod()
				}
			}
		}
	}
}

// boundedPolicies is a grid of policies over the bounds' keys, each with
// every signal and script set.
func boundedPolicies() []Policy {
	var ps []Policy
	for _, thr := range []int{0, 1, 2} {
		for _, rt := range []time.Duration{0, 6 * time.Second} {
			for _, need := range []int{1, 2} {
				for _, retry := range []time.Duration{0, time.Second} {
					for _, back := range []time.Duration{0, 6 * time.Second} {
						for _, limit := range []int{0, 2} {
							for _, start := range []time.Duration{0, 5 * time.Second} {
								if thr == 0 && (rt > 0 || back > 0 || limit > 0) {
									continue
								}
								ps = append(ps, Policy{
									Interval: 4 * time.Second, Threshold: thr, RecoveryTimeout: rt,
									Signal: syscall.SIGHUP, FaultSignal: syscall.SIGUSR1, SuccessSignal: syscall.SIGUSR2,
									Fail: true, Recovery: true,
									StartPeriod: start, SuccessThreshold: need, RetryInterval: retry,
									Backoff: back, BackoffMax: 10 * time.Second,
									Limit: limit, LimitWindow: 30 * time.Second,
								})
							}
						}
					}
				}
			}
		}
	}
	return ps
}

func compare(t *testing.T, p Policy, outs []outcome) bool {
	t.Helper()
	want, got := boundedReference(p, outs), drive(p, outs)
	if !slices.Equal(got, want) {
		t.Errorf("policy %+v, outcomes %v:\ngot:\n  %s\nwant:\n  %s", p, outs,
			strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		return false
	}
	return true
}

// Every sequence of 5 outcomes, for every policy of the grid, and long
// random sequences (flap detection needs 21 results) with and without
// flap detection.
func TestBoundedRulesAgainstReference(t *testing.T) {
	const length = 5
	total := 1
	for range length {
		total *= 3
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cases := 0
	for _, p := range boundedPolicies() {
		for n := range total {
			outs := make([]outcome, length)
			for k, v := 0, n; k < length; k, v = k+1, v/3 {
				outs[k] = outcome(v % 3)
			}
			cases++
			if !compare(t, p, outs) {
				return
			}
		}
		for _, flap := range [][2]int{{0, 0}, {20, 30}, {5, 40}} {
			q := p
			q.Flap, q.FlapLow, q.FlapHigh = flap[0] > 0, flap[0], flap[1]
			for range 25 {
				// Runs of outcomes, so that a check both flaps and settles.
				outs := make([]outcome, 0, 60)
				for len(outs) < 60 {
					o, n := outcome(rng.IntN(3)), 1+rng.IntN(4)
					if rng.IntN(5) > 0 && o == errRun {
						o = failRun
					}
					for range n {
						outs = append(outs, o)
					}
				}
				cases++
				if !compare(t, q, outs) {
					return
				}
			}
		}
	}
	t.Logf("%d sequences agree", cases)
}

// Pauses and resumes anywhere between steps, over every policy of the grid:
// every sequence of 6 of runs ok or failed, pauses and resumes, and long
// random sequences with flap detection too.
func TestPauseAgainstReference(t *testing.T) {
	agreeOverGrid(t, 6, []outcome{okRun, failRun, pauseOp, resumeOp}, 5, 3)
}

// A parent's health turning anywhere between steps (depends_on), with
// pauses too: every sequence of 5 of runs ok or failed, blocks and
// unblocks, and long random sequences of everything.
func TestBlockAgainstReference(t *testing.T) {
	agreeOverGrid(t, 5, []outcome{okRun, failRun, blockOp, unblockOp}, 7, 5)
}

// agreeOverGrid compares the machine with the reference reading over every
// policy of the grid: every sequence of length of symbols, then ten long
// random sequences with flap detection on, of the first kinds outcomes
// (runs in short rows; an operator's or a parent's change one at a time),
// drawn from seed.
func agreeOverGrid(t *testing.T, length int, symbols []outcome, kinds int, seed uint64) {
	t.Helper()
	total := 1
	for range length {
		total *= len(symbols)
	}
	rng := rand.New(rand.NewPCG(seed, seed+1))
	cases := 0
	for _, p := range boundedPolicies() {
		for n := range total {
			outs := make([]outcome, length)
			for k, v := 0, n; k < length; k, v = k+1, v/len(symbols) {
				outs[k] = symbols[v%len(symbols)]
			}
			cases++
			if !compare(t, p, outs) {
				return
			}
		}
		q := p
		q.Flap, q.FlapLow, q.FlapHigh = true, 20, 30
		for range 10 {
			outs := make([]outcome, 0, 80)
			for len(outs) < 80 {
				o, n := outcome(rng.IntN(kinds)), 1+rng.IntN(4)
				if o >= pauseOp {
					n = 1
				}
				for range n {
					outs = append(outs, o)
				}
			}
			cases++
			if !compare(t, q, outs) {
				return
			}
		}
	}
	t.Logf("%d sequences agree", cases)
}

// With none of the bounds set, the bounded reading is HEAT's reading: the
// rules keep HEAT's behaviour exactly (TestRulesAgainstReference checks
// the machine against HEAT's reading over the same grid).
func TestZeroBoundsAreHEAT(t *testing.T) {
	for _, thr := range []int{0, 1, 2, 3} {
		for _, rt := range []time.Duration{0, 2 * time.Second} {
			p := Policy{Interval: time.Second, Threshold: thr, RecoveryTimeout: rt,
				Signal: syscall.SIGHUP, FaultSignal: syscall.SIGUSR1, SuccessSignal: syscall.SIGUSR2,
				Fail: true, Recovery: true}
			if thr == 0 && rt > 0 {
				continue
			}
			for n := range 729 {
				outs := make([]outcome, 6)
				for k, v := 0, n; k < 6; k, v = k+1, v/3 {
					outs[k] = outcome(v % 3)
				}
				if got, want := boundedReference(p, outs), reference(p, outs); !slices.Equal(got, want) {
					t.Fatalf("policy %+v, outcomes %v:\nbounded:\n  %s\nHEAT:\n  %s", p, outs,
						strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
				if st := stateAfter(p, outs); st.Begun != (time.Time{}) || st.Recent != nil ||
					st.History != 0 || st.Results != 0 || st.Starting || st.Flapping || st.OKRow != 0 {
					t.Fatalf("policy %+v, outcomes %v: the bounds' state is not zero: %+v", p, outs, st)
				}
			}
		}
	}
}

// stateAfter is the state once outs have run through the rules.
func stateAfter(p Policy, outs []outcome) State {
	t := time.Unix(1_700_000_000, 0)
	st := Begin(p)
	for _, o := range outs {
		if st.Mode == RecoveryDue {
			st, _ = Recover(p, st, t)
			st, t = Recovered(st, t)
		}
		r := Result{Start: t, Unix: t.Unix()}
		switch o {
		case failRun:
			r.Code = 1
		case errRun:
			r.Err = fmt.Errorf("cannot start")
		}
		d := Observe(p, st, r, t)
		st, t = d.State, NextStart(d.Next, t)
	}
	return st
}

// Kubernetes' crash-loop figures: 10s, 20s, 40s … capped at 5m, and never
// less than the interval.
func TestBackoffDoubles(t *testing.T) {
	p := Policy{Interval: 15 * time.Second, Backoff: 10 * time.Second, BackoffMax: 5 * time.Minute}
	var got []time.Duration
	for k := 2; k <= 9; k++ {
		got = append(got, backoff(p, k))
	}
	want := []time.Duration{15 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	if !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	if w := backoff(p, 1000); w != 5*time.Minute {
		t.Errorf("attempt 1000 waits %v", w)
	}
}

// The score is exact: a history that changes at every run scores 100, one
// change at the newest transition 1.25/20 = 6.25%, at the oldest 3.75%.
func TestFlapScore(t *testing.T) {
	full := func(h uint32) State { return State{History: h, Results: flapResults} }
	for _, c := range []struct {
		history uint32
		want    float64
	}{
		{0, 0},
		{0b1_0101_0101_0101_0101_0101, 100},
		{0b1, 6.25},
		{0b1_1111_1111_1111_1111_1111, 0},
		{0b0_1111_1111_1111_1111_1111, 3.75},
	} {
		if got := FlapScore(full(c.history)); got != c.want {
			t.Errorf("history %021b: score %v, want %v", c.history, got, c.want)
		}
	}
	if got := FlapScore(State{History: 0b1010, Results: 4}); got != 0 {
		t.Errorf("a history not yet full scores %v", got)
	}
}

// Resume ends gave_up only: the limit's attempts are forgotten, and a
// count at the threshold starts a recovery at once.
func TestResume(t *testing.T) {
	p := Policy{Interval: time.Second, Threshold: 2, Limit: 1, LimitWindow: time.Hour}
	t0 := time.Unix(1_700_000_000, 0)
	st := State{Mode: GivenUp, Streak: 5, Attempt: 1, OKRow: 1, Recent: (*Attempts)(nil).add(t0, time.Hour, 1)}
	got, ok := Resume(p, st)
	if !ok || got.Mode != RecoveryDue || got.Recent != nil || got.OKRow != 0 || got.Streak != 5 || got.Attempt != 1 {
		t.Errorf("resumed: %v %+v", ok, got)
	}
	if got, _ = Recover(p, got, t0.Add(time.Second)); got.Mode == GivenUp || got.Attempt != 2 {
		t.Errorf("after resume the attempt does not start: %+v", got)
	}
	st.Streak = 1
	if got, _ := Resume(p, st); got.Mode != Normal {
		t.Errorf("below the threshold: %+v", got)
	}
	if _, ok := Resume(p, State{Streak: 3}); ok {
		t.Error("Resume of a check that did not give up")
	}
}

// Flapping that stops at an ok run, the row of oks not yet long enough to
// end the streak, starts the recovery at once, and the streak's attempts
// go on counting.
func TestFlappingStopsIntoRecovery(t *testing.T) {
	p := Policy{Interval: time.Second, Threshold: 3, SuccessThreshold: 2, Flap: true, FlapLow: 20, FlapHigh: 30}
	t0 := time.Unix(1_700_000_000, 0)
	st := State{Streak: 5, Attempt: 2, Flapping: true, Results: flapResults}
	d := Observe(p, st, Result{Start: t0, Unix: t0.Unix()}, t0)
	var kinds []string
	for _, s := range d.Steps {
		kinds = append(kinds, s.Kind.String())
	}
	if got := strings.Join(kinds, " "); got != "ok flapping_stopped" {
		t.Errorf("steps %s", got)
	}
	if d.State.Mode != RecoveryDue || d.State.Attempt != 2 || d.State.Streak != 5 || d.State.OKRow != 1 || !d.Next.Equal(t0) {
		t.Errorf("state %+v, next %v", d.State, d.Next.Sub(t0))
	}
	if st, _ := Recover(p, d.State, t0); st.Attempt != 3 || st.OKRow != 0 {
		t.Errorf("the next attempt: %+v, want attempt 3 and its own row of ok runs", st)
	}
}
