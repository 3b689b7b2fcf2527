package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the results table.
type row struct {
	section string
	what    string // what was measured
	value   string // the figure
	versus  string // against what: the floor, and the ratio
	goal    string // the goal, when there is one
	verdict string // met / missed by …; "" without a goal
}

// report is what a run of the suite found.
type report struct {
	plan     plan
	rows     []row
	notes    []string  // how figures were obtained, by section
	profiles []profile // of missed goals
	errors   []string  // sections that could not run
	skipped  []string  // what could not be measured and why
	machine  machine
	took     time.Duration
}

// profile is the top of a profile taken where a goal was missed.
type profile struct {
	title, how, top string
}

func newReport(p plan) *report { return &report{plan: p} }

func (r *report) add(x row) { r.rows = append(r.rows, x) }

func (r *report) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func (r *report) failed(section string, err error) {
	r.errors = append(r.errors, section+": "+err.Error())
}

func (r *report) skip(what string) { r.skipped = append(r.skipped, what) }

// finish records the machine and the time taken.
func (r *report) finish(b *bench, took time.Duration) {
	r.machine = describeMachine(b)
	r.took = took
	for _, tool := range slices.Sorted(maps.Keys(b.missing)) {
		r.skip(b.missing[tool])
	}
}

// goal is a goal of the form "at most limit": its text and verdict for
// value. In a quick run nothing is judged.
type goal struct {
	limit float64
	text  string               // "≤ 1.10× floor"
	show  func(float64) string // formats values for the verdict
}

func (r *report) judge(g goal, value float64) (string, string) {
	if r.plan.quick {
		return g.text, "not judged (-quick)"
	}
	if value <= g.limit {
		return g.text, "met"
	}
	if g.limit == 0 {
		return g.text, fmt.Sprintf("**missed** (%s)", g.show(value))
	}
	over := (value/g.limit - 1) * 100
	return g.text, fmt.Sprintf("**missed** by %.0f%% (%s)", over, g.show(value))
}

// missed reports whether the verdict is a miss.
func missed(verdict string) bool { return strings.Contains(verdict, "missed") }

// printText prints the table for a terminal.
func (r *report) printText(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nMEASUREMENT\tVALUE\tAGAINST\tGOAL\tVERDICT")
	last := ""
	for _, x := range r.rows {
		if x.section != last {
			fmt.Fprintf(tw, "[%s]\t\t\t\t\n", x.section)
			last = x.section
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", x.what, x.value, x.versus, x.goal, strings.ReplaceAll(x.verdict, "*", ""))
	}
	tw.Flush()
	for _, s := range r.skipped {
		fmt.Fprintln(w, "skipped:", s)
	}
	for _, e := range r.errors {
		fmt.Fprintln(w, "ERROR:", e)
	}
}
