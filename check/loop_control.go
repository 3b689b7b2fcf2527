package check

import (
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// The operator's verbs as the loop takes them (SPEC 13): heatctl pause and
// resume, and what heatd remembers of a check across its restarts. A verb
// never waits for a step: it records what was asked under mu, and the
// rules take it between steps (sync), at once when the check is idle.

// Memory is what heatd keeps of a check across its restarts and the
// reloads that change it: what an operator or heatd decided.
type Memory struct {
	Pause *Pause // nil: not paused
	// GaveUp is when the check gave up (recovery_limit); zero: it has not.
	GaveUp time.Time
	// Attempts are the start times of its recent recovery attempts, for
	// recovery_limit, oldest first.
	Attempts []time.Time
}

// memory is what OnMemory was last told, to tell it only of a change.
type memory struct {
	paused  bool
	gaveUp  bool
	attempt *Attempts // Attempts is never changed in place: a new one is a change
}

// resumer is who ended a pause or a gave_up.
type resumer struct {
	uid     int
	expired bool // the end --for gave came, not an operator
	// paused: the check was paused when the resume came, though the rules
	// may not have taken that pause yet (both came during one step).
	paused bool
}

// remember starts the check as m says: paused, given up, with its recent
// attempts counting against recovery_limit. Nothing is reported: it was
// when it happened.
func (c *Check) remember(m Memory) {
	if m.Pause != nil {
		p := *m.Pause
		c.paused, c.status.Pause = true, &p
		c.status.State.Paused = true
	}
	st := &c.status.State
	var gaveUpAt time.Time
	if !m.GaveUp.IsZero() && c.policy().Limit > 0 {
		st.Mode, gaveUpAt = GivenUp, m.GaveUp
	}
	if len(m.Attempts) > 0 && c.policy().Limit > 0 {
		st.Recent = &Attempts{at: slices.Clone(m.Attempts)}
	}
	if told := (memory{paused: c.paused, gaveUp: st.Mode == GivenUp, attempt: st.Recent}); told != (memory{}) {
		k := c.kept()
		k.told, k.gaveUpAt = told, gaveUpAt
	}
}

// Pause holds the check's steps (heatctl pause): it goes on running and
// reporting, and takes no step. A recovery script under way finishes, and
// nothing follows it. A check paused already takes p as its pause. It
// returns at once.
func (c *Check) Pause(p Pause) {
	c.mu.Lock()
	c.paused, c.status.Pause = true, &p
	report := c.syncIdle()
	c.mu.Unlock()
	fields := []zap.Field{zap.Int("uid", p.UID)}
	line := "paused by uid " + strconv.Itoa(p.UID)
	if p.Reason != "" {
		fields = append(fields, zap.String("reason", p.Reason))
	}
	if !p.Until.IsZero() {
		fields = append(fields, zap.Time("until", p.Until.UTC()))
		line += " until " + p.Until.UTC().Format(time.RFC3339)
	}
	if p.Reason != "" {
		line += ": " + p.Reason
	}
	c.events().Info("check_paused", fields...)
	c.quietHistory(line)
	report()
}

// Resume ends the check's pause and its gave_up (heatctl resume, as uid):
// when the count is at the threshold, a recovery starts at once. A step
// under way finishes first. It reports whether the check was paused or had
// given up.
func (c *Check) Resume(uid int) bool { return c.resumeAs(resumer{uid: uid}) }

// EndPause ends the check's pause as its end (pause --for) has come. It
// reports whether the check was paused.
func (c *Check) EndPause() bool {
	c.mu.Lock()
	paused := c.paused
	c.mu.Unlock()
	return paused && c.resumeAs(resumer{expired: true})
}

func (c *Check) resumeAs(r resumer) bool {
	c.mu.Lock()
	if c.ended || !c.paused && c.status.State.Mode != GivenUp {
		c.mu.Unlock()
		return false
	}
	r.paused = c.paused
	c.paused, c.status.Pause, c.kept().resume = false, nil, &r
	report := c.syncIdle()
	c.mu.Unlock()
	report()
	return true
}

// syncIdle has what the operator asked applied now when the check is
// idle: the check turns busy, as during a step, and the report returned
// (to run once c.mu is released) reports it and then sets the timer
// (rest). Otherwise the step under way (or about to start: its timer
// fired) applies it when it starts or ends. c.mu is held.
func (c *Check) syncIdle() (report func()) {
	if c.timer == nil {
		// Not started: Start takes the state as it is.
		return c.sync()
	}
	if c.ended || c.busy || !c.timer.Stop() {
		return func() {}
	}
	c.busy = true
	return func() {
		c.mu.Lock()
		c.rest()
	}
}

// takeResume returns the resume not yet applied and forgets it; nil: none.
// c.mu is held.
func (c *Check) takeResume() *resumer {
	if c.rare == nil {
		return nil
	}
	r := c.rare.resume
	c.rare.resume = nil
	return r
}

// sync brings the rules' state to what the operator asked, as a step
// starts: c.mu is held, and the report it returns, to run once c.mu is
// released, tells what changed (take).
func (c *Check) sync() (report func()) {
	events := c.take(false)
	return func() {
		for _, e := range events {
			e()
		}
		c.tellChildren()
	}
}

// take brings the rules' state to what the operator asked: a resume, then
// a pause (one that came after it). It runs between steps (between) or as
// a step starts, c.mu held, and returns what to report once c.mu is
// released: the resume's event and heat log line, and the check's memory
// when it changed; none when nothing changed.
//
// A pause and a resume change what the steps do, never when runs start
// (SPEC 4: start to start), with one exception: a resume at the threshold
// starts a recovery at once (SPEC 13), as the end of a parent's trouble
// does, and the schedule goes on from it. So a pause holds a step due at once (a recovery, a
// verification's first run) and leaves the check's next run at its next
// slot, counted from the slot the schedule had (c.next), not from now nor
// from a resume's "at once" that the pause cancels. As a step starts, the
// step runs all the same, as a run of the slot it was due in.
func (c *Check) take(between bool) (events []func()) {
	st := c.status.State
	if r := c.takeResume(); r != nil {
		was := st
		next, ok := Resume(c.policy(), st)
		if ok || r.paused {
			st = next
			events = append(events, func() { c.resumed(*r, was, next) })
		}
	}
	next := c.next
	if st.Mode == RecoveryDue && c.status.State.Mode != RecoveryDue {
		next = time.Now()
	}
	switch blocked := c.blocker() != nil; {
	case blocked && !st.Blocked:
		st = Block(st)
	case !blocked && st.Blocked:
		st = Unblock(c.policy(), st)
		if st.Mode == RecoveryDue {
			next = time.Now()
		}
	}
	if c.paused && !st.Paused {
		var slot time.Time
		st, slot = Suspend(c.policy(), st, c.next, time.Now())
		next = c.next
		if between {
			next = slot
		}
	}
	c.status.State, c.next = st, next
	if tell := c.memoryChanged(&c.status.State); tell != nil {
		events = append(events, tell)
	}
	return events
}

// resumed reports a resume that took the check from was to st.
func (c *Check) resumed(r resumer, was, st State) {
	fields := []zap.Field{zap.Int("consecutive_failures", st.Streak)}
	line := "resumed by uid " + strconv.Itoa(r.uid)
	if r.expired {
		fields = append(fields, zap.Bool("expired", true))
		line = "resumed: the pause ended"
	} else {
		fields = append(fields, zap.Int("uid", r.uid))
	}
	if was.Mode == GivenUp {
		fields = append(fields, zap.Bool("gave_up", true))
		line = "resumed after giving up, by uid " + strconv.Itoa(r.uid)
	}
	c.events().Info("check_resumed", fields...)
	c.quietHistory(line)
}

// quietHistory writes heatd's line to the heat log, now, from outside a
// step: without entering a phase (writeHeatLog's), which would hide the
// check's wait from its liveness.
func (c *Check) quietHistory(line string) {
	if err := c.doer.HeatLog(time.Now().Unix(), line, nil); err != nil {
		c.events().Error("heat_log_failed", zap.Error(err))
	}
}

// memoryChanged returns, when the check's Memory, its state being st,
// differs from what OnMemory was last told, the call that tells it; nil
// otherwise. c.mu is held. The calls come from the step's goroutine and a verb's, and may run
// in either order: each tells the latest Memory, one at a time, so the
// last told is the latest.
func (c *Check) memoryChanged(st *State) func() {
	if c.onMemory == nil {
		return nil
	}
	now := memory{paused: c.paused, gaveUp: st.Mode == GivenUp, attempt: st.Recent}
	var told memory
	if c.rare != nil {
		told = c.rare.told
	}
	if now == told {
		return nil
	}
	k := c.kept()
	k.told = now
	if now.gaveUp && k.gaveUpAt.IsZero() {
		k.gaveUpAt = time.Now()
	} else if !now.gaveUp {
		k.gaveUpAt = time.Time{}
	}
	k.mem = Memory{GaveUp: k.gaveUpAt, Attempts: st.Recent.Times()}
	if c.status.Pause != nil {
		p := *c.status.Pause
		k.mem.Pause = &p
	}
	return func() {
		k.telling.Lock()
		defer k.telling.Unlock()
		c.mu.Lock()
		m := k.mem
		c.mu.Unlock()
		c.onMemory(m)
	}
}
