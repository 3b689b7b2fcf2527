// Package metrics exposes heatd's checks to Prometheus: their state and
// counts, read from the checks at each scrape, and their run durations, fed
// run by run.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heatd/heatd/check"
)

// Source gives the checks' statuses at each scrape.
type Source interface {
	Statuses() []check.Status
}

// Metrics is heatd's Prometheus registry.
type Metrics struct {
	registry *prometheus.Registry
	duration *prometheus.HistogramVec
	queued   prometheus.Histogram

	reloadOK   prometheus.Gauge
	reloadTime prometheus.Gauge
}

// DurationBuckets span what checks take: a native probe's milliseconds to a
// slow script's half minute (the default timeout).
var DurationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// New makes the registry, reading statuses from src.
func New(src Source) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "heatd_check_duration_seconds",
			Help:    "How long check runs took.",
			Buckets: DurationBuckets,
		}, []string{"check"}),
		// One histogram for all checks: the queue is heatd's, not a check's,
		// and ten thousand histograms would cost more than the checks.
		queued: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "heatd_queue_wait_seconds",
			Help:    "How long check runs waited for a slot under max_parallel before they started.",
			Buckets: DurationBuckets,
		}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "heatd_config_last_reload_successful",
			Help: "Whether the last configuration load (at start or on reload) was applied.",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "heatd_config_last_reload_success_timestamp_seconds",
			Help: "When a configuration was last applied, in unix seconds.",
		}),
	}
	m.registry.MustRegister(m.duration, m.queued, m.reloadOK, m.reloadTime, statusCollector{src},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Ran records one completed check run.
func (m *Metrics) Ran(name string, r check.Result) {
	if r.Err != nil {
		return
	}
	m.duration.WithLabelValues(name).Observe(r.Duration.Seconds())
	m.queued.Observe(r.Waited.Seconds())
}

// Forget drops the series of checks that are gone, so a removed check
// leaves no stale series behind. Ran must not be given a removed check's
// runs afterwards (a run still under way at the reload): its series would
// come back for good. The engine gives only the runs of current checks.
func (m *Metrics) Forget(names ...string) {
	for _, n := range names {
		m.duration.DeleteLabelValues(n)
	}
}

// Loaded records a configuration load: applied or rejected.
func (m *Metrics) Loaded(ok bool, at time.Time) {
	if ok {
		m.reloadOK.Set(1)
		m.reloadTime.Set(float64(at.UnixNano()) / 1e9)
	} else {
		m.reloadOK.Set(0)
	}
}

// Handler serves the metrics in Prometheus' exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// statusCollector turns the checks' statuses into series at each scrape:
// a check that is gone has none.
type statusCollector struct{ src Source }

var (
	upDesc = prometheus.NewDesc("heatd_check_up",
		"1 when the check is healthy (its last run was ok), else 0.", []string{"check"}, nil)
	stateDesc = prometheus.NewDesc("heatd_check_state",
		"1 for the check's current state: healthy, failing or recovering.", []string{"check", "state"}, nil)
	failuresDesc = prometheus.NewDesc("heatd_check_consecutive_failures",
		"Failed runs in a row.", []string{"check"}, nil)
	runsDesc = prometheus.NewDesc("heatd_check_runs_total",
		"Completed check runs by result: ok, failed, timeout.", []string{"check", "result"}, nil)
	recoveriesDesc = prometheus.NewDesc("heatd_recoveries_total",
		"Verified recoveries.", []string{"check"}, nil)
	signalsDesc = prometheus.NewDesc("heatd_signals_sent_total",
		"Signals sent to the check's target by occasion: failure, fault, success.", []string{"check", "kind"}, nil)
	runErrorsDesc = prometheus.NewDesc("heatd_check_run_errors_total",
		"Runs heatd could not start (run_error): heatd's trouble, not the check's.", []string{"check"}, nil)
)

var signalKinds = []check.SignalKind{check.SignalFailure, check.SignalFault, check.SignalSuccess}

func (statusCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{upDesc, stateDesc, failuresDesc, runsDesc, recoveriesDesc,
		signalsDesc, runErrorsDesc} {
		ch <- d
	}
}

func (c statusCollector) Collect(ch chan<- prometheus.Metric) {
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	for _, s := range c.src.Statuses() {
		health := s.Health()
		ch <- prometheus.MustNewConstMetric(upDesc, gauge, boolFloat(health == check.Healthy), s.Name)
		for _, st := range check.Healths() {
			ch <- prometheus.MustNewConstMetric(stateDesc, gauge, boolFloat(health == st), s.Name, st.String())
		}
		ch <- prometheus.MustNewConstMetric(failuresDesc, gauge, float64(s.State.Streak), s.Name)
		ok := s.Runs - s.FailedRuns
		failed := s.FailedRuns - s.TimeoutRuns
		ch <- prometheus.MustNewConstMetric(runsDesc, counter, float64(ok), s.Name, "ok")
		ch <- prometheus.MustNewConstMetric(runsDesc, counter, float64(failed), s.Name, "failed")
		ch <- prometheus.MustNewConstMetric(runsDesc, counter, float64(s.TimeoutRuns), s.Name, "timeout")
		ch <- prometheus.MustNewConstMetric(recoveriesDesc, counter, float64(s.Recoveries), s.Name)
		for _, k := range signalKinds {
			ch <- prometheus.MustNewConstMetric(signalsDesc, counter, float64(s.Signals[k]), s.Name, string(k))
		}
		ch <- prometheus.MustNewConstMetric(runErrorsDesc, counter, float64(s.RunErrors), s.Name)
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
