package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/heatd/heatd/check"
)

// checkTable is one [check.NAME] table, not read yet.
type checkTable struct {
	s *scope
	m map[string]any
}

// checkTables finds the [check.NAME] tables of src, in file order.
func checkTables(src *source, errs *Errors) []checkTable {
	v, ok := src.data["check"]
	if !ok {
		return nil
	}
	top := &scope{src: src, path: []string{"check"}, errs: errs}
	m, ok := v.(map[string]any)
	if !ok {
		top.add(top.line(), "check", "must hold [check.NAME] tables, not "+typeName(v))
		return nil
	}
	var out []checkTable
	for _, name := range top.keys(m) {
		s := &scope{src: src, path: []string{"check", name}, table: "check", check: name, errs: errs}
		t, ok := m[name].(map[string]any)
		if !ok {
			s.add(s.line(), "", fmt.Sprintf("must be a table of settings, [check.%s], not %s", name, typeName(m[name])))
			continue
		}
		out = append(out, checkTable{s: s, m: t})
	}
	return out
}

// readDefaults reads [defaults] of the main file; g checks the files it
// names.
func readDefaults(src *source, errs *Errors, g *guard) settings {
	v, ok := src.data["defaults"]
	if !ok {
		return nil
	}
	s := &scope{src: src, path: []string{"defaults"}, table: "defaults", errs: errs}
	m, ok := v.(map[string]any)
	if !ok {
		s.add(s.line(), "", "must be a table, not "+typeName(v))
		return nil
	}
	own := readSettings(s, m, true)
	g.settings(s, own)
	return own
}

// readCheck reads one check over the defaults; ok is false when it has
// errors (they are in s.errs). g checks the files its own table names;
// those it has from [defaults] were checked there.
func readCheck(t checkTable, defaults settings, d *Daemon, g *guard) (spec check.Spec, ok bool) {
	before := len(*t.s.errs)
	if msg := nameError(t.s.check); msg != "" {
		t.s.add(t.s.line(), "", msg)
	}
	own := readSettings(t.s, t.m, false)
	g.settings(t.s, own)
	all := merge(defaults, own)
	dropUnset(all)
	validate(t.s, own, all)
	validateBounds(t.s, own, all)
	spec = buildSpec(t.s.check, all, d, t.s.src.dir)
	spec.StrictLog = g != nil // the rules apply: its heat log is written by them too
	return spec, len(*t.s.errs) == before
}

// buildSpec is the check's effective settings. Zero values mean "none".
func buildSpec(name string, all settings, d *Daemon, dir string) check.Spec {
	sp := check.Spec{
		Name:          name,
		Interval:      defaultInterval,
		Timeout:       defaultTimeout,
		ScriptTimeout: defaultScriptTimeout,
		HeatLog:       filepath.Join(d.LogDir, name+".log"),
		Dir:           dir,
	}
	for _, k := range check.Kinds() {
		var v string
		if get(all, k.Key, &v); v != "" {
			sp.Probe = k.New(v)
		}
	}
	check.Edit(&sp, func(h *check.HTTPProbe) {
		h.Method = defaultHTTPMethod
		get(all, "http_method", &h.Method)
		get(all, "http_status", &h.Status)
		get(all, "http_body", &h.Body)
		get(all, "http_headers", &h.Headers)
		// [defaults] values are parsed once: each check gets its own copies.
		h.Headers = cloneOrNil(h.Headers)
		h.Status = slices.Clone(h.Status)
	})
	get(all, "interval", &sp.Interval)
	get(all, "timeout", &sp.Timeout)
	get(all, "pid", &sp.Target.PID)
	get(all, "pidfile", &sp.Target.Pidfile)
	get(all, "signal", &sp.Signal)
	get(all, "fault_signal", &sp.FaultSignal)
	get(all, "success_signal", &sp.SuccessSignal)
	get(all, "fail", &sp.Fail)
	get(all, "recovery", &sp.Recovery)
	get(all, "threshold", &sp.Threshold)
	get(all, "recovery_timeout", &sp.RecoveryTimeout)
	get(all, "script_timeout", &sp.ScriptTimeout)
	get(all, "start_period", &sp.StartPeriod)
	get(all, "success_threshold", &sp.SuccessThreshold)
	get(all, "retry_interval", &sp.RetryInterval)
	watch := true
	get(all, "watch_target", &watch)
	sp.NoWatch = !watch
	get(all, "recovery_backoff", &sp.RecoveryBackoff)
	get(all, "recovery_backoff_max", &sp.RecoveryBackoffMax)
	get(all, "recovery_limit", &sp.RecoveryLimit)
	get(all, "recovery_limit_window", &sp.RecoveryLimitWindow)
	get(all, "flap_detection", &sp.FlapDetection)
	get(all, "flap_low", &sp.FlapLow)
	get(all, "flap_high", &sp.FlapHigh)
	if v, given := all["heat_log"]; given && v.v == nil {
		sp.HeatLog = "" // a bad heat_log shares no file with anyone
	}
	get(all, "heat_log", &sp.HeatLog)
	get(all, "env", &sp.Env)
	// [defaults] values are parsed once; each check gets its own copies so
	// that no two checks share a map or slice.
	sp.Env = cloneOrNil(sp.Env)
	return sp
}

// cloneOrNil copies m; an empty table becomes nil so that two loads of
// one file compare equal whether or not it wrote env = {}.
func cloneOrNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// twice is the message for a check name defined a second time.
func twice(firstFile string, firstLine int) string {
	return fmt.Sprintf("is defined twice, here and at %s:%d; give each check its own name", firstFile, firstLine)
}
