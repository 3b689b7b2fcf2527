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
// the checks themselves; these counts cost 128 bytes, some 170 a check in
// all.
//
// The counts lie in pages of durationPage entries, found by an index from
// the check's name, not in a map of their own and not as objects of their
// own: a check's entry is made at its first run, and with splay 0 that is
// amid the garbage of ten thousand first runs, where ten thousand small
// objects would each keep a page of heap in use; and a map holding the
// counts themselves keeps a third of its slots free, each 144 bytes (2.4
// MiB for ten thousand checks, against 1.25 MiB of pages and 0.4 MiB of
// index).
type durations struct {
	mu    sync.Mutex
	index map[string]int32 // by check name, where its counts are
	pages []*durationPage
	n     int32   // entries made: the first n of the pages
	free  []int32 // entries of removed checks, for the next new ones
}

// durationPage holds the counts of durationPage's length of checks: 8 KiB,
// a size class of Go's with no room lost.
type durationPage [64]durationCounts

// durationCounts are one check's runs: per bucket (not cumulative), in all,
// and their summed seconds.
type durationCounts struct {
	buckets [len(durationBounds)]uint64
	count   uint64
	sum     float64
}

// at is the entry i.
func (d *durations) at(i int32) *durationCounts {
	return &d.pages[i/int32(len(durationPage{}))][i%int32(len(durationPage{}))]
}

// observe counts a run of the check name that took seconds.
func (d *durations) observe(name string, seconds float64) {
	i, _ := slices.BinarySearch(durationBounds[:], seconds) // the first bound ≥ seconds: le
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.counts(name)
	if i < len(c.buckets) {
		c.buckets[i]++
	}
	c.count++
	c.sum += seconds
}

// counts is name's entry, made at its first run; d.mu is held.
func (d *durations) counts(name string) *durationCounts {
	if i, ok := d.index[name]; ok {
		return d.at(i)
	}
	if d.index == nil {
		d.index = make(map[string]int32)
	}
	var i int32
	if k := len(d.free); k > 0 {
		i, d.free = d.free[k-1], d.free[:k-1]
	} else {
		if int(d.n) == len(d.pages)*len(durationPage{}) {
			d.pages = append(d.pages, new(durationPage))
		}
		i = d.n
		d.n++
	}
	d.index[name] = i
	return d.at(i)
}

// forget drops the counts of the checks named: their entries are cleared
// for the checks added next.
func (d *durations) forget(names []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, n := range names {
		i, ok := d.index[n]
		if !ok {
			continue
		}
		delete(d.index, n)
		*d.at(i) = durationCounts{}
		d.free = append(d.free, i)
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
	all := make([]durationMetric, len(d.index))
	k := 0
	for name, i := range d.index {
		all[k].name, all[k].counts = name, *d.at(i)
		k++
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
