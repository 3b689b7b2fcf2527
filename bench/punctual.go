package main

import (
	"fmt"
	"time"
)

// punctualitySection runs many checks at a short interval and looks at
// when their runs started against their schedule.
func (b *bench) punctualitySection() error {
	n, interval := b.plan.punctChecks, b.plan.punctInterval
	b.progress("%d checks at %s", n, interval)
	// splay = interval spreads the checks over the interval, as anyone with
	// this many checks would: with splay 0 they would all be due at the
	// same instant, and the last of each wave would wait for the others.
	h, err := b.startHeatd(heatdConf{checks: n, kind: "script", target: "/bin/true",
		interval: interval, splay: interval, debug: true}, false, true)
	if err != nil {
		return err
	}
	defer h.stop()
	warm := 2*interval + b.plan.margin/2
	if !b.sleep(warm) {
		return b.ctx.Err()
	}
	from := time.Now()
	if !b.sleep(b.plan.punctWindow) {
		return b.ctx.Err()
	}
	to := time.Now()
	// Runs due just before `to` are logged once they end.
	if !b.sleep(interval + b.plan.margin/4) {
		return b.ctx.Err()
	}
	if err := h.alive(); err != nil {
		return err
	}
	p := measurePunctuality(h.events.takeRuns(), interval, from, to, time.Time{}, nil)
	if b.punctualityRows(p, n, interval) {
		top, err := b.perfRecord(h.pid(), nil)
		b.addProfile(fmt.Sprintf("punctuality with %s checks at %s", count(n), interval),
			fmt.Sprintf("`perf record -e cpu-clock -g -p HEATD` for %d s, log level debug.", profileSeconds), top, err)
	}
	source := "rebuilt from check_ok events (ts − duration) against each check's most punctual run"
	if p.field {
		source = "heatd's own late field"
	}
	b.rep.note("Punctuality: %s checks, script = \"/bin/true\", interval %s, splay %s, log level debug; the runs due in a window of %s after %s of warm-up. Lateness: %s.",
		count(n), interval, interval, b.plan.punctWindow, warm, source)
	return nil
}

// punctualityRows reports p; true when a goal was missed.
func (b *bench) punctualityRows(p punctuality, n int, interval time.Duration) bool {
	const sec = "Punctuality"
	every := row{section: sec, what: fmt.Sprintf("%s checks at %s: every check every interval", count(n), interval),
		value:  fmt.Sprintf("%d of %d runs due came", p.slots-p.missed, p.slots),
		versus: fmt.Sprintf("%d missed, %d doubled, %d of %d checks seen", p.missed, p.doubled, p.checks, n)}
	bad := float64(p.missed + p.doubled + (n - p.checks))
	every.goal, every.verdict = b.rep.judge(goal{limit: 0, text: "none missed",
		show: func(v float64) string { return fmt.Sprintf("%.0f runs missed, doubled or absent", v) }}, bad)
	late := row{section: sec, what: fmt.Sprintf("%s checks at %s: lateness of run starts", count(n), interval),
		value:  fmt.Sprintf("p50 %s, p99 %s", ms(time.Duration(quantile(p.late, .5))), ms(time.Duration(quantile(p.late, .99)))),
		versus: fmt.Sprintf("max %s over %d runs", ms(time.Duration(quantile(p.late, 1))), len(p.late))}
	late.goal, late.verdict = b.rep.judge(goal{limit: 10, text: "p99 ≤ 10 ms",
		show: func(v float64) string { return fmt.Sprintf("%.1f ms", v) }}, quantile(p.late, .99)/float64(time.Millisecond))
	b.rep.add(every)
	b.rep.add(late)
	return missed(every.verdict) || missed(late.verdict)
}
