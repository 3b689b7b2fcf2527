package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/heatd/heatd/check"
)

type fakeSource struct{ list []check.Status }

func (s *fakeSource) Statuses() []check.Status { return s.list }

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
		{Name: "web", State: check.State{Mode: check.Verifying, Streak: 4}, Runs: 10, FailedRuns: 6, TimeoutRuns: 2,
			Recoveries: 1, RunErrors: 3, Signals: map[check.SignalKind]uint64{check.SignalFault: 2, check.SignalSuccess: 1}},
		{Name: "db", Runs: 5, Signals: map[check.SignalKind]uint64{}},
	}}
	m := New(src)
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
