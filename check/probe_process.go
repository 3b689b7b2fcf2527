package check

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/heatd/heatd/action"
)

// A `process = true` check runs nothing: it reads its target (`pid` or
// `pidfile`) in /proc. It is ok while the target is alive and within its
// limits, each optional; "restart nginx when it holds more than 2 GiB for
// 3 runs" is max_rss with a threshold of 3 and a recovery.

// The codes of a process check, one per reason, so a fail or recovery
// script can tell them apart in HEAT_FAIL_CODE.
const (
	codeNotRunning = 1 // no process to watch: gone, no pidfile, or refused
	codeOverRSS    = 2 // resident memory over max_rss
	codeOverCPU    = 3 // CPU over max_cpu, averaged since the previous run
	codeOverFDs    = 4 // open descriptors over max_fds
)

// minCPUWindow is the shortest time over which CPU use is averaged. The
// kernel counts it in ticks of 10 ms, so a tick is 10% of a core over
// 100 ms (and 0.03% over the default 30 s); a run closer than this to the
// previous one (the first verification run, at once after a recovery
// script) leaves CPU unjudged and averages the next run over the longer
// time.
const minCPUWindow = 100 * time.Millisecond

// ProcessProbe is a `process = true` check and its max_* keys.
type ProcessProbe struct {
	MaxRSS int64   // bytes; 0: no limit
	MaxCPU float64 // percent of one core; 0: no limit
	MaxFDs int     // open descriptors; 0: no limit
}

// processKind is the registry's entry for ProcessProbe: `process = true`,
// which needs a target to watch, and the limits only such a check has.
func processKind() Kind {
	return Kind{
		Key: Key{Name: "process",
			Doc:   "the target (`pid` or `pidfile`) itself, with no process of its own: ok while it runs within its `max_*` limits (see Process checks)",
			Needs: &Needs{[]string{"pid", "pidfile"}, `needs a target to watch: set "pid" or "pidfile"`},
			Value: Make(parseProcess, func(bool) Probe { return ProcessProbe{} })},
		Form: "true",
		Keys: []Key{
			{Name: "max_rss", Defaults: true, Doc: "the most resident memory, in bytes or such as `\"2GiB\"`; over it fails with code 2",
				Value: Field(parseSize, 0, func(p *ProcessProbe, v int64) { p.MaxRSS = v })},
			{Name: "max_cpu", Defaults: true, Doc: "the most CPU, in percent of one core, averaged since the previous run; over it fails with code 3",
				Value: Field(parseCPU, 0.0, func(p *ProcessProbe, v float64) { p.MaxCPU = v })},
			{Name: "max_fds", Defaults: true, Doc: "the most open descriptors; over it fails with code 4",
				Value: Field(parseMaxFDs, 0, func(p *ProcessProbe, v int) { p.MaxFDs = v })},
		},
	}
}

// parseProcess is `process = true`. false chooses no kind of check, yet
// would pass for one: it is refused rather than read as "not a process
// check", which the check's other keys would have to say instead.
func parseProcess(r Reader, v any) (bool, error) {
	b, err := r.Bool(v)
	if err == nil && !b {
		err = errors.New("false makes no check: remove the key, or set process = true to watch the target itself")
	}
	return b, err
}

// sizeWords describes a size in every size error.
const sizeWords = `a size such as "512MiB" or "2GiB", or a number of bytes`

// sizeUnit is the bytes of a unit a size may be written with: a power
// of 1024, or none (bytes); false for any other.
// SI units (GB, G) are refused: 2GB would be 2×10⁹ bytes to some
// readers and 2×2³⁰ to others, and a limit must mean one thing.
func sizeUnit(unit string) (int64, bool) {
	switch strings.ToLower(unit) {
	case "", "b":
		return 1, true
	case "kib":
		return 1 << 10, true
	case "mib":
		return 1 << 20, true
	case "gib":
		return 1 << 30, true
	case "tib":
		return 1 << 40, true
	}
	return 0, false
}

// parseSize reads a number of bytes: an integer, or a string of a number
// and a unit ("2GiB", "1.5 GiB", "512MiB"). It must be more than 0.
func parseSize(r Reader, v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		if v <= 0 {
			return 0, fmt.Errorf("must be more than 0 (%s), not %d", sizeWords, v)
		}
		return v, nil
	case string:
		s := strings.TrimSpace(v)
		num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
		unit := s[len(num):]
		num = strings.TrimSpace(num)
		mult, ok := sizeUnit(unit)
		f, err := strconv.ParseFloat(num, 64)
		if si, power := siUnit(unit); si != "" && err == nil && r.Decimal(num) {
			return 0, fmt.Errorf("%q could mean %s×1000%s or %s×1024%s bytes: write %q for the second, or a number of bytes",
				v, num, power, num, power, num+si)
		}
		if !ok || err != nil || !r.Decimal(num) {
			return 0, fmt.Errorf("must be %s (units: B, KiB, MiB, GiB, TiB), not %q", sizeWords, v)
		}
		bytes := math.Round(f * float64(mult))
		switch {
		case bytes <= 0:
			return 0, fmt.Errorf("must be more than 0 (%s), not %q", sizeWords, v)
		case bytes >= math.MaxInt64:
			return 0, fmt.Errorf("%q is more bytes than there can be", v)
		}
		return int64(bytes), nil
	}
	return 0, fmt.Errorf("must be %s, not %s", sizeWords, r.TypeName(v))
}

// siUnit is the binary unit an SI unit is mistaken for ("GiB" for "G"
// or "GB"), and its power of 1000 or 1024 ("³"); "" when unit is none.
func siUnit(unit string) (binary, power string) {
	u := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(unit, "B"), "b"))
	if i := strings.Index("KMGT", u); len(u) == 1 && i >= 0 {
		return u + "iB", []string{"", "²", "³", "⁴"}[i]
	}
	return "", ""
}

// cpuWords describes max_cpu in every error about it.
const cpuWords = "a percent of one core such as 80, or 250 for two and a half cores"

// parseCPU reads a share of one core in percent: a number more than 0,
// and over 100 for a process that may use more than one core.
func parseCPU(r Reader, v any) (float64, error) {
	var f float64
	switch v := v.(type) {
	case int64:
		f = float64(v)
	case float64:
		f = v
	case string:
		if n := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%")); r.Decimal(n) {
			return 0, fmt.Errorf("must be a number without quotes or %%, as in max_cpu = %s, not the string %q", n, v)
		}
		return 0, fmt.Errorf("must be %s, not a string", cpuWords)
	default:
		return 0, fmt.Errorf("must be %s, not %s", cpuWords, r.TypeName(v))
	}
	if !(f > 0) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("must be more than 0 (%s), not %s", cpuWords, r.Shown(v))
	}
	return f, nil
}

// parseMaxFDs reads a number of open descriptors, 1 or more.
func parseMaxFDs(r Reader, v any) (int, error) {
	n, err := r.Int(v)
	if err == nil && (n < 1 || n > math.MaxInt32) {
		err = fmt.Errorf("must be a number of open descriptors from 1 to %d, not %d", math.MaxInt32, n)
	}
	return int(n), err
}

// Kind is the config key of a process check.
func (ProcessProbe) Kind() string { return "process" }

// Prepare makes the runs of a process check. It opens the target for
// itself, as the Runner does for signals: a `pid` is held from now on, so
// a pid that a dead target leaves behind is never read as the target's. A
// target that is not alive now is the Runner's target_missing warning, and
// this check's failure (code 1) at its first run.
func (p ProcessProbe) Prepare(spec *Spec, _ []string) Prober {
	aim, _ := action.OpenTarget(spec.Target)
	return &processProber{limits: p, aim: aim}
}

// processProber runs a process check. Its runs never overlap (the loop
// runs a check's runs one at a time), so prev needs no lock.
type processProber struct {
	limits ProcessProbe
	aim    *action.Aim
	// prev is the CPU time read by an earlier run, against which the next
	// run averages; zero when there is none.
	prev cpuSample
}

// cpuSample is a process's CPU time read at one moment.
type cpuSample struct {
	pid   int
	start uint64 // the process's start time: a new process with the same pid is another one
	ticks uint64
	at    time.Time
}

// Close releases the target.
func (p *processProber) Close() { p.aim.Close() }

// startsNoProcess: a process check reads /proc, with no process (inProcess).
func (*processProber) startsNoProcess() {}

// Run reads the target once and judges it.
func (p *processProber) Run(ctx context.Context) Result {
	start := time.Now()
	r := Result{Start: start, Unix: start.Unix()}
	if ctx.Err() != nil {
		// As a process is not started once heatd is stopping.
		r.Interrupted = true
		r.Err = fmt.Errorf("not started: %w", context.Cause(ctx))
		return r
	}
	code, msg, err := p.judge()
	r.Duration = time.Since(start)
	r.Code, r.Err = code, err
	if msg != "" {
		r.Output = []byte(oneLine(msg) + "\n")
	}
	return r
}

// judge reads the target: its code and the line that says why it failed,
// or an error when heatd could not read what it must judge (a run_error:
// heatd's own limit, not the target's failure).
func (p *processProber) judge() (code int, msg string, err error) {
	h, err := p.aim.Hold()
	if err != nil {
		p.prev = cpuSample{}
		return codeNotRunning, err.Error(), nil
	}
	defer h.Release()
	st, err := readProcStat(h.PID)
	fds := 0
	if err == nil && p.limits.MaxFDs > 0 {
		fds, err = countFDs(h.PID)
	}
	// What was read is the target's only if the held process still lives:
	// had it died meanwhile, its pid could belong to another by now. (A
	// /proc file goes only once the process is reaped, after its pidfd
	// says it has exited, so a missing one is caught here too.)
	if !h.Alive() {
		p.prev = cpuSample{}
		return codeNotRunning, fmt.Sprintf("process %d has exited", h.PID), nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("process %d cannot be read: %w", h.PID, err)
	}
	var over []string
	if lim := p.limits.MaxRSS; lim > 0 && st.rss > lim {
		code = firstCode(code, codeOverRSS)
		over = append(over, "rss "+sizeOver(st.rss, lim)+" over max_rss "+sizeText(lim))
	}
	if cpu, ok := p.cpu(h.PID, st); ok && p.limits.MaxCPU > 0 && cpu > p.limits.MaxCPU {
		code = firstCode(code, codeOverCPU)
		over = append(over, "cpu "+percentOver(cpu, p.limits.MaxCPU)+" over max_cpu "+percent(p.limits.MaxCPU))
	}
	if lim := p.limits.MaxFDs; lim > 0 && fds > lim {
		code = firstCode(code, codeOverFDs)
		over = append(over, fmt.Sprintf("fds %d over max_fds %d", fds, lim))
	}
	if code == 0 {
		return 0, "", nil
	}
	return code, fmt.Sprintf("process %d: %s", h.PID, strings.Join(over, "; ")), nil
}

// cpu is the process's CPU use, in percent of one core, since the sample
// an earlier run took; false when there is none to compare with (the
// first run, a new process, or one too recent to tell). It keeps st as
// the next run's sample, unless the one it has is too recent.
func (p *processProber) cpu(pid int, st procStat) (float64, bool) {
	now := time.Now()
	cur := cpuSample{pid: pid, start: st.start, ticks: st.cpuTicks, at: now}
	prev := p.prev
	if prev.pid != pid || prev.start != st.start || prev.ticks > st.cpuTicks {
		p.prev = cur
		return 0, false
	}
	window := now.Sub(prev.at)
	if window < minCPUWindow {
		return 0, false
	}
	p.prev = cur
	used := float64(st.cpuTicks-prev.ticks) / clockTicks
	return used / window.Seconds() * 100, true
}

// firstCode is code unless it is 0 (none yet), else c: the first limit broken
// gives the run its code.
func firstCode(code, c int) int {
	if code != 0 {
		return code
	}
	return c
}

// sizeText writes a number of bytes in the largest unit it fills, to one
// decimal: "2 GiB", "2.3 GiB", "512 B".
func sizeText(n int64) string {
	for i, unit := range [...]string{"TiB", "GiB", "MiB", "KiB"} {
		if size := int64(1) << (40 - 10*i); n >= size {
			return trimZero(strconv.FormatFloat(float64(n)/float64(size), 'f', 1, 64)) + " " + unit
		}
	}
	return strconv.FormatInt(n, 10) + " B"
}

// sizeOver writes a size that is over limit so that it reads as over it:
// when the rounded figure looks the same as the limit ("2 GiB over
// max_rss 2 GiB"), both in bytes.
func sizeOver(n, limit int64) string {
	if s := sizeText(n); s != sizeText(limit) {
		return s
	}
	return fmt.Sprintf("%s (%d bytes, the limit %d)", sizeText(n), n, limit)
}

// percent writes a share of a core to one decimal: "97.5%", "80%".
func percent(v float64) string {
	return trimZero(strconv.FormatFloat(v, 'f', 1, 64)) + "%"
}

// percentOver writes a share of a core that is over limit so that it
// reads as over it: with more decimals when one ("80%") would not.
func percentOver(v, limit float64) string {
	for prec := 1; prec < 6; prec++ {
		if s := strconv.FormatFloat(v, 'f', prec, 64); s != strconv.FormatFloat(limit, 'f', prec, 64) {
			return trimZero(s) + "%"
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64) + "%"
}

// trimZero drops a decimal that says nothing: "2.0" is "2".
func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }
