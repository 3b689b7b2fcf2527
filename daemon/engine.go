package daemon

import (
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/action"
	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/state"
)

// Engine runs a set of checks, each in its own goroutine, and changes the
// set as a difference: a check whose Spec did not change is never touched.
type Engine struct {
	log     *zap.Logger
	base    []string                          // the environment checks inherit
	observe func(name string, r check.Result) // sees every check run; may be nil
	alarms  check.AlarmFunc                   // hears of every check's alarms (WatchAlarms); may be nil

	slots   *action.Limiter // max_parallel, shared by every check
	systemd *action.Systemd // recovery_unit's restarts: one connection, opened at the first

	mu       sync.Mutex
	checks   map[string]*instance
	retiring map[*instance]bool // stopped, not yet ended (a changed or removed check)
	// gone holds, by name, the newest instance of a removed check until it
	// ends: the check added again starts after it.
	gone     map[string]*instance
	settings Settings
	halted   bool
	held     bool        // Apply's new checks wait for Release
	pending  []*instance // held since Hold
	// first counts down the first runs of the checks that the first
	// Release started (nil once it has); firstDone is its done.
	first     *firstRuns
	firstDone <-chan struct{}
	// started is the first Release's count, which the instances it
	// counted tell (instance.counted).
	started *firstRuns

	// store keeps what operators and heatd decided about each check
	// name, across reloads and restarts.
	store   *state.Store
	current atomic.Pointer[state.Store] // store, for the checks' callbacks
	// pauseEnds are the timers that end pauses given an end, by name.
	pauseEnds map[string]*time.Timer
}

// Settings are the [daemon] keys the engine follows.
type Settings struct {
	Splay       time.Duration // spread of first runs
	Grace       time.Duration // what a stopped check's run may take before it is killed
	MaxParallel int           // processes at once; 0: automatic
}

// instance is one check's running loop. The instances of one name form a
// chain: each begins only once the one before it has ended, so that one
// check never runs twice at once, whatever the reloads in between.
//
// Ten thousand checks keep ten thousand instances: what the engine has
// once (its observe, the start's count) is read through e, and the Runner
// from the check, whose Doer it is; 416 bytes, a size class of Go's.
type instance struct {
	spec  check.Spec
	check *check.Check
	e     *Engine

	// Its stop and kill are part of it, not objects of their own: two
	// allocations fewer a check.
	stopCtx cancelSignal // its end: no new runs
	killCtx cancelSignal // its end: cut short what runs
	mu      sync.Mutex

	// told: whether e.started was told of its first run; counted: the
	// first Release started the check with its first run due at once, and
	// e.started counts it down.
	told    atomic.Bool
	counted bool

	retired bool         // its results are no longer its name's (metrics); under mu
	alarms  check.Alarms // what its alarms are as the engine's listener heard; under mu
	dueNow  bool         // its first run is due as it begins (no splay)
}

// runner is the check's Runner.
func (in *instance) runner() *check.Runner { return in.check.Doer().(*check.Runner) }

// done is closed when the check has ended, and with it every earlier
// instance of its name: its loop starts only after they have.
func (in *instance) done() <-chan struct{} { return in.check.Done() }

// begin starts the check. One stopped before it began starts only to end
// at once (its stop context has ended): it still waited for the instance
// before it. e.mu is held.
func (in *instance) begin() { in.check.Start(&in.stopCtx, &in.killCtx) }

// stop ends the check's new runs. e.mu is held.
func (in *instance) stop() { in.stopCtx.cancel() }

// kill cuts short what the check runs.
func (in *instance) kill() { in.killCtx.cancel() }

// NewEngine makes an engine with no checks. Its checks inherit heatd's
// environment; observe, when not nil, sees every run of every check (for
// metrics).
func NewEngine(log *zap.Logger, observe func(name string, r check.Result)) *Engine {
	first := &firstRuns{done: make(chan struct{})}
	e := &Engine{log: log, base: os.Environ(), observe: observe, checks: make(map[string]*instance),
		retiring: make(map[*instance]bool), gone: make(map[string]*instance), slots: action.NewLimiter(0),
		systemd: action.NewSystemd(), pauseEnds: make(map[string]*time.Timer), first: first, firstDone: first.done}
	e.Remember(state.Open("", false, log))
	return e
}

// Move makes next the store, carrying over what the store in use kept, over
// what next held, and returns the one it replaces, for the caller to close.
// The verbs wait meanwhile; a check that tells its memory (an attempt,
// giving up) as the move comes may hold the old store still, and its change
// reaches next through it (state.Store.MoveTo): none is lost between the
// two.
func (e *Engine) Move(next *state.Store) (old *state.Store) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old = e.store
	old.MoveTo(next)
	e.store = next
	e.current.Store(next)
	return old
}

// storeOf is the store in use now (a reload may move it), read without
// e.mu: a check tells its memory from within Apply's links too.
func (e *Engine) storeOf() *state.Store { return e.current.Load() }

// Remember makes s the store of what is decided about the checks (by
// default one in memory alone), before the first Apply. The caller closes
// it after Stop.
func (e *Engine) Remember(s *state.Store) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.store = s
	e.current.Store(s)
}

// Change describes what Apply did, by check name.
type Change struct {
	Added, Changed, Removed, Kept []string
}

// Apply makes specs the running set. New checks start (after their splay);
// removed ones stop as at a stop; changed ones stop, and their new instance
// starts once the old one has ended, so one check never runs twice at once
// (a check removed and added again waits the same way for what is left of
// it); unchanged ones keep running, their state and schedule untouched.
func (e *Engine) Apply(specs []check.Spec, set Settings) Change {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ch Change
	if e.halted {
		return ch
	}
	e.settings = set
	e.slots.SetMax(set.MaxParallel)
	wanted := make(map[string]bool, len(specs))
	// The checks this apply starts, replaces or stops, and those whose
	// links change with them: link relinks these alone.
	replaced, relink := map[string]bool{}, map[string]bool{}
	touch := func(name string, lists ...[]string) {
		replaced[name], relink[name] = true, true
		for _, list := range lists {
			for _, p := range list {
				relink[p] = true // its children change
			}
		}
	}
	for i := range specs {
		spec := &specs[i]
		wanted[spec.Name] = true
		old, ok := e.checks[spec.Name]
		switch {
		case !ok:
			ch.Added = append(ch.Added, spec.Name)
			touch(spec.Name, spec.DependsOn)
			var after <-chan struct{}
			if gone := e.gone[spec.Name]; gone != nil {
				after = gone.done()
				delete(e.gone, spec.Name)
			}
			e.checks[spec.Name] = e.start(spec, after, nil)
		case sameSpec(&old.spec, spec):
			ch.Kept = append(ch.Kept, spec.Name)
		default:
			ch.Changed = append(ch.Changed, spec.Name)
			touch(spec.Name, old.spec.DependsOn, spec.DependsOn)
			// A changed check starts afresh: it has not given up, and
			// no attempt counts against its new recovery_limit. An
			// operator's pause stays.
			e.store.Update(spec.Name, func(en *state.Entry) { en.GaveUp, en.Attempts = time.Time{}, nil })
			e.retire(old)
			e.checks[spec.Name] = e.start(spec, old.done(), old.runner())
		}
	}
	for name, old := range e.checks {
		if !wanted[name] {
			ch.Removed = append(ch.Removed, name)
			touch(name, old.spec.DependsOn)
			e.retire(old)
			delete(e.checks, name)
			e.gone[name] = old
			e.disarmPause(name)
		}
	}
	slices.Sort(ch.Removed)
	e.link(replaced, relink)
	// What is kept of checks no longer configured goes; a check added
	// (or heatd started) paused keeps its pause's end.
	e.store.Prune(slices.Collect(maps.Keys(wanted)))
	for _, name := range ch.Added {
		if p := e.store.Check(name).Pause; p != nil {
			e.armPause(name, check.Pause{Since: p.Since, Until: p.Until, Reason: p.Reason, UID: p.UID})
		}
	}
	return ch
}

// link rebuilds depends_on's links between the live instances: each parent
// learns its children, each child its parents and how they are now. A link
// to an instance a reload replaced is gone with it. Only the checks in
// relink are linked again, and those that depend on a replaced one: every
// other check's parents and children are the instances they were (a
// reload that changes one check of ten thousand relinks a few). e.mu is
// held.
func (e *Engine) link(replaced, relink map[string]bool) {
	children := make(map[string][]*check.Check)
	for name, in := range e.checks {
		for _, p := range in.spec.DependsOn {
			children[p] = append(children[p], in.check)
			if replaced[p] {
				relink[name] = true
			}
		}
	}
	for name := range relink {
		in := e.checks[name]
		if in == nil {
			continue // stopped
		}
		parents := make([]*check.Check, 0, len(in.spec.DependsOn))
		for _, p := range in.spec.DependsOn {
			if parent := e.checks[p]; parent != nil {
				parents = append(parents, parent.check)
			}
		}
		in.check.DependOn(parents)
	}
	// Then each parent tells its children how it is, under the lock its
	// later news takes: no turn of its health falls between the two.
	for name := range relink {
		if in := e.checks[name]; in != nil {
			in.check.Link(children[name])
		}
	}
}

// start makes spec's check and starts it once after, the done of the
// instance before it, has closed (nil: at once; while the engine is held,
// at Release). prev is the Runner of the check's settings before a change
// (nil: none), whose kind's memory the new one inherits. e.mu is held.
func (e *Engine) start(spec *check.Spec, after <-chan struct{}, prev *check.Runner) *instance {
	// The instance keeps its own copy of the settings: nothing of it points
	// into the configuration, which can then go.
	in := &instance{spec: *spec, e: e}
	spec = &in.spec
	runner, missing := check.NewRunner(spec, e.base, e.systemd)
	if missing != nil {
		e.log.Warn("target_missing", zap.String("check", spec.Name), zap.Error(missing))
	}
	if prev != nil {
		runner.Inherit(prev)
	}
	in.killCtx.makeDone() // the stop's, when asked for
	delay := Splay(spec.Name, spec.Interval, e.settings.Splay)
	in.dueNow = delay == 0
	digest := settingsSum(spec)
	in.check = check.New(spec, check.Options{
		Doer:     runner,
		Log:      e.log,
		Delay:    delay,
		Slots:    e.slots,
		OnResult: in.result,
		Memory:   memoryOf(e.store.Check(spec.Name).Decided(digest.String())),
		OnMemory: in.memory,
		OnAlarms: e.instanceAlarms(in),
		OnEnd:    in.ended,
	})
	if after != nil && !closed(after) {
		// The instance before it still runs: this one waits, even if a
		// stop comes first, for its own done to mean that both have ended.
		go func() {
			<-after
			e.mu.Lock()
			defer e.mu.Unlock()
			e.launch(in)
		}()
		return in
	}
	e.launch(in)
	return in
}

// result is what the check's OnResult does with a run. The instance's
// methods are its callbacks, rather than closures over it: ten thousand
// checks keep them for their whole life.
func (in *instance) result(r check.Result) {
	in.ranOnce()
	if in.e.observe == nil {
		return
	}
	// A retired instance's last run is not its name's: the series of a
	// removed check, dropped at the reload, would come back with it.
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.retired {
		in.e.observe(in.spec.Name, r)
	}
}

// memory is the check's OnMemory. The engine keeps the pause (it outlives
// instances); the check, what it decided, with the digest of its settings,
// made again at each call (a pause, giving up, an attempt: rare) rather
// than kept in a closure, 48 bytes a check against a method's 16. A
// retired instance speaks no more for its name.
func (in *instance) memory(m check.Memory) {
	store := in.e.storeOf()
	digest := settingsSum(&in.spec).String()
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.retired {
		store.Update(in.spec.Name, func(en *state.Entry) {
			en.GaveUp, en.Attempts, en.Settings = m.GaveUp, m.Attempts, digest
		})
	}
}

// ended is the check's OnEnd: what the instance holds goes.
func (in *instance) ended() {
	in.runner().Close()
	in.kill()
	in.ranOnce()
}

// launch begins in now, or at Release while the engine is held. e.mu is
// held.
func (e *Engine) launch(in *instance) {
	if e.held {
		e.pending = append(e.pending, in)
		return
	}
	in.begin()
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Hold keeps the checks that Apply adds from starting until Release: heatd
// holds them while it loads, so that ten thousand first runs do not race
// the load and the READY=1 that follows it.
func (e *Engine) Hold() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.held = true
}

// Release starts the checks held since Hold.
func (e *Engine) Release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.release()
}

func (e *Engine) release() {
	if first := e.first; first != nil {
		// The first Release is heatd's start: its checks are counted
		// before any of them begins, so no count ends early.
		// Only first runs due at once make a burst: with a splay they
		// come spread, and there is nothing to wait for.
		e.first, e.started = nil, first
		first.slots = e.slots
		n := 0
		for _, in := range e.pending {
			if in.dueNow {
				in.counted = true
				n++
			}
		}
		first.left.Store(int64(n))
		if n == 0 {
			e.firstDone = nil // no burst: nothing will close it
		}
	}
	// Their first runs queue once every check has started (Limiter.Hold).
	e.slots.Hold()
	for _, in := range e.pending {
		in.begin()
	}
	e.slots.Unhold()
	e.held, e.pending = false, nil
}

// FirstRuns is closed once every check that the first Release started
// with its first run due at once (splay 0) has ended that run, or ended
// without one, and no step of any check is under way (what followed those
// runs, their events and scripts, has ended too): the burst of heatd's
// start is over. Never closed before the first Release; nil after a first
// Release that started no such check (there is no burst to wait for).
func (e *Engine) FirstRuns() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.firstDone
}

// retire stops in: no new runs, and what runs gets the grace before its
// process group is killed. e.mu is held.
func (e *Engine) retire(in *instance) {
	in.stop()
	in.mu.Lock()
	in.retired = true
	fired := in.alarms
	in.mu.Unlock()
	e.retireAlarms(in.spec.Name, fired)
	e.retiring[in] = true
	grace := e.settings.Grace
	go func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-in.done():
		case <-t.C:
			in.kill()
			<-in.done()
		}
		e.mu.Lock()
		delete(e.retiring, in)
		if e.gone[in.spec.Name] == in {
			delete(e.gone, in.spec.Name)
		}
		e.mu.Unlock()
	}()
}

// Stop stops every check: no new runs; what runs gets grace, then its
// process group is killed. Stop returns once every loop has ended, those
// of checks a reload had already retired included, so that no process
// heatd started outlives it.
func (e *Engine) Stop(grace time.Duration) {
	e.mu.Lock()
	for _, in := range e.checks {
		in.stop()
		e.retiring[in] = true
	}
	e.checks = map[string]*instance{}
	e.halted = true
	for name := range e.pauseEnds {
		e.disarmPause(name)
	}
	e.release() // held checks start stopped, and end at once
	all := make([]*instance, 0, len(e.retiring))
	for in := range e.retiring {
		all = append(all, in)
	}
	e.mu.Unlock()

	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	for _, in := range all {
		select {
		case <-in.done():
		case <-deadline.C:
			for _, in := range all {
				in.kill()
			}
		}
		<-in.done()
	}
	e.systemd.Close()
}

// Beat hands a job's report to the heartbeat check name, the instance that
// runs now; an error when no check has that name or it is not a heartbeat
// check. It takes the engine's lock, so a reload cannot hand the beat to an
// instance it is replacing.
func (e *Engine) Beat(name string, b check.Beat) error {
	if err := b.Validate(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	in, ok := e.checks[name]
	if !ok {
		return &check.NoHeartbeatError{Name: name}
	}
	if err := in.runner().Beat(b); err != nil {
		return &check.NoHeartbeatError{Name: name, Exists: true}
	}
	return nil
}

// Statuses are the checks' statuses, sorted by name.
func (e *Engine) Statuses() []check.Status {
	e.mu.Lock()
	all := make([]*check.Check, 0, len(e.checks))
	for _, in := range e.checks {
		all = append(all, in.check)
	}
	e.mu.Unlock()
	st := make([]check.Status, len(all))
	for i, c := range all {
		st[i] = c.Status()
	}
	slices.SortFunc(st, func(a, b check.Status) int { return strings.Compare(a.Name, b.Name) })
	return st
}

// Splay is the delay of a check's first run: a stable offset within
// min(interval, splay) fixed by a hash of its name, so that many checks do
// not start at one instant and a restart keeps the same rhythm.
func Splay(name string, interval, splay time.Duration) time.Duration {
	window := min(interval, splay)
	if window <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return time.Duration(h.Sum64() % uint64(window))
}

// Summary counts the checks by health, the line systemd shows as the
// service's status: "N checks: H healthy, F failing, R recovering", then
// those in the other states, where there are any ("12 checks: 10 healthy,
// 1 failing, 0 recovering, 1 gave up"). The counts add up to N.
//
// It counts under the engine's lock rather than from a copy of the list,
// into an array rather than a map: heatd makes this line every second, and
// a copy of ten thousand checks' pointers each time would be garbage
// enough, over an idle hour, to keep the heap above what is live.
func (e *Engine) Summary() string {
	var count [256]int // by check.Health, a uint8
	e.mu.Lock()
	for _, in := range e.checks {
		count[in.check.Health()]++
	}
	n := len(e.checks)
	e.mu.Unlock()
	noun := "checks"
	if n == 1 {
		noun = "check"
	}
	line := fmt.Sprintf("%d %s: %d healthy, %d failing, %d recovering", n, noun,
		count[check.Healthy], count[check.Failing], count[check.Recovering])
	for _, h := range check.Healths() {
		if c := count[h]; c > 0 && h != check.Healthy && h != check.Failing && h != check.Recovering {
			line += fmt.Sprintf(", %d %s", c, strings.ReplaceAll(h.String(), "_", " "))
		}
	}
	return line
}

// Live reports whether every check's loop is making progress: nil, or the
// first one found wedged. It takes the engine's lock, so a deadlocked
// engine never answers, and the watchdog goes unfed.
func (e *Engine) Live(now time.Time) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, in := range e.checks {
		if err := in.check.Stalled(now); err != nil {
			return err
		}
	}
	return nil
}
