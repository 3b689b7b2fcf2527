package main

import (
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"
)

// workload is one kind of check run many times over by heatd.
type workload struct {
	what   string   // the row's name
	kind   string   // the check's key: script, command or http
	target string   // its value
	floor  []string // the floor's argv: the same process, spawned from C; nil for none
	goal   float64  // the most CPU per run allowed, as a multiple of the floor; 0: none
	// ownGoal is the most of the supervisor's own CPU per run allowed
	// (its children's left out), as a multiple of the floor program's
	// own; 0: no row for it.
	ownGoal float64
	slower  int // the interval is this many times the plan's; 0 is 1
	// stopped: heatd is stopped (SIGSTOP) for whole windows, runs under
	// way too (measurePair): its checks' timeout must outlast that.
	stopped bool
}

// httpSlower slows the HTTP checks down: curl costs some 5 ms of CPU a run,
// and 500 of them a second would need more than two cores. The native
// probe runs at the same rate, so the two compare like for like.
const httpSlower = 5

// interval is l's interval under plan p.
func (l workload) interval(p plan) time.Duration {
	return p.cpuInterval * time.Duration(max(1, l.slower))
}

// cpuSection measures heatd's CPU per run of a script, a command run
// directly, a shell command, a native HTTP probe and curl, each against
// the floor.
func (b *bench) cpuSection() error {
	srv, url, err := startHTTP()
	if err != nil {
		return err
	}
	defer srv.Close()

	loads := []workload{
		{what: "heatd: script = \"/bin/true\"", kind: "script", target: "/bin/true",
			floor: []string{"/bin/true"}, goal: 1.10, ownGoal: 2},
		{what: "heatd: command = \"/bin/true\" (run without a shell)", kind: "command", target: "/bin/true",
			floor: []string{"/bin/true"}, goal: 1.10},
		{what: "heatd: command = \"/bin/true; :\" (a shell command)", kind: "command", target: "/bin/true; :",
			floor: []string{"/bin/sh", "-c", "/bin/true; :"}, goal: 1.10},
	}
	native := workload{what: "heatd: http = \"" + url + "\" (native probe)", kind: "http", target: url, slower: httpSlower}
	curl := workload{what: "heatd: command = \"curl -sf " + url + "\"", kind: "command",
		target: "curl -sf " + url, floor: []string{"curl", "-sf", url}, slower: httpSlower}
	if b.curl == "" {
		loads = append(loads, native)
	}
	gw, err := b.measureGoFloor()
	if err != nil {
		return fmt.Errorf("the Go floor: %w", err)
	}
	goFloor := workload{what: fmt.Sprintf("Go floor: os.StartProcess and Wait from %d goroutines (not heatd)", b.plan.cpuChecks),
		floor: []string{"/bin/true"}}
	b.cpuRow(goFloor, gw)
	b.ownRow(goFloor, gw)
	perRun := map[string]float64{}
	for _, l := range loads {
		w, err := b.measureHeatd(l)
		if err != nil {
			return fmt.Errorf("%s: %w", l.what, err)
		}
		perRun[l.kind+" "+l.target] = median(w.perRun)
		b.cpuRow(l, w)
		if l.ownGoal > 0 {
			b.ownRow(l, w)
		}
	}
	if b.curl != "" {
		// The two rows judged as a ratio are measured in turns (measurePair).
		wn, wc, err := b.measurePair(native, curl)
		if err != nil {
			return fmt.Errorf("%s and %s: %w", native.what, curl.what, err)
		}
		for _, m := range []struct {
			l workload
			w windowed
		}{{native, wn}, {curl, wc}} {
			perRun[m.l.kind+" "+m.l.target] = median(m.w.perRun)
			b.cpuRow(m.l, m.w)
		}
	}
	// (A quick run's native probes may use less CPU than /proc can see.)
	if curl, native := perRun["command curl -sf "+url], perRun["http "+url]; curl > 0 && native > 0 {
		g := goal{limit: 1.0 / 50, text: "≤ 1/50 of curl's", show: func(v float64) string { return fmt.Sprintf("1/%.0f", 1/v) }}
		goalText, verdict := b.rep.judge(g, native/curl)
		b.rep.add(row{section: "CPU per run", what: "native HTTP probe against `curl -sf`",
			value: fmt.Sprintf("1/%.0f of curl's CPU", curl/native), versus: us(time.Duration(native)) + " vs " + us(time.Duration(curl)),
			goal: goalText, verdict: verdict})
		if missed(verdict) {
			b.profileHeatd(workload{what: "native HTTP probe", kind: "http", target: url, slower: httpSlower})
		}
	}
	b.rep.note("CPU per run: heatd with %d checks at interval %s (splay = interval, so runs are spread evenly: %d runs a second), metrics on, log level info (the HTTP checks at %d times the interval, as curl would need more than two cores at that rate, with windows half as many times longer, and these two measured in turns, each stopped while the other's window runs, so that their ratio sees the same minutes of the host's load); %d windows of %s after %s of warm-up, runs counted from heatd_check_runs_total. heatd is stopped (SIGSTOP) while the floor runs %d times between windows, so they never compete for the CPU. Value: the median window; ratio: that over the floor's median. The Go floor (bench/gofloor) runs /bin/true on heatd's schedule with nothing but os.StartProcess and Wait: what any Go supervisor with a goroutine per check pays here. A supervisor's own CPU is read from its CPU clock (clock_getcpuclockid), in nanoseconds, its reaped children's from /proc/PID/stat (cutime+cstime, 10 ms ticks). Own CPU: the supervisor's alone, its children's left out, against the floor program's (getrusage RUSAGE_SELF): what spawning, watching and reaping a process costs each.",
		b.plan.cpuChecks, b.plan.cpuInterval, int(float64(b.plan.cpuChecks)/b.plan.cpuInterval.Seconds()), httpSlower,
		b.plan.windows, b.plan.window, b.plan.warmup, b.plan.floorRuns)
	return nil
}

// cpuRow reports one workload.
func (b *bench) cpuRow(l workload, w windowed) {
	x := row{section: "CPU per run", what: l.what, value: us(time.Duration(median(w.perRun))) + " per run"}
	if len(w.floor) > 0 {
		x.versus = fmt.Sprintf("%s floor (%s): %s", times(w.ratio()), floorName(l.floor), us(time.Duration(median(w.floor))))
		if s := w.ratioSpread(); s != "" {
			x.versus += "; " + s
		}
	}
	if l.goal > 0 && len(w.floor) > 0 {
		x.goal, x.verdict = b.rep.judge(goal{limit: l.goal, text: fmt.Sprintf("≤ %.2f× floor", l.goal), show: times}, w.ratio())
		if missed(x.verdict) {
			b.profileHeatd(l)
		}
	}
	b.rep.add(x)
}

// ownRow reports the supervisor's own CPU per run, its children's left
// out, against the floor program's own: what spawning and reaping a
// process costs each, without the process itself (which is the same for
// both, and on a virtual machine most of the total).
func (b *bench) ownRow(l workload, w windowed) {
	if len(w.ownPerRun) == 0 || w.ownRatio() == 0 {
		return
	}
	x := row{section: "CPU per run", what: l.what + ": its own CPU, children excluded",
		value: us(time.Duration(median(w.ownPerRun))) + " per run"}
	f := median(w.floorOwn)
	x.versus = fmt.Sprintf("%s the C spawner's own (%s): %s", times(w.ownRatio()), floorName(l.floor), us(time.Duration(f)))
	if len(w.ownPerRun) > 1 {
		var rs []float64
		for _, o := range w.ownPerRun {
			rs = append(rs, o/f)
		}
		x.versus += "; windows " + spread(rs, times)
	}
	if l.ownGoal > 0 {
		x.goal, x.verdict = b.rep.judge(goal{limit: l.ownGoal, text: fmt.Sprintf("≤ %.0f× the C spawner's own", l.ownGoal), show: times}, w.ownRatio())
	}
	b.rep.add(x)
}

func floorName(argv []string) string {
	if len(argv) == 3 && argv[1] == "-c" {
		return "sh -c from C"
	}
	return "posix_spawn from C"
}

// measureHeatd runs heatd on l and measures its CPU per run in windows.
func (b *bench) measureHeatd(l workload) (windowed, error) {
	b.progress("%s", l.what)
	h, err := b.startWorkload(l)
	if err != nil {
		return windowed{}, err
	}
	defer h.stop()
	w, err := b.measureWindows(h.subject(), b.plan.windows, l.window(b.plan), l.floor)
	return w, h.healthy(err)
}

// startWorkload starts heatd on l and lets it warm up.
func (b *bench) startWorkload(l workload) (*heatdRun, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	conf := heatdConf{checks: b.plan.cpuChecks, kind: l.kind, target: l.target,
		interval: l.interval(b.plan), splay: l.interval(b.plan), metrics: addr}
	if l.stopped {
		conf.timeout = time.Hour
	}
	h, err := b.startHeatd(conf, false, false)
	if err != nil {
		return nil, err
	}
	if !b.sleep(b.plan.warmup) {
		h.stop()
		return nil, b.ctx.Err()
	}
	if err := h.alive(); err != nil {
		h.stop()
		return nil, err
	}
	return h, nil
}

// healthy is err, the measure's, or else what went wrong with heatd
// meanwhile: it ended, or reported trouble.
func (h *heatdRun) healthy(err error) error {
	if err == nil {
		err = h.alive()
	}
	if n := h.events.notables(); err == nil && len(n) > 0 {
		err = fmt.Errorf("heatd reported trouble: %s", h.events.summary())
	}
	return err
}

// window is the length of l's windows under plan p. A slower workload gets
// longer windows, so that each still holds hundreds of runs, and its
// children's CPU (curl's), read in /proc's 10 ms ticks, hundreds of ticks.
func (l workload) window(p plan) time.Duration {
	if l.slower <= 1 {
		return p.window
	}
	return p.window * time.Duration(l.slower) / 2
}

// subject is heatd as measureWindows sees it.
func (h *heatdRun) subject() subject {
	return subject{
		pause:  func() { signalGroup(h.cmd, syscall.SIGSTOP) },
		resume: func() { signalGroup(h.cmd, syscall.SIGCONT) },
		cpu:    func() (time.Duration, error) { return cpuOf(h.pid()) },
		own:    func() (time.Duration, error) { return ownCPUOf(h.pid()) },
		runs:   h.runsTotal,
	}
}

// startHTTP serves 200 "ok" on a loopback port, for the HTTP checks.
func startHTTP() (*http.Server, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return srv, "http://" + l.Addr().String() + "/", nil
}
