package metrics

import (
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// durationBounds are heatd_check_duration_seconds' buckets: a native
// probe's milliseconds to a slow script's half minute (the default
// timeout). An array, so that a check's counts are one too.
var durationBounds = [...]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

var durationDesc = prometheus.NewDesc("heatd_check_duration_seconds",
	"How long check runs took.", []string{"check"}, nil)

// durations is heatd_check_duration_seconds: for each check that has run,
// its runs counted by bucket, turned into a histogram at each scrape. A
// Prometheus histogram of the check's own would cost about a kilobyte and
// a quarter a check (its label pairs, two sets of atomic counts for
// lock-free reads, native-histogram fields), ten thousand of them more than
// the checks themselves; these counts cost 128 bytes in a map, some 230 a check in all.
//
// The counts are the map's values, not objects of their own: a check's
// entry is made at its first run, and with splay 0 that is amid the
// garbage of ten thousand first runs, where ten thousand small objects
// would each keep a page of heap in use; the map's tables are large
// allocations of their own.
type durations struct {
	mu     sync.Mutex
	checks map[string]durationCounts
}

// durationCounts are one check's runs: per bucket (not cumulative), in all,
// and their summed seconds.
type durationCounts struct {
	buckets [len(durationBounds)]uint64
	count   uint64
	sum     float64
}

// observe counts a run of the check name that took seconds.
func (d *durations) observe(name string, seconds float64) {
	i, _ := slices.BinarySearch(durationBounds[:], seconds) // the first bound ≥ seconds: le
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.checks == nil {
		d.checks = make(map[string]durationCounts)
	}
	c := d.checks[name]
	if i < len(c.buckets) {
		c.buckets[i]++
	}
	c.count++
	c.sum += seconds
	d.checks[name] = c
}

// forget drops the counts of the checks named.
func (d *durations) forget(names []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, n := range names {
		delete(d.checks, n)
	}
}

// Describe is prometheus.Collector's.
func (d *durations) Describe(ch chan<- *prometheus.Desc) { ch <- durationDesc }

// Collect is prometheus.Collector's: the counts are copied under the lock,
// and the series made from the copy, so that runs ending meanwhile never
// wait for the scrape.
func (d *durations) Collect(ch chan<- prometheus.Metric) {
	d.mu.Lock()
	// One allocation holds every series of the scrape, filled in place.
	all := make([]durationMetric, len(d.checks))
	i := 0
	for n, c := range d.checks {
		all[i].name, all[i].counts = n, c
		i++
	}
	d.mu.Unlock()
	for i := range all {
		ch <- &all[i]
	}
}

// durationMetric is one check's histogram at a scrape, with room for what
// it writes. It writes itself rather than going through
// prometheus.MustNewConstHistogram, whose map of buckets and label pairs
// made for each check would make a scrape of ten thousand checks allocate
// a third more than Prometheus' own histograms did.
type durationMetric struct {
	name   string
	counts durationCounts

	cumulative [len(durationBounds)]uint64
	buckets    [len(durationBounds)]dto.Bucket
	list       [len(durationBounds)]*dto.Bucket
	label      dto.LabelPair
	labels     [1]*dto.LabelPair
	histogram  dto.Histogram
}

// checkLabel is the name of heatd_check_duration_seconds' one label.
var checkLabel = "check"

// Desc is prometheus.Metric's.
func (m *durationMetric) Desc() *prometheus.Desc { return durationDesc }

// Write is prometheus.Metric's: the cumulative buckets, their upper bounds
// (+Inf is the count, as the exposition formats have it), the count and
// the sum.
func (m *durationMetric) Write(out *dto.Metric) error {
	var n uint64
	for i := range durationBounds {
		n += m.counts.buckets[i]
		m.cumulative[i] = n
		m.buckets[i].CumulativeCount = &m.cumulative[i]
		m.buckets[i].UpperBound = &durationBounds[i]
		m.list[i] = &m.buckets[i]
	}
	m.label.Name, m.label.Value = &checkLabel, &m.name
	m.labels[0] = &m.label
	m.histogram.SampleCount, m.histogram.SampleSum, m.histogram.Bucket = &m.counts.count, &m.counts.sum, m.list[:]
	out.Label = m.labels[:]
	out.Histogram = &m.histogram
	return nil
}
