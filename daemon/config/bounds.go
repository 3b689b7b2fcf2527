package config

import (
	"fmt"
	"time"

	"github.com/heatd/heatd/check"
)

// The keys that bound remediation (start_period, success_threshold,
// retry_interval, watch_target, recovery_backoff and _max, recovery_limit
// and its window, flap_detection, flap_low, flap_high): their parsers, their
// defaults, and the rules between them.

// unset is "none" for a signal, or "" for a fail or recovery script: not
// set, over what [defaults] gives. It is dropped once a check's settings are
// merged, so no rule and no Spec ever sees it.
type unset struct{}

// parseSignalOrNone is a signal, or "none".
func parseSignalOrNone(v any) (any, error) {
	if v == "none" {
		return unset{}, nil
	}
	return parseSignal(v)
}

// parseScriptOrNone is an executable, or "" for none.
func parseScriptOrNone(v any, dir string) (any, error) {
	if v == "" {
		return unset{}, nil
	}
	return parseExecutable(v, dir)
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

// validateBounds applies the rules between the bounds' keys: own are the
// check's own keys, all those merged over [defaults].
func validateBounds(s *scope, own, all settings) {
	if _, ok := all["threshold"]; !ok {
		// Set in [defaults], these serve the checks that recover.
		if v, ok := own["recovery_limit"]; ok {
			s.add(v.line, "recovery_limit", `needs "threshold": only a check that recovers makes recovery attempts to limit`)
		}
	}
	low, high := check.DefaultFlapLow, check.DefaultFlapHigh
	if given(all, "flap_low", &low) && given(all, "flap_high", &high) && low >= high {
		key, msg := "flap_low", fmt.Sprintf("must be below flap_high (%d)", high)
		if _, set := all["flap_low"]; !set {
			key, msg = "flap_high", fmt.Sprintf("must be above flap_low (%d)", low)
		}
		s.add(lineOf(s, own, key), key, msg+": flapping starts at flap_high and stops at flap_low")
	}
	back, backMax := time.Duration(0), check.DefaultBackoffMax
	if given(all, "recovery_backoff", &back) && given(all, "recovery_backoff_max", &backMax) && back > backMax {
		s.add(lineOf(s, own, "recovery_backoff_max", "recovery_backoff"), "recovery_backoff_max",
			fmt.Sprintf("must be at least recovery_backoff (%s), not %s", back, backMax))
	}
}

// given stores key's value in dst, and reports false when the key was
// given with a bad value (its error is reported already).
func given[T any](all settings, key string, dst *T) bool {
	v, ok := all[key]
	if ok && v.v == nil {
		return false
	}
	get(all, key, dst)
	return true
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
