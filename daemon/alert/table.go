package alert

import "time"

// maxAlerts bounds the alerts held at once. Three alerts for each of ten
// thousand checks is thirty thousand; past this, a caller is firing alerts
// for checks that do not exist, and memory must not follow it.
const maxAlerts = 100_000

// key names one alert: which alert, for which check.
type key struct {
	alert Alert
	check string
}

// entry is one alert heatd holds: firing, or resolved and not yet told.
type entry struct {
	ann      Annotations
	startsAt time.Time
	// resolvedAt is zero while the alert fires.
	resolvedAt time.Time
	// lastSent is when the alert was last posted (whatever came of it);
	// zero before the first post.
	lastSent time.Time
	// dirty says the alert changed since it was last posted: it goes out
	// at once, not at its next resend.
	dirty bool
}

// table holds the alerts. It is not safe for concurrent use: the posting
// goroutine alone holds it.
type table map[key]*entry

// fire records a firing alert, new ones to be posted at once; an alert
// that already fires takes the new annotations at its next resend. It
// tells whether the alert fit.
func (t table) fire(k key, ann Annotations, now time.Time) bool {
	e, ok := t[k]
	if !ok {
		if len(t) >= maxAlerts {
			return false
		}
		e = &entry{}
		t[k] = e
	}
	e.ann = ann
	if ok && e.resolvedAt.IsZero() {
		return true
	}
	e.startsAt, e.resolvedAt = now, time.Time{}
	e.dirty = true
	return true
}

// resolve marks a firing alert resolved, to be posted at once.
func (t table) resolve(k key, now time.Time) {
	e, ok := t[k]
	if !ok || !e.resolvedAt.IsZero() {
		return
	}
	e.resolvedAt = now
	e.dirty = true
}

// due is an alert to post, as it was when collected.
type due struct {
	key   key
	entry entry
}

// collect returns the alerts to post now: the changed ones, and those whose
// resend comes within slack (so alerts fired a few seconds apart go out in
// one post rather than one each). It also forgets resolved alerts that
// Alertmanager has resolved by itself by now: their last endsAt has passed.
func (t table) collect(now time.Time, resend, slack, expiry time.Duration) []due {
	var out []due
	for k, e := range t {
		if !e.resolvedAt.IsZero() && now.Sub(e.resolvedAt) > expiry {
			delete(t, k)
			continue
		}
		if e.dirty || !e.lastSent.Add(resend).After(now.Add(slack)) {
			out = append(out, due{k, *e})
		}
	}
	return out
}

// sent records the outcome of posting ds: every alert waits a resend period
// now, and a resolved one that every Alertmanager took is done.
func (t table) sent(ds []due, now time.Time, allOK bool) {
	for _, d := range ds {
		e, ok := t[d.key]
		if !ok {
			continue
		}
		e.lastSent, e.dirty = now, false
		if allOK && !e.resolvedAt.IsZero() {
			delete(t, d.key)
		}
	}
}

// next is when the first alert is due, now for a changed one, or zero for
// none.
func (t table) next(now time.Time, resend time.Duration) time.Time {
	var first time.Time
	for _, e := range t {
		at := e.lastSent.Add(resend)
		if e.dirty {
			at = now
		}
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	return first
}

// markAll makes every alert go out at once: a new Alertmanager must hear of
// what already fires.
func (t table) markAll() {
	for _, e := range t {
		e.dirty = true
	}
}
