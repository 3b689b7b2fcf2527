package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

var alertsDesc = prometheus.NewDesc("heatd_alerts_sent_total",
	"Alerts posted to Alertmanager, by result: ok (accepted) or failed.", []string{"result"}, nil)

// alertsCollector reads the alert sender's counts at each scrape. The
// sender is heatd's alerting, which a reload may turn on, off or replace:
// the counts are read through whatever function was set last.
type alertsCollector struct {
	mu   sync.Mutex
	sent func() (ok, failed uint64)
}

func (a *alertsCollector) set(sent func() (ok, failed uint64)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent = sent
}

func (a *alertsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- alertsDesc }

// Collect always gives both series, 0 while alerting is off, so a rule on
// their rate has something to read on every host.
func (a *alertsCollector) Collect(ch chan<- prometheus.Metric) {
	a.mu.Lock()
	sent := a.sent
	a.mu.Unlock()
	var ok, failed uint64
	if sent != nil {
		ok, failed = sent()
	}
	ch <- prometheus.MustNewConstMetric(alertsDesc, prometheus.CounterValue, float64(ok), "ok")
	ch <- prometheus.MustNewConstMetric(alertsDesc, prometheus.CounterValue, float64(failed), "failed")
}
