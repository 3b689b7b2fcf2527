package heatctl

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/heatd/heatd/daemon/control"
)

// writeTable prints one row per check, its times relative to now.
func writeTable(w io.Writer, checks []control.CheckStatus, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tFAILURES\tLAST\tLAST RUN\tNEXT RUN\tRECOVERIES")
	for _, c := range checks {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%d\n", c.Name, c.State, c.ConsecutiveFailures,
			lastResult(c), ago(c.LastRun, now), in(c.NextRun, now), c.Recoveries)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// What the state alone does not say, a line each, under the table.
	for _, c := range checks {
		if p := c.Pause; p != nil {
			line := c.Name + ": paused by uid " + strconv.Itoa(p.UID)
			if p.Until != nil {
				line += " until " + p.Until.Local().Format(time.DateTime+" MST") + " (" + in(p.Until, now) + ")"
			}
			if p.Reason != "" {
				line += ": " + p.Reason
			}
			fmt.Fprintln(w, line)
		}
		if c.BlockedBy != nil {
			fmt.Fprintf(w, "%s: blocked by %s, which is not healthy\n", c.Name, *c.BlockedBy)
		}
	}
	return nil
}

// lastResult is the last run's result and exit code: "ok (0)",
// "failed (7)", "timeout (124)"; "-" before the first run.
func lastResult(c control.CheckStatus) string {
	if c.LastResult == nil {
		return "-"
	}
	if c.LastExitCode == nil {
		return *c.LastResult
	}
	return *c.LastResult + " (" + strconv.Itoa(*c.LastExitCode) + ")"
}

// ago is how long before now t was: "12s ago"; "-" for no time. A t a
// little after now (clocks read a moment apart) is "0s ago".
func ago(t *time.Time, now time.Time) string {
	if t == nil {
		return "-"
	}
	return span(max(now.Sub(*t), 0)) + " ago"
}

// in is how long after now t comes: "in 18s", or "now" when it is due
// (or under way). Part of a second counts as a whole one, so a run still
// to come never reads "in 0s".
func in(t *time.Time, now time.Time) string {
	if t == nil {
		return "-"
	}
	d := t.Sub(now)
	if d <= 0 {
		return "now"
	}
	return "in " + span((d + time.Second - 1).Truncate(time.Second))
}

// span writes d in one unit, rounded down: seconds up to 2 minutes, then
// minutes up to 2 hours, hours up to 2 days, then days. Two of a unit at
// least, so the figure shown is never off by half or more.
func span(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < 2*time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < 2*time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 2*day:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/day)) + "d"
}
