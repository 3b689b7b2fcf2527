package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/config"
	"github.com/heatd/heatd/daemon/state"
)

// The operator's verbs (heatctl pause, resume, run) by check name. Each
// reaches the instance of the name that is live when it is asked, and none
// waits for a check's step: they take the engine's lock for a map lookup
// and the store's for a copy, as Beat does.
//
// A pause belongs to the check's name, not to one instance of it: it is
// kept in the store (and so across restarts), lasts across reloads that
// change the check, and each new instance of the name starts paused.

// resolve is the live instances of names (nil: every check), or an
// *check.UnknownError naming those no check has. e.mu is held.
func (e *Engine) resolve(names []string) (map[string]*instance, error) {
	if names == nil {
		return maps.Clone(e.checks), nil
	}
	found := make(map[string]*instance, len(names))
	var unknown []string
	for _, n := range names {
		if in, ok := e.checks[n]; ok {
			found[n] = in
		} else if !slices.Contains(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) == 0 {
		return found, nil
	}
	slices.Sort(unknown)
	known := slices.Collect(maps.Keys(e.checks))
	slices.Sort(known)
	u := &check.UnknownError{Names: unknown, Hints: map[string]string{}}
	for _, n := range unknown {
		if hint := config.Suggest(n, known); hint != "" {
			u.Hints[n] = hint
		}
	}
	return nil, u
}

// Pause pauses the checks named (nil: every check) as p says, and returns
// their names, sorted. A check paused already takes the new pause (its
// end and reason). A name no check has is an *check.UnknownError, and
// nothing is paused.
func (e *Engine) Pause(names []string, p check.Pause) ([]string, error) {
	e.mu.Lock()
	found, err := e.resolve(names)
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	for name := range found {
		e.store.Update(name, func(en *state.Entry) { en.Pause = storedPause(&p) })
		e.armPause(name, p)
	}
	e.mu.Unlock()
	// Told outside the lock: ten thousand heat log lines are file writes.
	for _, in := range found {
		in.check.Pause(p)
	}
	return sortedNames(found), nil
}

// Resume ends the pause and the giving up of the checks named (nil: every
// check), as uid asked, and returns their names, sorted. A check neither
// paused nor given up is left as it is. A name no check has is an
// *check.UnknownError, and nothing is resumed.
func (e *Engine) Resume(names []string, uid int) ([]string, error) {
	e.mu.Lock()
	found, err := e.resolve(names)
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	for name := range found {
		e.unpause(name)
	}
	e.mu.Unlock()
	for _, in := range found {
		in.check.Resume(uid)
	}
	return sortedNames(found), nil
}

// armPause sets the timer that ends name's pause p by itself, when it has
// an end. e.mu is held.
func (e *Engine) armPause(name string, p check.Pause) {
	e.disarmPause(name)
	if p.Until.IsZero() {
		return
	}
	since := p.Since
	e.pauseEnds[name] = time.AfterFunc(time.Until(p.Until), func() { e.pauseEnded(name, since) })
}

// pauseEnded ends the pause of name that began at since, its --for over,
// unless another pause or a resume has come since.
func (e *Engine) pauseEnded(name string, since time.Time) {
	e.mu.Lock()
	p := e.store.Check(name).Pause
	in := e.checks[name]
	if p == nil || !p.Since.Equal(since.UTC().Round(0)) || in == nil {
		e.mu.Unlock()
		return
	}
	e.unpause(name)
	e.mu.Unlock()
	in.check.EndPause()
}

// unpause forgets name's pause; it reports whether it had one. e.mu is
// held.
func (e *Engine) unpause(name string) bool {
	e.disarmPause(name)
	had := false
	e.store.Update(name, func(en *state.Entry) {
		had = en.Pause != nil
		en.Pause = nil
	})
	return had
}

// disarmPause stops the timer that would end name's pause. e.mu is held.
func (e *Engine) disarmPause(name string) {
	if t := e.pauseEnds[name]; t != nil {
		t.Stop()
		delete(e.pauseEnds, name)
	}
}

// storedPause is p as the state file keeps it.
func storedPause(p *check.Pause) *state.Pause {
	if p == nil {
		return nil
	}
	return &state.Pause{Since: p.Since, Until: p.Until, Reason: p.Reason, UID: p.UID}
}

// memoryOf is what the store keeps of a check, as the check takes it at
// start.
func memoryOf(en state.Entry) *check.Memory {
	if en.IsZero() {
		return nil
	}
	m := &check.Memory{GaveUp: en.GaveUp, Attempts: en.Attempts}
	if p := en.Pause; p != nil {
		m.Pause = &check.Pause{Since: p.Since, Until: p.Until, Reason: p.Reason, UID: p.UID}
	}
	return m
}

func sortedNames(m map[string]*instance) []string {
	names := slices.Collect(maps.Keys(m))
	slices.Sort(names)
	return names
}

// Run runs the check name now, as a scheduled run with its steps after
// it, once the step under way (if any) has ended, and returns the run's
// result. A reload that changes the check meanwhile hands the run to the
// new instance.
func (e *Engine) Run(ctx context.Context, name string) (check.Result, error) {
	for {
		e.mu.Lock()
		found, err := e.resolve([]string{name})
		e.mu.Unlock()
		if err != nil {
			return check.Result{}, err
		}
		in := found[name]
		r, err := in.check.RunNow(ctx)
		if !errors.Is(err, check.ErrStopped) || ctx.Err() != nil {
			return r, err
		}
		e.mu.Lock()
		next, halted := e.checks[name], e.halted
		e.mu.Unlock()
		if halted || next == nil || next == in {
			return r, err // heatd stops, or the check was removed
		}
	}
}

// settingsOf is a digest of spec, kept with what a check decided so that
// a check changed while heatd was down does not inherit it. Equal settings
// give equal digests: the JSON of a Spec is its fields in order, a map's
// keys sorted. A Spec that cannot be written so has "", which matches no
// kept digest but "" (an entry of an older heatd).
func settingsOf(spec *check.Spec) string { return settingsSum(spec).String() }

// digest is settingsOf's digest before it is written in hex: what a check
// keeps to tell the state file (13 bytes, not a 24-byte string besides).
type digest struct {
	sum [12]byte
	ok  bool // false: the Spec could not be written as JSON
}

// settingsSum is spec's digest.
func settingsSum(spec *check.Spec) digest {
	b, err := json.Marshal(spec)
	if err != nil {
		return digest{}
	}
	// The probe's kind too: a command and a script of the same text are
	// not the same check.
	sum := sha256.Sum256(append([]byte(fmt.Sprintf("%T ", spec.Probe)), b...))
	d := digest{ok: true}
	copy(d.sum[:], sum[:])
	return d
}

// String is the digest in hex, as the state file keeps it; "" when there
// is none.
func (d digest) String() string {
	if !d.ok {
		return ""
	}
	return hex.EncodeToString(d.sum[:])
}
