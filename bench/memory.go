package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// idleInterval keeps checks idle: once their first runs are done nothing
// runs again during the measurement.
const idleInterval = time.Hour

// memorySection measures heatd's RSS with many checks, idle and busy, and
// its CPU when idle.
func (b *bench) memorySection() error {
	largest := slices.Max(b.plan.sizes)
	for _, n := range b.plan.sizes {
		window := b.plan.idleShort
		if n == largest {
			window = b.plan.idleWindow
		}
		if err := b.idle(n, window, n == largest); err != nil {
			return fmt.Errorf("%d idle checks: %w", n, err)
		}
	}
	for _, n := range b.plan.sizes {
		if err := b.busy(n); err != nil {
			return fmt.Errorf("%d busy checks: %w", n, err)
		}
	}
	b.rep.note("Memory: VmRSS of heatd (its checks are other processes). Idle: script = \"/bin/true\" at interval %s with splay 0, so every check runs once at start; RSS once every first run has logged check_ok (log level debug) and %s more have passed, then CPU over the idle window (%s at the largest size, long enough for Go's forced collection, every two minutes, to run), and RSS again at its end, which the goal is judged on. Busy: the same checks at an interval giving %d runs a second in all (splay = interval), RSS sampled %d times 250 ms apart once every check has run, the largest sample shown.",
		idleInterval, b.plan.idleSettle, b.plan.idleWindow, b.plan.busyRate, b.plan.busySamples)
	b.rep.note("Memory, at %s checks: %s", count(largest), edgesNote(largest, b.plan.edges))
	return nil
}

// edgesAt is how many depends_on edges a memory configuration of n checks
// carries: the plan's at the largest size, none at the others.
func (b *bench) edgesAt(n int) int {
	if n == slices.Max(b.plan.sizes) {
		return b.plan.edges
	}
	return 0
}

// idle measures n checks after their first runs: RSS, and CPU over window
// as a share of one core. goals says whether this size is the one judged.
func (b *bench) idle(n int, window time.Duration, goals bool) error {
	b.progress("%d idle checks, %s idle", n, window)
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	// Metrics are on for Go's own account of the memory, read once RSS and
	// CPU have been: serving them costs nothing until they are scraped.
	h, err := b.startHeatd(heatdConf{checks: n, kind: "script", target: "/bin/true",
		interval: idleInterval, debug: true, metrics: addr, edges: b.edgesAt(n)}, false, false)
	if err != nil {
		return err
	}
	defer h.stop()
	if err := h.waitRuns(n, 2*time.Minute); err != nil {
		return err
	}
	if !b.sleep(b.plan.idleSettle) {
		return b.ctx.Err()
	}
	rss, err := rssOf(h.pid())
	if err != nil {
		return err
	}
	c0, err := cpuOf(h.pid())
	if err != nil {
		return err
	}
	t0 := time.Now()
	if !b.sleep(window) {
		return b.ctx.Err()
	}
	c1, err := cpuOf(h.pid())
	if err != nil {
		return err
	}
	share := float64(c1-c0) / float64(time.Since(t0)) * 100
	if err := h.alive(); err != nil {
		return err
	}

	rssAfter, err := rssOf(h.pid())
	if err != nil {
		return err
	}

	// Just after a burst of runs, Go still holds what they used: garbage
	// the next collection frees and stack spans it gives back, and the OS
	// gets its pages back only as the scavenger returns them. Idle, heatd
	// collects at least every two minutes, so a long window shows both.
	first := row{section: "Memory and idle CPU", what: fmt.Sprintf("heatd RSS, %s idle checks, %s after their first runs", count(n), b.plan.idleSettle),
		value: mib(rss), versus: fmt.Sprintf("%.1f KiB per check", float64(rss)/1024/float64(n))}
	x := row{section: "Memory and idle CPU", what: fmt.Sprintf("heatd RSS, %s idle checks, %s later", count(n), window.Round(time.Second)),
		value: mib(rssAfter), versus: fmt.Sprintf("%.1f KiB per check", float64(rssAfter)/1024/float64(n))}
	y := row{section: "Memory and idle CPU", what: fmt.Sprintf("heatd idle CPU, %s idle checks", count(n)),
		value: fmt.Sprintf("%.2f%% of one core", share), versus: fmt.Sprintf("%s over %s", ms(c1-c0), window.Round(time.Second))}
	if goals {
		x.goal, x.verdict = b.rep.judge(goal{limit: 40, text: "≤ 40 MiB", show: func(v float64) string { return fmt.Sprintf("%.1f MiB", v) }}, float64(rssAfter)/(1<<20))
		y.goal, y.verdict = b.rep.judge(goal{limit: 0.5, text: "≤ 0.5% of a core", show: func(v float64) string { return fmt.Sprintf("%.2f%%", v) }}, share)
		if missed(x.verdict) {
			b.memoryBreakdown(h, n, rssAfter)
		}
		if missed(y.verdict) {
			top, err := b.perfRecord(h.pid(), nil)
			b.addProfile(fmt.Sprintf("idle CPU with %s checks", count(n)),
				fmt.Sprintf("`perf record -e cpu-clock -g -p HEATD` for %d s while idle.", profileSeconds), top, err)
		}
	}
	b.rep.add(first)
	b.rep.add(x)
	b.rep.add(y)
	return nil
}

// busy measures n checks running at busyRate runs a second in all.
func (b *bench) busy(n int) error {
	interval := time.Duration(float64(n) / float64(b.plan.busyRate) * float64(time.Second))
	b.progress("%d busy checks (interval %s)", n, interval)
	h, err := b.startHeatd(heatdConf{checks: n, kind: "script", target: "/bin/true",
		interval: interval, splay: interval, edges: b.edgesAt(n)}, false, false)
	if err != nil {
		return err
	}
	defer h.stop()
	if !b.sleep(interval + time.Second) {
		return b.ctx.Err()
	}
	var peak int64
	for range b.plan.busySamples {
		rss, err := rssOf(h.pid())
		if err != nil {
			return err
		}
		peak = max(peak, rss)
		if !b.sleep(250 * time.Millisecond) {
			return b.ctx.Err()
		}
	}
	if err := h.alive(); err != nil {
		return err
	}
	b.rep.add(row{section: "Memory and idle CPU", what: fmt.Sprintf("heatd RSS, %s busy checks", count(n)), value: mib(peak),
		versus: fmt.Sprintf("interval %s, %d runs/s", interval, b.plan.busyRate)})
	return nil
}

// count writes n with thousands separated: 10,000.
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// memoryBreakdown is where heatd's memory goes, by Go's runtime's own
// account (the Go collector of heatd's metrics), for a missed RSS goal.
func (b *bench) memoryBreakdown(h *heatdRun, n int, rss int64) {
	m := map[string]float64{}
	err := h.scrape(func(name, labels string, v float64) {
		if labels == "" {
			m[name] = v
		}
	})
	var s strings.Builder
	for _, x := range []struct{ name, what string }{
		{"go_memstats_stack_inuse_bytes", "goroutine stacks"},
		{"go_memstats_heap_inuse_bytes", "heap in use (live objects and fragmentation)"},
		{"go_memstats_heap_idle_bytes", "heap idle (free, kept or returned)"},
		{"go_memstats_heap_released_bytes", "of which returned to the OS"},
		{"go_memstats_mspan_inuse_bytes", "span structures"},
		{"go_memstats_other_sys_bytes", "other runtime"},
		{"go_memstats_sys_bytes", "all the runtime obtained from the OS"},
	} {
		v := int64(m[x.name])
		fmt.Fprintf(&s, "%-45s %10s  %6.1f KiB per check\n", x.what, mib(v), float64(v)/1024/float64(n))
	}
	fmt.Fprintf(&s, "%-45s %10.0f\n", "collections so far", m["go_gc_duration_seconds_count"])
	if last := m["go_memstats_last_gc_time_seconds"]; last > 0 {
		fmt.Fprintf(&s, "%-45s %10s\n", "since the last one", time.Since(time.Unix(int64(last), 0)).Round(time.Second))
	}
	fmt.Fprintf(&s, "%-45s %10.0f\n", "goroutines", m["go_goroutines"])
	fmt.Fprintf(&s, "%-45s %10.0f\n", "OS threads", m["go_threads"])
	fmt.Fprintf(&s, "%-45s %10s\n", "RSS (VmRSS), read just before", mib(rss))
	b.addProfile(fmt.Sprintf("RSS with %s idle checks", count(n)),
		"Go's own account of heatd's memory, from the Go collector on its metrics endpoint, read after RSS (a scrape allocates).",
		s.String(), err)
}
