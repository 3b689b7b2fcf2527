package check

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The rules are checked against a second, plainly imperative reading of
// what a check does (the README), over every sequence of outcomes up to a length and every kind
// of policy. Runs and scripts take no time here; one tick is one interval.

type outcome uint8

const (
	okRun outcome = iota
	failRun
	errRun // could not start
	// An operator's verbs, between steps (SPEC 13): they take no time.
	pauseOp
	resumeOp
	// A parent's health turning (depends_on), between steps.
	blockOp
	unblockOp
)

// reference is the rules read as a HEAT-like loop, step by step.
func reference(p Policy, outs []outcome) []string {
	var trace []string
	tick, i, count := 0, 0, 0
	say := func(f string, a ...any) { trace = append(trace, fmt.Sprintf("%d ", tick)+fmt.Sprintf(f, a...)) }
	for i < len(outs) {
		o := outs[i]
		i++
		switch o {
		case errRun:
			say("run_error")
			tick++
			continue
		case okRun:
			say("ok")
			count = 0
			tick++
			continue
		}
		count++
		say("failed %d", count)
		if p.Signal != 0 {
			say("signal failure")
		}
		if p.Fail {
			say("fail script")
		}
		if p.Threshold == 0 || count < p.Threshold {
			tick++
			continue
		}
	recovery:
		for attempt := 1; ; attempt++ {
			say("recovery_started %d", attempt)
			if p.FaultSignal != 0 {
				say("signal fault")
			}
			if p.Recovery {
				say("recovery script %d cnt=%d", attempt, count)
			}
			from, verified := tick, 0
			for {
				if i == len(outs) {
					return trace
				}
				o := outs[i]
				i++
				if o == okRun {
					say("ok")
					if p.SuccessSignal != 0 {
						say("signal success")
					}
					say("recovered")
					count = 0
					tick++
					break recovery
				}
				if o == failRun {
					count++
					verified++
					say("failed %d", count)
				} else {
					say("run_error")
				}
				var more bool
				if p.RecoveryTimeout > 0 {
					more = time.Duration(tick+1-from)*p.Interval <= p.RecoveryTimeout
				} else {
					more = verified < p.Threshold
				}
				if !more {
					say("recovery_failed")
				}
				tick++
				if !more {
					break
				}
			}
		}
	}
	return trace
}

// drive runs outs through Begin, Observe, Recover and Recovered as the loop
// does.
func drive(p Policy, outs []outcome) []string {
	var trace []string
	t0 := time.Unix(1_700_000_000, 0)
	next, st := t0, Begin(p)
	say := func(at time.Time, f string, a ...any) {
		trace = append(trace, fmt.Sprintf("%g ", at.Sub(t0).Seconds())+fmt.Sprintf(f, a...))
	}
	steps := func(at time.Time, prev, st State, steps []Step) {
		for _, s := range steps {
			switch s.Kind {
			case StepOK:
				say(at, "ok")
			case StepRunError:
				say(at, "run_error")
			case StepFailed:
				if st.Starting {
					say(at, "failed starting")
				} else {
					say(at, "failed %d", st.Streak)
				}
			case StepSignal:
				say(at, "signal %s", s.Why)
			case StepFailScript:
				say(at, "fail script")
			case StepRecoveryStarted:
				say(at, "recovery_started %d", st.Attempt)
			case StepRecoveryScript:
				say(at, "recovery script %d cnt=%d", st.Attempt, st.Streak)
			case StepRecovered:
				if prev.Mode == GivenUp {
					say(at, "recovered after giving up")
				} else {
					say(at, "recovered")
				}
			case StepRecoveryFailed:
				say(at, "recovery_failed")
			case StepBackoff:
				say(at, "backoff %s", s.Wait)
			case StepGaveUp:
				say(at, "gave_up")
			case StepFlappingStarted:
				say(at, "flapping_started")
			case StepFlappingStopped:
				say(at, "flapping_stopped")
			}
		}
	}
	last := next // when the latest step happened: a verb comes then
	for i := 0; i < len(outs) || st.Mode == RecoveryDue; {
		if i < len(outs) && outs[i] >= pauseOp {
			switch {
			case outs[i] == blockOp:
				st = Block(st)
				say(last, "blocked")
			case outs[i] == unblockOp:
				was := st.Mode
				st = Unblock(p, st)
				say(last, "unblocked")
				if st.Mode == RecoveryDue && was != RecoveryDue {
					next = last
				}
			case outs[i] == pauseOp:
				st, next = Suspend(p, st, next, last)
				say(last, "paused")
			}
			if outs[i] != resumeOp {
				i++
				continue
			}
			if resumed, ok := Resume(p, st); ok {
				st = resumed
				say(last, "resumed")
				if st.Mode == RecoveryDue {
					next = last
				}
			}
			i++
			continue
		}
		last = next
		if st.Mode == RecoveryDue {
			prev := st
			var s []Step
			st, s = Recover(p, st, next)
			steps(next, prev, st, s)
			if st.Mode == GivenUp {
				next = nextSlot(next, next, p.Interval)
				continue
			}
			st, next = Recovered(st, next)
			continue
		}
		r := Result{Start: next, Unix: next.Unix(), PID: 100 + i}
		switch outs[i] {
		case failRun:
			r.Code = 1
		case errRun:
			r.Err = fmt.Errorf("cannot start")
		}
		i++
		d := Observe(p, st, r, next)
		steps(next, st, d.State, d.Steps)
		st, next = d.State, NextStart(d.Next, next)
	}
	return trace
}

func TestRulesAgainstReference(t *testing.T) {
	var policies []Policy
	for _, thr := range []int{0, 1, 2, 3} {
		for _, rt := range []time.Duration{0, 1, 2, 3} {
			if thr == 0 && rt > 0 {
				continue
			}
			for _, flags := range []int{0, 15} {
				p := Policy{Interval: time.Second, Threshold: thr, RecoveryTimeout: rt * time.Second}
				if flags != 0 {
					p.Signal, p.FaultSignal, p.SuccessSignal = syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2
					p.Fail, p.Recovery = true, true
				}
				policies = append(policies, p)
			}
		}
	}
	const length = 8 // 3^8 sequences for each policy
	total := 1
	for range length {
		total *= 3
	}
	cases := 0
	for _, p := range policies {
		for n := range total {
			outs := make([]outcome, length)
			for k, v := 0, n; k < length; k, v = k+1, v/3 {
				outs[k] = outcome(v % 3)
			}
			want, got := reference(p, outs), drive(p, outs)
			cases++
			if !slices.Equal(got, want) {
				t.Fatalf("policy %+v, outcomes %v:\ngot:\n  %s\nwant:\n  %s", p, outs,
					strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		}
	}
	t.Logf("%d sequences agree", cases)
}

func TestObserveKeepsTheStreak(t *testing.T) {
	p := Policy{Interval: 2 * time.Second, Threshold: 3}
	t0 := time.Unix(100, 0)
	var st State
	for i, code := range []int{0, 7, 9, 0, 5, 6} {
		at := t0.Add(time.Duration(i) * p.Interval)
		d := Observe(p, st, Result{Start: at, Unix: at.Unix(), Code: code, PID: 10 + i}, at)
		st = d.State
		if !d.Next.Equal(at.Add(p.Interval)) {
			t.Fatalf("run %d: next %v, want one interval on", i, d.Next)
		}
	}
	want := State{Mode: Normal, Streak: 2, FirstFailure: 108, LastFailure: 110, LastCode: 6, LastPID: 15}
	if st != want {
		t.Errorf("state %+v, want %+v", st, want)
	}
	env := RecoveryEnv(p, st)
	if got := strings.Join(env, " "); got != "HEAT_FAIL_CODE=6 HEAT_FAIL_TIME=108 HEAT_FAIL_TIME_LAST=110 HEAT_FAIL_INTERVAL=2 HEAT_FAIL_PID=15 HEAT_FAIL_CNT=2" {
		t.Errorf("recovery env %s", got)
	}
}

func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1", 30 * time.Second: "30", 500 * time.Millisecond: "0.5",
		1500 * time.Millisecond: "1.5", 90 * time.Second: "90", time.Millisecond: "0.001",
	} {
		if got := Seconds(d); got != want {
			t.Errorf("Seconds(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFailEnvOfAProbe(t *testing.T) {
	env := FailEnv(Policy{Interval: time.Second}, Result{Unix: 5, Code: 7})
	if got := strings.Join(env, " "); got != "HEAT_FAIL_CODE=7 HEAT_FAIL_TIME=5 HEAT_FAIL_INTERVAL=1 HEAT_FAIL_PID=" {
		t.Errorf("fail env %s", got)
	}
}

// A run that started after its next slot had passed skips the slots it
// missed: the next is the first of the check's rhythm after the run's
// start, so a late wake-up is one run, not two back to back.
func TestObserveSkipsMissedSlots(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	p := Policy{Interval: 10 * time.Second}
	for _, c := range []struct{ late, next time.Duration }{
		{0, 10 * time.Second},                  // on time
		{3 * time.Second, 10 * time.Second},    // a short wait does not make the check drift
		{10 * time.Second, 20 * time.Second},   // its next slot had just come
		{25 * time.Second, 30 * time.Second},   // two slots missed
		{59*time.Second + 1, 60 * time.Second}, // five
	} {
		r := Result{Start: t0.Add(c.late), Unix: t0.Add(c.late).Unix()}
		if got := Observe(p, State{}, r, t0).Next.Sub(t0); got != c.next {
			t.Errorf("run %s late: next slot at %s, want %s", c.late, got, c.next)
		}
	}
}
