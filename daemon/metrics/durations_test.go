package metrics

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heatd/heatd/check"
)

// heatd_check_duration_seconds is a histogram of each check's runs: its
// buckets cumulative, a run that takes a bucket's bound exactly counted in
// it (le), one longer than the last bound in +Inf only, and runs that
// could not start not at all.
func TestDurationHistogram(t *testing.T) {
	m := New(&fakeSource{})
	for _, d := range []time.Duration{time.Millisecond, 3 * time.Millisecond, 3 * time.Millisecond, time.Second, time.Minute} {
		m.Ran("web", check.Result{Duration: d})
	}
	m.Ran("web", check.Result{Duration: time.Hour, Err: fmt.Errorf("not started")})
	m.Ran("db", check.Result{Duration: 40 * time.Millisecond})
	fams := scrape(t, m.Handler())
	f := fams["heatd_check_duration_seconds"]
	if f == nil {
		t.Fatal("heatd_check_duration_seconds is not served")
	}
	want := map[string]map[float64]uint64{
		"web": {.001: 1, .0025: 1, .005: 3, .01: 3, .025: 3, .05: 3, .1: 3, .25: 3, .5: 3, 1: 4, 2.5: 4, 5: 4, 10: 4, 30: 4, math.Inf(1): 5},
		"db":  {.001: 0, .0025: 0, .005: 0, .01: 0, .025: 0, .05: 1, .1: 1, .25: 1, .5: 1, 1: 1, 2.5: 1, 5: 1, 10: 1, 30: 1, math.Inf(1): 1},
	}
	wantCount := map[string]uint64{"web": 5, "db": 1}
	wantSum := map[string]float64{"web": 0.001 + 0.003 + 0.003 + 1 + 60, "db": 0.04}
	if len(f.Metric) != len(want) {
		t.Errorf("%d series, want %d", len(f.Metric), len(want))
	}
	for _, s := range f.Metric {
		name := s.Label[0].GetValue()
		h := s.Histogram
		if h.GetSampleCount() != wantCount[name] || math.Abs(h.GetSampleSum()-wantSum[name]) > 1e-9 {
			t.Errorf("%s: count %d sum %v, want %d and %v", name, h.GetSampleCount(), h.GetSampleSum(), wantCount[name], wantSum[name])
		}
		if len(h.Bucket) != len(want[name]) {
			t.Errorf("%s: %d buckets, want %d", name, len(h.Bucket), len(want[name]))
		}
		for _, b := range h.Bucket {
			if got, w := b.GetCumulativeCount(), want[name][b.GetUpperBound()]; got != w {
				t.Errorf("%s: bucket le=%v holds %d, want %d", name, b.GetUpperBound(), got, w)
			}
		}
	}
}

// A check's duration histogram is kept as a few counters, not as a
// Prometheus histogram of its own (near a kilobyte each, with its label
// pairs and its two sets of atomic counts): ten thousand idle checks must
// fit in heatd's memory budget.
func TestDurationHistogramPerCheckCost(t *testing.T) {
	const checks = 5000
	m := New(&fakeSource{})
	names := make([]string, checks)
	for i := range names {
		names[i] = fmt.Sprintf("c%05d", i)
	}
	r := check.Result{Duration: time.Millisecond}
	before := liveHeap()
	for _, n := range names {
		m.Ran(n, r)
	}
	per := (liveHeap() - before) / checks
	runtime.KeepAlive(m)
	t.Logf("%d bytes a check", per)
	if per > 170 {
		t.Errorf("a check's duration histogram costs %d bytes, want at most 170", per)
	}
}

// liveHeap is the heap's live bytes after a collection.
func liveHeap() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// A scrape of the duration histograms allocates no more than Prometheus'
// own histograms did: operators scrape every 15 s, and with ten thousand
// checks a scrape's garbage is most of heatd's memory.
func TestDurationHistogramScrapeCost(t *testing.T) {
	d := &durations{}
	vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "heatd_check_duration_seconds",
		Help: "How long check runs took.", Buckets: DurationBuckets}, []string{"check"})
	for i := range 2000 {
		name := fmt.Sprintf("c%05d", i)
		d.observe(name, 0.003)
		vec.WithLabelValues(name).Observe(0.003)
	}
	ours, theirs := gatherAllocates(t, d), gatherAllocates(t, vec)
	t.Logf("a scrape of 2,000 checks' histograms allocates %d KiB (Prometheus' histograms: %d KiB)", ours>>10, theirs>>10)
	if ours > theirs {
		t.Errorf("a scrape allocates %d KiB, more than Prometheus' histograms' %d KiB", ours>>10, theirs>>10)
	}
}

// gatherAllocates is what a registry of c alone allocates to gather.
func gatherAllocates(t *testing.T, c prometheus.Collector) uint64 {
	r := prometheus.NewRegistry()
	r.MustRegister(c)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := r.Gather(); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A removed check's counts go and the others' stay theirs, across the
// pages the counts lie in: a removed check's entry serves a check added
// next, which starts from nothing, as does a check added again.
func TestDurationHistogramForget(t *testing.T) {
	d := &durations{}
	const checks = 3*len(durationPage{}) + 5
	want := map[string]uint64{}
	for i := range checks {
		name := fmt.Sprintf("c%03d", i)
		for range i + 1 {
			d.observe(name, 0.003)
		}
		want[name] = uint64(i + 1)
	}
	var gone []string
	for _, i := range []int{0, 7, len(durationPage{}) - 1, len(durationPage{}), 2 * len(durationPage{}), checks - 1} {
		gone = append(gone, fmt.Sprintf("c%03d", i))
	}
	d.forget(append(gone, "never-ran"))
	for _, n := range gone {
		delete(want, n)
	}
	d.observe("c007", 0.003) // added again
	want["c007"] = 1
	d.observe("c001", 0.003)
	want["c001"]++

	r := prometheus.NewRegistry()
	r.MustRegister(d)
	fams, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, f := range fams {
		for _, m := range f.Metric {
			got[m.Label[0].GetValue()] = m.Histogram.GetSampleCount()
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d series, want %d", len(got), len(want))
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s counts %d runs, want %d", n, got[n], w)
		}
	}
}
