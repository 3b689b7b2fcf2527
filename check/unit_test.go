package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/action"
)

// With a RecoveryUnit, the recovery step is the unit's restart: a check
// that reaches its threshold asks systemd for it (here there is no
// systemd to ask, or it knows no such unit: the restart cannot start, a
// run_error naming the unit), and the heat log says so.
func TestRecoveryUnitIsTheRecoveryStep(t *testing.T) {
	const unit = "heatd-test-no-such-unit.service"
	dir := t.TempDir()
	spec := Spec{Name: "u", Probe: Command("false"), Interval: time.Hour, Timeout: 5 * time.Second,
		Threshold: 1, RecoveryUnit: unit, ScriptTimeout: 10 * time.Second,
		HeatLog: filepath.Join(dir, "u.log"), Dir: dir}
	sd := action.NewSystemd()
	defer sd.Close()
	r, _ := NewRunner(&spec, os.Environ(), sd)
	defer r.Close()
	core, logs := observer.New(zapcore.DebugLevel)
	c := New(&spec, Options{Doer: r, Log: zap.New(core)})
	stop, cancel := context.WithCancel(context.Background())
	c.Start(stop, context.Background())
	defer func() { cancel(); <-c.Done() }()

	deadline := time.Now().Add(10 * time.Second)
	for logs.FilterMessage("run_error").Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no run_error from the restart; events: %v", eventNames(logs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	e := logs.FilterMessage("run_error").All()[0].ContextMap()
	if e["script"] != "recovery" || !strings.Contains(e["error"].(string), "restart unit "+unit) {
		t.Errorf("run_error %v; want the recovery's, naming %s", e, unit)
	}
	if n := logs.FilterMessage("recovery_script_done").Len(); n != 0 {
		t.Errorf("%d recovery_script_done events; no script runs", n)
	}
	text, err := os.ReadFile(spec.HeatLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), ": restarting unit "+unit+" (attempt 1)\n") {
		t.Errorf("heat log:\n%s", text)
	}
}

func eventNames(logs *observer.ObservedLogs) []string {
	var m []string
	for _, e := range logs.All() {
		m = append(m, e.Message)
	}
	return m
}

// A restart's event follows systemd's result: recovery_unit_done for
// done, recovery_unit_failed (warn, with the result) for any other.
func TestUnitRestartEvents(t *testing.T) {
	for _, c := range []struct {
		out   action.Outcome
		event string
		level zapcore.Level
	}{
		{action.Outcome{Unit: "web.service", Result: "done"}, "recovery_unit_done", zapcore.InfoLevel},
		{action.Outcome{Unit: "web.service", Result: "failed", Code: 1}, "recovery_unit_failed", zapcore.WarnLevel},
		{action.Outcome{Unit: "web.service", Result: "dependency", Code: 1}, "recovery_unit_failed", zapcore.WarnLevel},
		{action.Outcome{Unit: "web.service", Result: "canceled", Code: 1}, "recovery_unit_failed", zapcore.WarnLevel},
		{action.Outcome{Unit: "web.service", Result: "timeout", Code: 124, TimedOut: true}, "recovery_unit_failed", zapcore.WarnLevel},
	} {
		core, logs := observer.New(zapcore.DebugLevel)
		ch := New(&Spec{Name: "u"}, Options{Log: zap.New(core)})
		ch.unitRestarted(c.out, []zap.Field{zap.Int("attempt", 1)})
		all := logs.All()
		if len(all) != 1 || all[0].Message != c.event || all[0].Level != c.level {
			t.Errorf("result %s: events %v; want one %s at %s", c.out.Result, eventNames(logs), c.event, c.level)
			continue
		}
		m := all[0].ContextMap()
		if m["unit"] != "web.service" || m["result"] != c.out.Result || m["check"] != "u" || m["attempt"] != int64(1) {
			t.Errorf("result %s: fields %v", c.out.Result, m)
		}
		if c.out.TimedOut && m["timed_out"] != true {
			t.Errorf("result %s: no timed_out field: %v", c.out.Result, m)
		}
	}
}
