package metrics

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/heatd/heatd/check"
)

// fakeSource is an engine of these statuses, its loops live.
type fakeSource struct{ list []check.Status }

func (s *fakeSource) Statuses() []check.Status { return s.list }
func (s *fakeSource) Live(time.Time) error     { return nil }

// scrape fetches and parses the exposition, as Prometheus would.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// value finds the sample of family with these labels.
func value(t *testing.T, fams map[string]*dto.MetricFamily, family string, labels map[string]string) (float64, bool) {
	t.Helper()
	f, ok := fams[family]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		if len(have) != len(labels) {
			continue
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestExposition(t *testing.T) {
	src := &fakeSource{[]check.Status{
		{Name: "web", Interval: 1500 * time.Millisecond, State: check.State{Mode: check.Verifying, Streak: 4},
			Runs: 10, FailedRuns: 6, TimeoutRuns: 2, Recoveries: 1, RunErrors: 3,
			Signals:          map[check.SignalKind]uint64{check.SignalFault: 2, check.SignalSuccess: 1},
			RecoveryAttempts: 3, RecoveriesFailed: 2,
			SignalsFailed: map[check.SignalKind]uint64{check.SignalFailure: 5},
			LastRun:       time.Unix(1700000100, 250e6), LastOK: time.Unix(1700000050, 0)},
		{Name: "db", Interval: time.Minute, Runs: 5, Signals: map[check.SignalKind]uint64{}},
	}}
	m := New(src)
	m.Build("1.2.3")
	m.Alerts(func() (uint64, uint64) { return 7, 2 })
	m.Loaded(true, time.Unix(1700000000, 0))
	m.Ran("web", check.Result{Duration: 20 * time.Millisecond, Code: 1})
	m.Ran("web", check.Result{Duration: 3 * time.Second, Waited: time.Second})
	m.Ran("db", check.Result{Duration: time.Millisecond})
	fams := scrape(t, m.Handler())

	for _, c := range []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"heatd_check_up", map[string]string{"check": "web"}, 0},
		{"heatd_check_up", map[string]string{"check": "db"}, 1},
		{"heatd_check_state", map[string]string{"check": "web", "state": "recovering"}, 1},
		{"heatd_check_state", map[string]string{"check": "web", "state": "healthy"}, 0},
		{"heatd_check_state", map[string]string{"check": "web", "state": "failing"}, 0},
		{"heatd_check_state", map[string]string{"check": "db", "state": "healthy"}, 1},
		{"heatd_check_consecutive_failures", map[string]string{"check": "web"}, 4},
		{"heatd_check_runs_total", map[string]string{"check": "web", "result": "ok"}, 4},
		{"heatd_check_runs_total", map[string]string{"check": "web", "result": "failed"}, 4},
		{"heatd_check_runs_total", map[string]string{"check": "web", "result": "timeout"}, 2},
		{"heatd_check_duration_seconds", map[string]string{"check": "web"}, 2},
		{"heatd_check_duration_seconds", map[string]string{"check": "db"}, 1},
		{"heatd_recoveries_total", map[string]string{"check": "web"}, 1},
		{"heatd_signals_sent_total", map[string]string{"check": "web", "kind": "fault"}, 2},
		{"heatd_signals_sent_total", map[string]string{"check": "web", "kind": "success"}, 1},
		{"heatd_signals_sent_total", map[string]string{"check": "web", "kind": "failure"}, 0},
		{"heatd_check_run_errors_total", map[string]string{"check": "web"}, 3},
		{"heatd_check_interval_seconds", map[string]string{"check": "web"}, 1.5},
		{"heatd_check_interval_seconds", map[string]string{"check": "db"}, 60},
		{"heatd_check_last_run_timestamp_seconds", map[string]string{"check": "web"}, 1700000100.25},
		{"heatd_check_last_success_timestamp_seconds", map[string]string{"check": "web"}, 1700000050},
		{"heatd_recovery_attempts_total", map[string]string{"check": "web"}, 3},
		{"heatd_recovery_attempts_total", map[string]string{"check": "db"}, 0},
		{"heatd_recoveries_failed_total", map[string]string{"check": "web"}, 2},
		{"heatd_recoveries_failed_total", map[string]string{"check": "db"}, 0},
		{"heatd_signals_failed_total", map[string]string{"check": "web", "kind": "failure"}, 5},
		{"heatd_signals_failed_total", map[string]string{"check": "web", "kind": "fault"}, 0},
		{"heatd_signals_failed_total", map[string]string{"check": "web", "kind": "success"}, 0},
		{"heatd_signals_failed_total", map[string]string{"check": "db", "kind": "failure"}, 0},
		{"heatd_alerts_sent_total", map[string]string{"result": "ok"}, 7},
		{"heatd_alerts_sent_total", map[string]string{"result": "failed"}, 2},
		{"heatd_build_info", map[string]string{"version": "1.2.3", "goversion": runtime.Version()}, 1},
		{"heatd_config_last_reload_successful", map[string]string{}, 1},
		{"heatd_config_last_reload_success_timestamp_seconds", map[string]string{}, 1700000000},
	} {
		got, ok := value(t, fams, c.family, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.family, c.labels, got, ok, c.want)
		}
	}
	for family, kind := range map[string]dto.MetricType{
		"heatd_check_up": dto.MetricType_GAUGE, "heatd_check_state": dto.MetricType_GAUGE,
		"heatd_check_runs_total": dto.MetricType_COUNTER, "heatd_check_duration_seconds": dto.MetricType_HISTOGRAM,
		"heatd_recoveries_total": dto.MetricType_COUNTER, "heatd_signals_sent_total": dto.MetricType_COUNTER,
		"heatd_check_interval_seconds": dto.MetricType_GAUGE, "heatd_check_last_run_timestamp_seconds": dto.MetricType_GAUGE,
		"heatd_check_last_success_timestamp_seconds": dto.MetricType_GAUGE,
		"heatd_recovery_attempts_total":              dto.MetricType_COUNTER, "heatd_recoveries_failed_total": dto.MetricType_COUNTER,
		"heatd_signals_failed_total": dto.MetricType_COUNTER, "heatd_alerts_sent_total": dto.MetricType_COUNTER,
		"heatd_build_info": dto.MetricType_GAUGE,
	} {
		if fams[family].GetType() != kind {
			t.Errorf("%s is a %v, want %v", family, fams[family].GetType(), kind)
		}
	}

	// A rejected reload; a removed check's series go.
	m.Loaded(false, time.Now())
	src.list = src.list[1:]
	m.Forget("web")
	fams = scrape(t, m.Handler())
	if v, _ := value(t, fams, "heatd_config_last_reload_successful", map[string]string{}); v != 0 {
		t.Errorf("last reload successful = %v after a rejection", v)
	}
	for name, f := range fams {
		for _, s := range f.Metric {
			for _, l := range s.Label {
				if l.GetName() == "check" && l.GetValue() == "web" {
					t.Errorf("%s still has a series for the removed check", name)
				}
			}
		}
	}
}

// A check that has not run yet has no timestamps: a 0 would read as a run
// in 1970, and a staleness rule would fire on every check just added.
func TestTimestampsWaitForTheirRun(t *testing.T) {
	src := &fakeSource{[]check.Status{{Name: "new", Interval: time.Second}}}
	m := New(src)
	fams := scrape(t, m.Handler())
	for _, f := range []string{"heatd_check_last_run_timestamp_seconds", "heatd_check_last_success_timestamp_seconds"} {
		if _, ok := fams[f]; ok {
			t.Errorf("%s is there before the first run", f)
		}
	}
	src.list[0].LastRun = time.Unix(1700000000, 0)
	fams = scrape(t, m.Handler())
	if v, ok := value(t, fams, "heatd_check_last_run_timestamp_seconds", map[string]string{"check": "new"}); !ok || v != 1700000000 {
		t.Errorf("last run %v (found %v) after a failed run", v, ok)
	}
	if _, ok := fams["heatd_check_last_success_timestamp_seconds"]; ok {
		t.Errorf("a last success after a failed run only")
	}
	// Alerting off, and a version not given: the series are there all the same.
	for _, c := range []struct {
		family string
		labels map[string]string
	}{
		{"heatd_alerts_sent_total", map[string]string{"result": "ok"}},
		{"heatd_alerts_sent_total", map[string]string{"result": "failed"}},
		{"heatd_build_info", map[string]string{"version": "unknown", "goversion": runtime.Version()}},
	} {
		want := 0.0
		if c.family == "heatd_build_info" {
			want = 1
		}
		if v, ok := value(t, fams, c.family, c.labels); !ok || v != want {
			t.Errorf("%s%v = %v (found %v), want %v", c.family, c.labels, v, ok, want)
		}
	}
}

// Every state heatctl status can show is a value of heatd_check_state's
// state label, each check with exactly one of them at 1.
func TestStateSeriesCoverEveryState(t *testing.T) {
	src := &fakeSource{[]check.Status{{Name: "a"}, {Name: "b", State: check.State{Streak: 2}}}}
	fams := scrape(t, New(src).Handler())
	var want []string
	for _, h := range check.Healths() {
		want = append(want, h.String())
	}
	for _, name := range []string{"a", "b"} {
		var got []string
		ones := 0.0
		for _, m := range fams["heatd_check_state"].GetMetric() {
			labels := map[string]string{}
			for _, l := range m.Label {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["check"] == name {
				got = append(got, labels["state"])
				ones += m.Gauge.GetValue()
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || ones != 1 {
			t.Errorf("check %s: states %v (%v at 1), want %v with one at 1", name, got, ones, want)
		}
	}
}

// heatd_check_up is 1 for a check whose failures count none (starting),
// and, for one flapping or that gave up, exactly when its latest run was
// ok; the state series say which state it is.
func TestUpOfEveryState(t *testing.T) {
	src := &fakeSource{[]check.Status{
		{Name: "starting", State: check.State{Starting: true}, LastResult: "failed"},
		{Name: "flapping-ok", State: check.State{Flapping: true}, LastResult: "ok"},
		{Name: "flapping-failed", State: check.State{Flapping: true, Streak: 1}, LastResult: "failed"},
		{Name: "gave-up-ok", State: check.State{Mode: check.GivenUp, Streak: 3}, LastResult: "ok"},
		{Name: "gave-up-failed", State: check.State{Mode: check.GivenUp, Streak: 3}, LastResult: "failed"},
		{Name: "failing", State: check.State{Streak: 1}, LastResult: "failed"},
	}}
	fams := scrape(t, New(src).Handler())
	for name, want := range map[string]float64{"starting": 1, "flapping-ok": 1, "flapping-failed": 0,
		"gave-up-ok": 1, "gave-up-failed": 0, "failing": 0} {
		if v, ok := value(t, fams, "heatd_check_up", map[string]string{"check": name}); !ok || v != want {
			t.Errorf("heatd_check_up{check=%q} = %v (found %v), want %v", name, v, ok, want)
		}
	}
	for name, state := range map[string]string{"starting": "starting", "flapping-failed": "flapping",
		"gave-up-ok": "gave_up"} {
		if v, _ := value(t, fams, "heatd_check_state", map[string]string{"check": name, "state": state}); v != 1 {
			t.Errorf("heatd_check_state{check=%q,state=%q} = %v, want 1", name, state, v)
		}
	}
}
