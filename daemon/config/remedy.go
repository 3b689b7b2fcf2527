package config

import (
	"fmt"
	"time"

	"github.com/heatd/heatd/check"
)

// The keys that bound remediation (start_period, success_threshold,
// retry_interval, watch_target, recovery_backoff and _max, recovery_limit
// and its window, flap_detection, flap_low, flap_high): their rows, their
// parsers, and the rules between them. A Spec's zero value is each key's
// default (check.PolicyOf reads it so), as heat, which sets none of them,
// builds its Spec; the README shows the default it stands for.

// remedyKeys are the rows of the keys that bound remediation, in the
// order the README lists them.
func remedyKeys() []checkKey {
	return []checkKey{
		{name: "start_period", defaults: true, shown: "`0s`", doc: "failures this soon after the check starts take no step",
			value: field(plain(parseNonNegative), 0, func(b *built, v time.Duration) { b.StartPeriod = v })},
		{name: "success_threshold", defaults: true, shown: "`1`", doc: "ok runs in a row that end a failure streak or verify a recovery",
			value: field(plain(parseSuccessThreshold), 0, func(b *built, v int) { b.SuccessThreshold = v })},
		{name: "retry_interval", defaults: true, shown: "`interval`", doc: "start to start while the check is failing",
			value: field(plain(parsePositive), 0, func(b *built, v time.Duration) { b.RetryInterval = v })},
		{name: "watch_target", defaults: true, effect: effectTarget, doc: "the death of the target's process runs the check at once",
			value: field(plain(parseBool), true, func(b *built, v bool) { b.NoWatch = !v })},
		{name: "recovery_backoff", defaults: true, effect: effectThreshold, shown: "`0s`", doc: "the wait before a streak's second recovery attempt, doubling after",
			value: field(plain(parseNonNegative), 0, func(b *built, v time.Duration) { b.RecoveryBackoff = v })},
		{name: "recovery_backoff_max", defaults: true, effect: effectThreshold, shown: "`" + shortDuration(check.DefaultBackoffMax) + "`",
			doc:   "the cap of that wait; not below `recovery_backoff`",
			value: field(plain(parsePositive), 0, func(b *built, v time.Duration) { b.RecoveryBackoffMax = v })},
		{name: "recovery_limit", defaults: true, doc: "recovery attempts within `recovery_limit_window`, after which heatd gives up; needs `threshold`",
			value: field(plain(parseRecoveryLimit), 0, func(b *built, v int) { b.RecoveryLimit = v })},
		{name: "recovery_limit_window", defaults: true, effect: effectThreshold, shown: "`" + shortDuration(check.DefaultLimitWindow) + "`",
			doc:   "how far back `recovery_limit` counts attempts",
			value: field(plain(parsePositive), 0, func(b *built, v time.Duration) { b.RecoveryLimitWindow = v })},
		{name: "flap_detection", defaults: true, shown: "`false`", doc: "flapping holds every action",
			value: field(plain(parseBool), false, func(b *built, v bool) { b.FlapDetection = v })},
		{name: "flap_low", defaults: true, effect: effectFlap, shown: fmt.Sprintf("`%d`", check.DefaultFlapLow), doc: "the flap score, in percent, at which flapping stops; below `flap_high`",
			value: field(plain(parsePercent), 0, func(b *built, v int) { b.FlapLow = v })},
		{name: "flap_high", defaults: true, effect: effectFlap, shown: fmt.Sprintf("`%d`", check.DefaultFlapHigh), doc: "the flap score, in percent, at which flapping starts",
			value: field(plain(parsePercent), 0, func(b *built, v int) { b.FlapHigh = v })},
	}
}

// effectFlap is the rule of the keys that tune flap detection.
var effectFlap = &rule{[]string{"flap_detection"},
	`is unused: it has no effect without "flap_detection"; set flap_detection = true, or remove it`}

// effectTarget is the rule of the keys that act on the target.
var effectTarget = &rule{[]string{"pid", "pidfile"},
	`is unused: it has no effect without a target; set "pid" or "pidfile", or remove it`}

// unset is "none" for a signal, or "" for a fail or recovery script: not
// set, over what [defaults] gives. It is dropped once a check's settings are
// merged, so no rule and no Spec ever sees it.
type unset struct{}

// orUnset is v, which also reads none (the value that says "not set") as
// unset.
func orUnset[D any](none string, v value[D]) value[D] {
	parse := v.parse
	v.parse = func(x any, src *source) (any, error) {
		if s, ok := x.(string); ok && s == none {
			return unset{}, nil
		}
		return parse(x, src)
	}
	return v
}

// dropUnset removes the settings that say "none", once [defaults] has been
// merged under them.
func dropUnset(all settings) {
	for k, v := range all {
		if _, ok := v.v.(unset); ok {
			delete(all, k)
		}
	}
}

// parseSuccessThreshold is the ok runs in a row that end a streak.
func parseSuccessThreshold(v any) (int, error) {
	n, err := parseInt(v)
	if err == nil && n < 1 {
		err = fmt.Errorf("must be 1 or more (the ok runs in a row that end a failure streak), not %d", n)
	}
	return int(n), err
}

// parseRecoveryLimit is the attempts allowed within the window.
func parseRecoveryLimit(v any) (int, error) {
	n, err := parseInt(v)
	if err == nil && n < 1 {
		err = fmt.Errorf("must be 1 or more (the recovery attempts allowed within recovery_limit_window), not %d", n)
	}
	return int(n), err
}

// parsePercent is a flap score's bound.
func parsePercent(v any) (int, error) {
	n, err := parseInt(v)
	if err == nil && (n < 1 || n > 100) {
		err = fmt.Errorf("must be a percent from 1 to 100, not %d", n)
	}
	return int(n), err
}

// validateRemedy applies the rules between the values of the keys that
// bound remediation, which rows cannot state: own are the check's own
// keys, all those merged over [defaults].
func validateRemedy(s *scope, own, all settings) {
	if !hasKey(all, "threshold") {
		// Set in [defaults], it serves the checks that recover.
		if v, ok := own["recovery_limit"]; ok {
			s.add(v.line, "recovery_limit", `needs "threshold": only a check that recovers makes recovery attempts to limit`)
		}
	}
	low, okLow := valueOr(all, "flap_low", check.DefaultFlapLow)
	high, okHigh := valueOr(all, "flap_high", check.DefaultFlapHigh)
	if okLow && okHigh && low >= high {
		key, msg := "flap_low", fmt.Sprintf("must be below flap_high (%d)", high)
		if !hasKey(all, "flap_low") {
			key, msg = "flap_high", fmt.Sprintf("must be above flap_low (%d)", low)
		}
		s.add(lineOf(s, own, key), key, msg+": flapping starts at flap_high and stops at flap_low")
	}
	back, okBack := valueOr(all, "recovery_backoff", time.Duration(0))
	backMax, okMax := valueOr(all, "recovery_backoff_max", check.DefaultBackoffMax)
	if okBack && okMax && back > backMax {
		s.add(lineOf(s, own, "recovery_backoff_max", "recovery_backoff"), "recovery_backoff_max",
			fmt.Sprintf("must be at least recovery_backoff (%s), not %s", back, backMax))
	}
}

// valueOr is key's value in all, or deflt when it is not given; ok is
// false when it was given with a bad value (its error is reported
// already).
func valueOr[T any](all settings, key string, deflt T) (v T, ok bool) {
	s, given := all[key]
	if !given {
		return deflt, true
	}
	v, ok = s.v.(T)
	return v, ok
}

// lineOf is the line of the first of keys in the check's own table, or
// the check's own line when they all come from [defaults].
func lineOf(s *scope, own settings, keys ...string) int {
	for _, k := range keys {
		if v, ok := own[k]; ok {
			return v.line
		}
	}
	return s.line()
}
