package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Recovery settings of the check heatd runs: a slow schedule, as a real
// one would be, made quick by its failure keys, which the goal is about.
const (
	recoveryInterval  = 30 * time.Second
	recoveryRetry     = 200 * time.Millisecond
	recoveryThreshold = 2
	// recoveryBudget is how long a restart is waited for: far beyond
	// monit's two cycles, so that a slow one is measured, not cut off.
	recoveryBudget = 20 * time.Second
)

// recoverySection kills a service with SIGKILL, over and over, and times
// how long heatd, and monit beside it, take to begin its recovery: from
// the kill to the first instruction of the recovery program (bench/revive,
// which reads CLOCK_MONOTONIC as it starts), for both alike.
func (b *bench) recoverySection() error {
	if b.revive == "" {
		return nil // b.missing says why
	}
	dir, err := b.scratch("recovery")
	if err != nil {
		return err
	}
	hs, err := b.newService(dir, "heatd")
	if err != nil {
		return err
	}
	defer hs.close()
	h, err := b.startHeatd(heatdConf{checks: 1, interval: recoveryInterval, body: fmt.Sprintf(
		"process = true\npidfile = %q\nretry_interval = %q\nthreshold = %d\nrecovery = %q\n",
		hs.pidfile, recoveryRetry.String(), recoveryThreshold, hs.revive), debug: true}, false, false)
	if err != nil {
		return err
	}
	defer h.stop()
	// heatd's first run reads the pidfile and watches the process it names.
	if err := h.waitRuns(1, recoveryBudget); err != nil {
		return err
	}
	var ms *monitService
	if b.monit != "" {
		if ms, err = b.startMonitService(dir); err != nil {
			return err
		}
		defer ms.stop()
	}
	if !b.sleep(time.Duration(2*monitCycle)*time.Second + 500*time.Millisecond) {
		return b.ctx.Err()
	}
	b.progress("killing a service %d times under heatd and under monit, in turn", b.plan.recoveryTrials)
	var heatdTimes, monitTimes []float64
	for i := range b.plan.recoveryTrials {
		if err := h.alive(); err != nil {
			return err
		}
		d, err := killAndWait(hs)
		if err != nil {
			return fmt.Errorf("heatd, kill %d: %v\n%s", i+1, err, h.events.summary())
		}
		heatdTimes = append(heatdTimes, float64(d))
		// The verification run reads the new pidfile and watches its
		// process; the next kill waits for it.
		if err := h.events.waitEvent(b.ctx, "recovered", i+1, recoveryBudget); err != nil {
			return fmt.Errorf("heatd, kill %d: %v\n%s", i+1, err, h.events.summary())
		}
		if ms == nil {
			if !b.sleep(200 * time.Millisecond) {
				return b.ctx.Err()
			}
			continue
		}
		d, err = killAndWait(ms.service)
		if err != nil {
			return fmt.Errorf("monit, kill %d: %v (monit said: %s)", i+1, err, ms.said())
		}
		monitTimes = append(monitTimes, float64(d))
		// monit sees the new process at its next cycle.
		if !b.sleep(time.Duration(monitCycle) * 1500 * time.Millisecond) {
			return b.ctx.Err()
		}
	}
	b.recoveryRows(heatdTimes, monitTimes)
	b.rep.note("Recovery: a service (`sleep`, its pid in a pidfile) is killed with SIGKILL %d times under heatd and as many under monit, in turn, both running all along, each with its own service; the time is from just before the kill to the moment the recovery program begins to run: bench/revive, compiled C, which reads CLOCK_MONOTONIC first thing and then has heatbench start the service again and rewrite its pidfile (heatbench's own child, so that a killed one is reaped at once). heatd: one check, `process = true`, `pidfile`, `interval = \"%s\"`, `retry_interval = \"%s\"`, `threshold = %d`, `watch_target` on (the default), `recovery` = revive; the next kill waits for its `recovered` event. monit: `set daemon %d`, `check process … with pidfile …`, `start program` = revive, `if does not exist for 2 cycles then restart`; the next kill waits %s after its restart, for monit to see the new process.",
		b.plan.recoveryTrials, recoveryInterval, recoveryRetry, recoveryThreshold, monitCycle, time.Duration(monitCycle)*1500*time.Millisecond)
	return h.alive()
}

// killAndWait kills s's service and times its restart.
func killAndWait(s *service) (time.Duration, error) {
	at, err := s.kill()
	if err != nil {
		return 0, err
	}
	return s.revived(at, recoveryBudget)
}

// recoveryRows reports the times, and heatd's against monit's.
func (b *bench) recoveryRows(heatdTimes, monitTimes []float64) {
	const section = "Recovery of a killed service"
	dist := func(xs []float64) string {
		return fmt.Sprintf("p90 %s, min %s, max %s over %d kills", ms(time.Duration(quantile(xs, 0.9))),
			ms(time.Duration(slices.Min(xs))), ms(time.Duration(slices.Max(xs))), len(xs))
	}
	x := row{section: section, what: fmt.Sprintf("heatd: SIGKILL to recovery started (process check, retry_interval %s, threshold %d)", recoveryRetry, recoveryThreshold),
		value: "median " + ms(time.Duration(median(heatdTimes))), versus: dist(heatdTimes)}
	x.goal, x.verdict = b.rep.judge(goal{limit: 300, text: "≤ 300 ms", show: msValue}, median(heatdTimes)/1e6)
	b.rep.add(x)
	if len(monitTimes) == 0 {
		return
	}
	b.rep.add(row{section: section, what: fmt.Sprintf("monit: SIGKILL to start program (set daemon %d, does not exist for 2 cycles)", monitCycle),
		value: "median " + ms(time.Duration(median(monitTimes))), versus: dist(monitTimes)})
	r := median(heatdTimes) / median(monitTimes)
	x = row{section: section, what: "heatd's recovery time against monit's",
		value:  fmt.Sprintf("1/%.1f of monit's", 1/r),
		versus: ms(time.Duration(median(heatdTimes))) + " vs " + ms(time.Duration(median(monitTimes))) + " (medians)"}
	x.goal, x.verdict = b.rep.judge(goal{limit: 1.0 / 3, text: "≤ 1/3 of monit's", show: func(v float64) string { return fmt.Sprintf("1/%.1f", 1/v) }}, r)
	b.rep.add(x)
}

// monitService is monit keeping a service alive.
type monitService struct {
	*service
	b   *bench
	cmd *exec.Cmd
	dir string
}

// startMonitService runs monit on a service of its own in dir/monit. It
// runs in heatbench's pid namespace, unlike the run-counting monit, as it
// must see the service's pid.
func (b *bench) startMonitService(dir string) (*monitService, error) {
	s, err := b.newService(dir, "monit")
	if err != nil {
		return nil, err
	}
	m := &monitService{service: s, b: b, dir: s.dir}
	rc := fmt.Sprintf("set daemon %d\nset log %s/monit.log\nset idfile %s/monit.id\n"+
		"check process service with pidfile %s\n  start program = %q\n  if does not exist for 2 cycles then restart\n",
		monitCycle, m.dir, m.dir, s.pidfile, s.revive)
	control := m.dir + "/monitrc"
	// monit refuses a control file that others may read.
	if err := os.WriteFile(control, []byte(rc), 0o600); err != nil {
		s.close()
		return nil, err
	}
	m.cmd = exec.Command(b.monit, "-I", "-c", control, "-d", strconv.Itoa(monitCycle),
		"-p", m.dir+"/monit.pid", "-s", m.dir+"/monit.state")
	m.cmd.Dir = m.dir
	m.cmd.Env = benchEnv()
	out, err := os.Create(m.dir + "/monit.out")
	if err != nil {
		s.close()
		return nil, err
	}
	defer out.Close()
	m.cmd.Stdout, m.cmd.Stderr = out, out
	if err := b.procs.start(m.cmd); err != nil {
		s.close()
		return nil, err
	}
	return m, nil
}

// said is the first line monit wrote, and its log's last.
func (m *monitService) said() string {
	log := strings.Split(strings.TrimSpace(readFile(m.dir+"/monit.log")), "\n")
	return joinNonEmpty("; ", firstLine(readFile(m.dir+"/monit.out")), log[len(log)-1])
}

func (m *monitService) stop() {
	m.b.procs.end(m.cmd, syscall.SIGTERM, 10*time.Second, nil)
	m.service.close()
}
