package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heatd/heatd/check"
)

// checksCollector turns the checks' statuses into series at each scrape:
// a check that is gone has none. Its counters are the check's own, counted
// as things happen, so a recovery begun and verified between two scrapes
// still shows in them.
type checksCollector struct{ src Source }

var (
	upDesc = prometheus.NewDesc("heatd_check_up",
		"1 when the check is healthy or starting, or flapping or given up with its last run ok; else 0.", []string{"check"}, nil)
	stateDesc = prometheus.NewDesc("heatd_check_state",
		"1 for the check's current state, 0 for the others: one series a state of heatctl status.",
		[]string{"check", "state"}, nil)
	failuresDesc = prometheus.NewDesc("heatd_check_consecutive_failures",
		"Failed runs in a row.", []string{"check"}, nil)
	intervalDesc = prometheus.NewDesc("heatd_check_interval_seconds",
		"The check's interval: runs start this far apart while it is healthy.", []string{"check"}, nil)
	lastRunDesc = prometheus.NewDesc("heatd_check_last_run_timestamp_seconds",
		"When the check's latest completed run started, in unix seconds; absent before its first run.",
		[]string{"check"}, nil)
	lastOKDesc = prometheus.NewDesc("heatd_check_last_success_timestamp_seconds",
		"When the check's latest ok run started, in unix seconds; absent before its first ok run.",
		[]string{"check"}, nil)
	runsDesc = prometheus.NewDesc("heatd_check_runs_total",
		"Completed check runs by result: ok, failed, timeout.", []string{"check", "result"}, nil)
	runErrorsDesc = prometheus.NewDesc("heatd_check_run_errors_total",
		"Runs heatd could not start (run_error): heatd's trouble, not the check's.", []string{"check"}, nil)
	recoveriesDesc = prometheus.NewDesc("heatd_recoveries_total",
		"Verified recoveries.", []string{"check"}, nil)
	attemptsDesc = prometheus.NewDesc("heatd_recovery_attempts_total",
		"Recovery attempts started: recovery scripts run or units restarted.", []string{"check"}, nil)
	recoveriesFailedDesc = prometheus.NewDesc("heatd_recoveries_failed_total",
		"Recovery attempts whose verification found the check still failing (recovery_failed).",
		[]string{"check"}, nil)
	signalsDesc = prometheus.NewDesc("heatd_signals_sent_total",
		"Signals sent to the check's target by occasion: failure, fault, success.", []string{"check", "kind"}, nil)
	signalsFailedDesc = prometheus.NewDesc("heatd_signals_failed_total",
		"Signals that could not be sent to the check's target (signal_failed), by occasion: failure, fault, success.",
		[]string{"check", "kind"}, nil)
)

var signalKinds = []check.SignalKind{check.SignalFailure, check.SignalFault, check.SignalSuccess}

func (checksCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{upDesc, stateDesc, failuresDesc, intervalDesc, lastRunDesc, lastOKDesc,
		runsDesc, runErrorsDesc, recoveriesDesc, attemptsDesc, recoveriesFailedDesc, signalsDesc, signalsFailedDesc} {
		ch <- d
	}
}

func (c checksCollector) Collect(ch chan<- prometheus.Metric) {
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	for _, s := range c.src.Statuses() {
		health := s.Health()
		ch <- prometheus.MustNewConstMetric(upDesc, gauge, boolFloat(up(health, s.LastResult)), s.Name)
		for _, st := range check.Healths() {
			ch <- prometheus.MustNewConstMetric(stateDesc, gauge, boolFloat(health == st), s.Name, st.String())
		}
		ch <- prometheus.MustNewConstMetric(failuresDesc, gauge, float64(s.State.Streak), s.Name)
		ch <- prometheus.MustNewConstMetric(intervalDesc, gauge, s.Interval.Seconds(), s.Name)
		if !s.LastRun.IsZero() {
			ch <- prometheus.MustNewConstMetric(lastRunDesc, gauge, unixSeconds(s.LastRun), s.Name)
		}
		if !s.LastOK.IsZero() {
			ch <- prometheus.MustNewConstMetric(lastOKDesc, gauge, unixSeconds(s.LastOK), s.Name)
		}
		ok := s.Runs - s.FailedRuns
		failed := s.FailedRuns - s.TimeoutRuns
		ch <- prometheus.MustNewConstMetric(runsDesc, counter, float64(ok), s.Name, "ok")
		ch <- prometheus.MustNewConstMetric(runsDesc, counter, float64(failed), s.Name, "failed")
		ch <- prometheus.MustNewConstMetric(runsDesc, counter, float64(s.TimeoutRuns), s.Name, "timeout")
		ch <- prometheus.MustNewConstMetric(runErrorsDesc, counter, float64(s.RunErrors), s.Name)
		ch <- prometheus.MustNewConstMetric(recoveriesDesc, counter, float64(s.Recoveries), s.Name)
		ch <- prometheus.MustNewConstMetric(attemptsDesc, counter, float64(s.RecoveryAttempts), s.Name)
		ch <- prometheus.MustNewConstMetric(recoveriesFailedDesc, counter, float64(s.RecoveriesFailed), s.Name)
		for _, k := range signalKinds {
			ch <- prometheus.MustNewConstMetric(signalsDesc, counter, float64(s.Signals[k]), s.Name, string(k))
			ch <- prometheus.MustNewConstMetric(signalsFailedDesc, counter, float64(s.SignalsFailed[k]), s.Name, string(k))
		}
	}
}

// up is heatd_check_up of a check in health whose latest run's result is
// last: 1 while no failure counts. A starting check's failures count none
// (start_period); a failing or recovering one is down; a flapping one or
// one that gave up takes no step on failures, and is up exactly when its
// latest run was ok, as a healthy one is.
func up(health check.Health, last string) bool {
	switch health {
	case check.Healthy, check.Starting:
		return true
	case check.Flapping, check.GaveUp:
		return last == "ok"
	}
	return false
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
