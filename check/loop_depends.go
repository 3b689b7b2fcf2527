package check

import (
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
)

// depends_on at run time (SPEC 13): a check is blocked while a check it
// depends on (a parent) is not healthy. There is no engine-wide lock: each
// parent holds the list of its children, fixed when a configuration is
// applied, and tells each of them when it turns unhealthy or healthy again,
// at that moment; each child keeps a cell per parent.

// family is a check's links to the checks it depends on and those that
// depend on it.
type family struct {
	children atomic.Pointer[[]*Check] // told when this check's health turns

	telling sync.Mutex // one telling of the children at a time
	// told is whether the children were last told this check is
	// unhealthy; under telling.
	told bool

	// parents are the live instances the check depends on, as depends_on
	// lists them (sorted), each with whether it is unhealthy; under the
	// check's mu. An instance a reload replaced is no parent any more. A
	// slice, not a map: a check has few parents, and most none.
	parents []parent
	by      *Check // the first unhealthy parent: the check is blocked; nil: it is not
}

// parent is a check this one depends on, and whether it is unhealthy.
type parent struct {
	c         *Check
	unhealthy bool
}

// kin is the check's family, made when first needed. The engine links its
// checks from one goroutine; the others only read it (Load).
func (c *Check) kin() *family {
	if f := c.family.Load(); f != nil {
		return f
	}
	c.family.CompareAndSwap(nil, &family{})
	return c.family.Load()
}

// blocker is the unhealthy parent that blocks the check; nil: none. c.mu
// is held.
func (c *Check) blocker() *Check {
	if f := c.family.Load(); f != nil {
		return f.by
	}
	return nil
}

// Link makes children the checks told of this check's health (a reload
// rebuilds the links), and tells them how it is now.
func (c *Check) Link(children []*Check) {
	if len(children) == 0 && c.family.Load() == nil {
		return // most checks have none: nothing kept, nobody to tell
	}
	f := c.kin()
	f.telling.Lock()
	defer f.telling.Unlock()
	if len(children) == 0 {
		f.children.Store(nil)
		return
	}
	f.children.Store(&children)
	un := c.Unhealthy()
	f.told = un
	for _, ch := range children {
		ch.parentChanged(c, un)
	}
}

// DependOn makes parents (in depends_on's order) the checks this one
// depends on, each with whether it is unhealthy now; a parent no longer
// listed no longer blocks it.
func (c *Check) DependOn(parents []*Check) {
	if len(parents) == 0 && c.family.Load() == nil {
		return // nothing to forget, nothing to block it
	}
	f := c.kin()
	var now []parent
	if len(parents) > 0 {
		now = make([]parent, len(parents))
	}
	for i, p := range parents {
		now[i] = parent{c: p, unhealthy: p.Unhealthy()} // read before c.mu: a parent's news takes its lock, then ours
	}
	c.mu.Lock()
	f.parents = now
	report := c.reblock()
	c.mu.Unlock()
	report()
}

// Unhealthy reports whether this check now blocks those that depend on
// it.
func (c *Check) Unhealthy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Unhealthy(c.status.State)
}

// tellChildren tells the children when this check's health has turned
// since they were last told. Called after each change of the state.
func (c *Check) tellChildren() {
	f := c.family.Load()
	if f == nil {
		return
	}
	kids := f.children.Load()
	if kids == nil || len(*kids) == 0 {
		return
	}
	f.telling.Lock()
	defer f.telling.Unlock()
	un := c.Unhealthy()
	if un == f.told {
		return
	}
	f.told = un
	for _, ch := range *kids {
		ch.parentChanged(c, un)
	}
}

// parentChanged takes a parent's news: it turned unhealthy, or healthy.
func (c *Check) parentChanged(p *Check, unhealthy bool) {
	f := c.family.Load()
	if f == nil {
		return // a child has its family before any parent tells it
	}
	c.mu.Lock()
	changed := false
	for i := range f.parents {
		if q := &f.parents[i]; q.c == p && q.unhealthy != unhealthy {
			q.unhealthy, changed = unhealthy, true
		}
	}
	if !changed {
		c.mu.Unlock()
		return
	}
	report := c.reblock()
	c.mu.Unlock()
	report()
}

// reblock finds the first unhealthy parent; when the check's blocking
// changed, it says so and has the rules take it (at once when the check
// is idle). c.mu is held; report runs after it is released.
func (c *Check) reblock() (report func()) {
	f := c.family.Load() // made: only DependOn and parentChanged reblock
	var by *Check
	for _, p := range f.parents {
		if p.unhealthy {
			by = p.c
			break
		}
	}
	was := f.by
	if (by == nil) == (was == nil) {
		f.by = by
		c.status.BlockedBy = nameOf(by)
		return func() {}
	}
	f.by = by
	c.status.BlockedBy = nameOf(by)
	apply := c.syncIdle()
	return func() {
		if by != nil {
			c.events().Warn("check_blocked", zap.String("parent", by.name))
		} else {
			c.events().Info("check_unblocked", zap.String("parent", was.name))
		}
		apply()
	}
}

func nameOf(c *Check) string {
	if c == nil {
		return ""
	}
	return c.name
}
