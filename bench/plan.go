package main

import "time"

// plan is how big and how long each measurement is.
type plan struct {
	quick bool // a smoke run: no goal is judged

	// CPU per run: checks × interval gives the run rate; windows of window
	// each, with floorRuns runs of the floor between two windows.
	cpuChecks   int
	cpuInterval time.Duration
	warmup      time.Duration
	settle      time.Duration // left to a resumed supervisor before a window
	windows     int
	window      time.Duration
	floorRuns   int

	// Memory: idle (interval 1h, once the first runs are done) and busy
	// (busyRate runs a second in all) at each size; idle CPU over
	// idleWindow at the largest, idleShort at the others.
	sizes       []int
	busyRate    int
	idleWindow  time.Duration
	idleShort   time.Duration
	idleSettle  time.Duration // after the first runs, before RSS is read
	busySamples int           // RSS samples, 250 ms apart

	// Punctuality: punctChecks at punctInterval for punctWindow.
	punctChecks   int
	punctInterval time.Duration
	punctWindow   time.Duration
	margin        time.Duration // beyond an interval, for every check to have run

	// Start and reload: READY with readyChecks, readyReps times for each
	// splay; reloads of one check among them at reloadInterval.
	readyChecks    int
	readyReps      int
	reloads        int
	reloadInterval time.Duration
	reloadGap      time.Duration // between two reloads

	// depends_on edges in the largest configurations: those of readyChecks
	// and the largest of sizes.
	edges int

	// monit: monitSizes programs at its shortest cycle (1 s).
	monitSizes   []int
	monitWindows int
	monitWindow  time.Duration

	// Recovery: recoveryTrials kills of the service watched by heatd and
	// as many of the one watched by monit, in turn.
	recoveryTrials int

	// HEAT: heatStarts processes to time their start, heatProcs running at
	// -i 1 for heatWindows windows.
	heatStarts  int
	heatProcs   int
	heatWindows int
	heatWindow  time.Duration
}

// fullPlan is `make bench`: about six minutes on two cores.
var fullPlan = plan{
	cpuChecks:   50,
	cpuInterval: 100 * time.Millisecond, // 500 runs a second: a busy host
	warmup:      time.Second,
	settle:      300 * time.Millisecond,
	windows:     4,
	window:      2 * time.Second,
	floorRuns:   400,

	sizes:       []int{100, 1000, 10000},
	busyRate:    500,
	idleWindow:  125 * time.Second, // past Go's forced collection (2 min)
	idleShort:   3 * time.Second,
	idleSettle:  2 * time.Second,
	busySamples: 8,

	punctChecks:   1000,
	punctInterval: time.Second,
	punctWindow:   15 * time.Second,
	margin:        2 * time.Second,

	readyChecks:    10000,
	readyReps:      3,
	reloads:        3,
	reloadInterval: 20 * time.Second, // 500 runs a second with 10,000 checks
	reloadGap:      2 * time.Second,

	edges: 1000, // 10,000 checks with 1,000 dependency edges keep these figures

	monitSizes:   []int{50, 1000},
	monitWindows: 3,
	monitWindow:  5 * time.Second,

	recoveryTrials: 20,

	heatStarts:  20,
	heatProcs:   50,
	heatWindows: 3,
	heatWindow:  4 * time.Second,
}

// quickPlan is -quick: every path of the suite in seconds, at sizes too
// small to mean anything.
var quickPlan = plan{
	quick:       true,
	cpuChecks:   5,
	cpuInterval: 100 * time.Millisecond,
	warmup:      200 * time.Millisecond,
	settle:      100 * time.Millisecond,
	windows:     1,
	window:      300 * time.Millisecond,
	floorRuns:   20,

	sizes:       []int{20},
	busyRate:    100,
	idleWindow:  300 * time.Millisecond,
	idleShort:   300 * time.Millisecond,
	idleSettle:  200 * time.Millisecond,
	busySamples: 2,

	punctChecks:   20,
	punctInterval: 500 * time.Millisecond,
	punctWindow:   time.Second,
	margin:        300 * time.Millisecond,

	readyChecks:    100,
	readyReps:      1,
	reloads:        1,
	reloadInterval: time.Second,
	reloadGap:      300 * time.Millisecond,

	edges: 10,

	monitSizes:   []int{3},
	monitWindows: 1,
	monitWindow:  time.Second,

	recoveryTrials: 2,

	heatStarts:  2,
	heatProcs:   2,
	heatWindows: 1,
	heatWindow:  time.Second,
}
