// Package metrics exposes heatd's checks to Prometheus: their state and
// counts, read from the checks at each scrape, and their run durations, fed
// run by run.
package metrics

import (
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heatd/heatd/check"
)

// Source is heatd's engine as the metrics see it: the checks' statuses at
// each scrape, and whether every check's loop is live (/healthz).
type Source interface {
	Statuses() []check.Status
	// Live is nil while every check's loop makes progress, else what is
	// wedged: the watchdog's rule.
	Live(now time.Time) error
}

// Metrics is heatd's Prometheus registry.
type Metrics struct {
	registry *prometheus.Registry
	duration *prometheus.HistogramVec
	queued   prometheus.Histogram

	reloadOK   prometheus.Gauge
	reloadTime prometheus.Gauge
	build      *prometheus.GaugeVec
	alerts     *alertsCollector

	src Source
}

// DurationBuckets span what checks take: a native probe's milliseconds to a
// slow script's half minute (the default timeout).
var DurationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// New makes the registry, reading statuses from src.
func New(src Source) *Metrics {
	m := &Metrics{
		src:      src,
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
		build: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "heatd_build_info",
			Help: "1, labelled with the version of heatd and of the Go it was built with.",
		}, []string{"version", "goversion"}),
		alerts: &alertsCollector{},
	}
	m.Build("")
	m.registry.MustRegister(m.duration, m.queued, m.reloadOK, m.reloadTime, m.build, m.alerts, checksCollector{src},
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
		m.reloadTime.Set(unixSeconds(at))
	} else {
		m.reloadOK.Set(0)
	}
}

// Build names heatd's version in heatd_build_info ("" is "unknown"), so a
// fleet's dashboard shows which hosts run which heatd.
func (m *Metrics) Build(version string) {
	if version == "" {
		version = "unknown"
	}
	m.build.Reset()
	m.build.WithLabelValues(version, runtime.Version()).Set(1)
}

// Alerts makes heatd_alerts_sent_total read sent at each scrape: the
// alerts posted to Alertmanager that it accepted (ok) and those it did not
// (failed), counted by whoever posts them. nil, as before the first call,
// reads as none sent.
func (m *Metrics) Alerts(sent func() (ok, failed uint64)) { m.alerts.set(sent) }

// unixSeconds is t as Prometheus' timestamps have it.
func unixSeconds(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

// Handler serves the metrics in Prometheus' exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
