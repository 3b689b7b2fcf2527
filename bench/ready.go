package main

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// readyBudget and reloadBudget are how long heatbench waits for READY=1:
// far beyond any goal, so that a slow heatd is measured, not cut off.
const (
	readyBudget  = 2 * time.Minute
	reloadBudget = time.Minute
)

// readySection measures the time from start to READY=1 with many checks,
// and a reload that changes one of them.
func (b *bench) readySection() error {
	n := b.plan.readyChecks
	variants := []struct {
		what            string
		interval, splay time.Duration
	}{
		{"splay 0 (the default: every first run at start)", idleInterval, 0},
		{fmt.Sprintf("splay = interval = %s (first runs spread)", b.plan.reloadInterval), b.plan.reloadInterval, b.plan.reloadInterval},
	}
	for _, v := range variants {
		b.progress("READY with %d checks, %s", n, v.what)
		conf := heatdConf{checks: n, kind: "script", target: "/bin/true", interval: v.interval, splay: v.splay, edges: b.plan.edges}
		var ds []float64
		for range b.plan.readyReps {
			d, err := b.timeReady(conf)
			if err != nil {
				return err
			}
			ds = append(ds, float64(d))
		}
		x := row{section: "Start and reload", what: fmt.Sprintf("start to READY=1, %s checks, %s", count(n), v.what),
			value: ms(time.Duration(median(ds))), versus: medianOf(len(ds), spread(ds, func(f float64) string { return ms(time.Duration(f)) }))}
		x.goal, x.verdict = b.rep.judge(goal{limit: 500, text: "≤ 500 ms", show: msValue}, median(ds)/1e6)
		b.rep.add(x)
		if missed(x.verdict) {
			b.profileStart(conf)
		}
	}
	b.rep.note("Start: from just before heatd is started to READY=1 read on a NOTIFY_SOCKET heatbench listens on; %s checks, script = \"/bin/true\", log level info; median of %d starts.",
		count(n), b.plan.readyReps)
	b.rep.note("Start and reload: %s", edgesNote(n, b.plan.edges))
	if err := b.reloadIdle(); err != nil {
		return err
	}
	return b.reloadOne()
}

// reloadIdle measures reloads that change one of many idle checks: the
// reload's own cost, with nothing else going on (and profiles it when the
// goal is missed).
func (b *bench) reloadIdle() error {
	n := b.plan.readyChecks
	b.progress("reloading one of %d idle checks", n)
	conf := heatdConf{checks: n, kind: "script", target: "/bin/true", interval: idleInterval, splay: idleInterval, edges: b.plan.edges}
	h, err := b.startHeatd(conf, true, false)
	if err != nil {
		return err
	}
	defer h.stop()
	if _, err := h.notify.expect("READY=1", readyBudget); err != nil {
		return fmt.Errorf("%v\n%s", err, h.events.summary())
	}
	var costs, totals []float64
	for range b.plan.reloads {
		if !b.sleep(b.plan.reloadGap) {
			return b.ctx.Err()
		}
		cost, total, err := h.reload(&conf)
		if err != nil {
			return fmt.Errorf("reload: %v\n%s", err, h.events.summary())
		}
		costs, totals = append(costs, float64(cost)), append(totals, float64(total))
	}
	if b.reloadRow(fmt.Sprintf("SIGHUP reload changing 1 of %s idle checks", count(n)), costs, totals) {
		top, err := b.perfRecord(h.pid(), func() {
			b.sleep(200 * time.Millisecond)
			h.reload(&conf)
		})
		b.addProfile(fmt.Sprintf("a reload changing 1 of %s idle checks", count(n)),
			fmt.Sprintf("`perf record -e cpu-clock -g -p HEATD` for %d s around one SIGHUP; heatd is idle before and after it, so its samples are the reload's.", profileSeconds), top, err)
	}
	return h.alive()
}

// reloadRow reports reload costs; true when the goal was missed.
func (b *bench) reloadRow(what string, costs, totals []float64) bool {
	x := row{section: "Start and reload", what: what + ": RELOADING=1 to READY=1",
		value: ms(time.Duration(median(costs))),
		versus: joinNonEmpty("; ", "SIGHUP to READY=1 "+ms(time.Duration(median(totals))),
			medianOf(len(costs), spread(costs, func(f float64) string { return ms(time.Duration(f)) })))}
	x.goal, x.verdict = b.rep.judge(goal{limit: 50, text: "≤ 50 ms", show: msValue}, median(costs)/1e6)
	b.rep.add(x)
	return missed(x.verdict)
}

// reload rewrites heatd's file with check 0 changed (conf's variant moves
// on) and sends SIGHUP: cost is from RELOADING=1 (its MONOTONIC_USEC) to
// READY=1, total from the SIGHUP.
func (h *heatdRun) reload(conf *heatdConf) (cost, total time.Duration, err error) {
	conf.variant = 3 - conf.variant // 0 and 3 in turn: check 0's timeout is never the last file's
	if _, err := conf.write(h.dir); err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	h.cmd.Process.Signal(syscall.SIGHUP)
	rel, err := h.notify.expect("RELOADING=1", reloadBudget)
	if err != nil {
		return 0, 0, err
	}
	ready, err := h.notify.expect("READY=1", reloadBudget)
	if err != nil {
		return 0, 0, err
	}
	sent, err := rel.monotonicUsec()
	if err != nil {
		return 0, 0, err
	}
	return ready.mono - sent, ready.at.Sub(t0), nil
}

// medianOf says what a median was taken of.
func medianOf(n int, spread string) string {
	if n < 2 {
		return ""
	}
	if spread != "" {
		spread = ", " + spread
	}
	return fmt.Sprintf("median of %d%s", n, spread)
}

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func msValue(v float64) string { return fmt.Sprintf("%.0f ms", v) }

// timeReady starts heatd on conf and times it to READY=1.
func (b *bench) timeReady(conf heatdConf) (time.Duration, error) {
	h, err := b.startHeatd(conf, true, false)
	if err != nil {
		return 0, err
	}
	defer h.stop()
	m, err := h.notify.expect("READY=1", readyBudget)
	if err != nil {
		return 0, fmt.Errorf("%v\n%s", err, h.events.summary())
	}
	return m.at.Sub(h.started), nil
}

// reloadOne runs many checks, changes one of them a few times with
// SIGHUP, and looks at the cost of each reload and at the runs of the
// others across them.
func (b *bench) reloadOne() error {
	n, interval := b.plan.readyChecks, b.plan.reloadInterval
	b.progress("reloading one check of %d", n)
	conf := heatdConf{checks: n, kind: "script", target: "/bin/true", interval: interval, splay: interval, debug: true, edges: b.plan.edges}
	h, err := b.startHeatd(conf, true, true)
	if err != nil {
		return err
	}
	defer h.stop()
	if _, err := h.notify.expect("READY=1", readyBudget); err != nil {
		return fmt.Errorf("%v\n%s", err, h.events.summary())
	}
	// Every check runs at least once before the first reload, so every
	// check's grid is known from before it.
	if !b.sleep(interval + b.plan.margin) {
		return b.ctx.Err()
	}
	firstHUP := time.Now()
	var costs, totals []float64
	for range b.plan.reloads {
		cost, total, err := h.reload(&conf)
		if err != nil {
			return fmt.Errorf("reload: %v\n%s", err, h.events.summary())
		}
		costs, totals = append(costs, float64(cost)), append(totals, float64(total))
		if !b.sleep(b.plan.reloadGap) {
			return b.ctx.Err()
		}
	}
	lastHUP := time.Now()
	// Every check runs again after the last reload.
	if !b.sleep(interval + b.plan.margin) {
		return b.ctx.Err()
	}
	if err := h.alive(); err != nil {
		return err
	}

	b.reloadRow(fmt.Sprintf("SIGHUP reload changing 1 check of %s running %d runs/s", count(n), int(float64(n)/interval.Seconds())), costs, totals)
	runs := h.events.takeRuns()
	kept := func(check int) bool { return check == 0 }
	before := measurePunctuality(runs, interval, firstHUP.Add(-interval), firstHUP, firstHUP, kept)
	after := measurePunctuality(runs, interval, firstHUP, lastHUP.Add(interval), firstHUP, kept)
	y := row{section: "Start and reload", what: fmt.Sprintf("the other %s checks across the reloads", count(n-1)),
		value: fmt.Sprintf("%d of %d runs due came, %d missed, %d doubled", after.slots-after.missed, after.slots, after.missed, after.doubled),
		versus: fmt.Sprintf("lateness against their grid from before the reloads: p99 %s, max %s (before them: p99 %s, max %s)",
			ms(time.Duration(quantile(after.late, .99))), ms(time.Duration(quantile(after.late, 1))),
			ms(time.Duration(quantile(before.late, .99))), ms(time.Duration(quantile(before.late, 1))))}
	// A run the reload made late by more than punctuality allows, or a
	// grid that moved, shows in the p99; a missed or doubled run counts
	// as a whole interval.
	wrong := float64(after.missed + after.doubled + before.missed + before.doubled)
	p99 := quantile(after.late, .99) / float64(time.Millisecond)
	y.goal, y.verdict = b.rep.judge(goal{limit: 10, text: "none missed; p99 ≤ 10 ms",
		show: func(v float64) string { return fmt.Sprintf("%.0f runs missed or doubled, p99 %.1f ms", wrong, p99) }},
		max(p99, wrong*float64(interval/time.Millisecond)))
	b.rep.add(y)
	b.rep.note("Reload: %s idle checks (interval %s, splay %s: none runs), %d SIGHUPs %s apart, each after rewriting the file with check c00000's timeout changed; cost from RELOADING=1's MONOTONIC_USEC to READY=1 read, median.",
		count(n), idleInterval, idleInterval, b.plan.reloads, b.plan.reloadGap)
	b.rep.note("Reload under load: %s checks at interval %s with splay %s (log level debug); once every check has run, %d SIGHUPs %s apart, as above. The other checks' runs due from the first SIGHUP to one interval after the last are matched to the grid rebuilt from their runs before it (as for punctuality): a run the reload delayed, or a grid it moved, shows as lateness, a slot without a run as missed.",
		count(n), interval, interval, b.plan.reloads, b.plan.reloadGap)
	return nil
}

// profileStart profiles heatd's start to READY=1: heatd runs under perf,
// which ends with it when READY=1 has come.
func (b *bench) profileStart(conf heatdConf) {
	title := fmt.Sprintf("start to READY=1 with %s checks, splay %s", count(conf.checks), conf.splay)
	if b.perf == "" {
		b.rep.skip("profile of the " + title + ": perf is not installed")
		return
	}
	top, err := b.perfStart(conf)
	b.addProfile(title, "`perf record -e cpu-clock -g -- heatd -c FILE`, stopped with SIGINT once READY=1 has come: the start and, with splay 0, the first runs under way.", top, err)
}

func (b *bench) perfStart(conf heatdConf) (string, error) {
	dir, err := b.scratch("perf-start")
	if err != nil {
		return "", err
	}
	config, err := conf.write(dir)
	if err != nil {
		return "", err
	}
	sock, err := listenNotify(dir + "/notify")
	if err != nil {
		return "", err
	}
	defer sock.close()
	data := dir + "/perf.data"
	cmd := exec.Command(b.perf, "record", "-q", "-e", "cpu-clock", "-F", "2000", "-g", "-o", data, "--", b.heatd, "-c", config)
	cmd.Dir = dir
	cmd.Env = append(benchEnv(), "NOTIFY_SOCKET="+sock.path)
	if err := b.procs.start(cmd); err != nil {
		return "", err
	}
	_, readyErr := sock.expect("READY=1", readyBudget)
	// SIGINT to the group: heatd stops, and perf writes its data.
	b.procs.end(cmd, syscall.SIGINT, 30*time.Second, nil)
	if readyErr != nil {
		return "", readyErr
	}
	return perfTop(b, data)
}
