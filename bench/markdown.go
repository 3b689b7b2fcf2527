package main

import (
	_ "embed"
	"fmt"
	"strings"
)

// analysis is the hand-written reading of the figures (why a goal is
// missed, what the profiles show), kept beside the harness and copied
// into BENCHMARKS.md after the generated sections.
//
//go:embed analysis.md
var analysis string

// markdown is the report as BENCHMARKS.md.
func (r *report) markdown() string {
	var s strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&s, format, args...) }
	w("# heatd benchmarks\n\n")
	w("Written by `make bench` (`go run . -heatd ../bin/heatd -out ../BENCHMARKS.md` in `bench/`,\n")
	w("the harness's source); run it again to refresh this file, which is generated but for its last\n")
	w("section. Every CPU figure is user+system time of the supervisor and of the children it\n")
	w("reaped, per check run, and is compared with the floor measured in the same run: a C\n")
	w("program that only `posix_spawn`s and `waitpid`s the same command. Other work on the\n")
	w("machine moves both alike; ratios are what to compare across machines.\n\n")
	if r.plan.quick {
		w("**This is a -quick run: sizes and windows are too small for any figure to mean anything, and no goal is judged.**\n\n")
	}

	m := r.machine
	w("## Machine\n\n| | |\n|---|---|\n")
	for _, kv := range [][2]string{
		{"date", m.date}, {"CPU", m.cpu}, {"cores", m.cores}, {"memory", m.memory},
		{"virtualised", m.virtual}, {"kernel", m.kernel}, {"Go", m.goVersion}, {"heatd", m.heatd},
		{"monit", m.monit}, {"Python", m.python}, {"cc", m.cc}, {"perf", m.perf},
		{"load average", m.load}, {"the run took", r.took.Round(1e9).String()},
	} {
		if kv[1] != "" {
			w("| %s | %s |\n", kv[0], mdEscape(kv[1]))
		}
	}

	w("\n## Results\n\n| measurement | value | against | goal | verdict |\n|---|---|---|---|---|\n")
	last := ""
	for _, x := range r.rows {
		if x.section != last {
			w("| **%s** | | | | |\n", x.section)
			last = x.section
		}
		w("| %s | %s | %s | %s | %s |\n", mdEscape(x.what), x.value, mdEscape(x.versus), x.goal, x.verdict)
	}

	w("\n## Goals\n\n")
	var met, miss []string
	for _, x := range r.rows {
		switch {
		case x.verdict == "met":
			met = append(met, x.what)
		case missed(x.verdict):
			miss = append(miss, fmt.Sprintf("%s: %s, goal %s", x.what, strings.ReplaceAll(x.verdict, "**", ""), x.goal))
		}
	}
	if r.plan.quick {
		w("Not judged in a -quick run.\n")
	} else {
		w("%d met, %d missed.\n\n", len(met), len(miss))
		for _, x := range met {
			w("- met: %s\n", mdEscape(x))
		}
		for _, x := range miss {
			w("- **missed**: %s\n", mdEscape(x))
		}
	}
	if len(r.skipped) > 0 || len(r.errors) > 0 {
		w("\n## Not measured\n\n")
		for _, x := range r.skipped {
			w("- %s\n", mdEscape(x))
		}
		for _, x := range r.errors {
			w("- error: %s\n", mdEscape(x))
		}
	}

	w("\n## How each figure is obtained\n\n")
	for _, n := range r.notes {
		w("- %s\n", n)
	}

	if len(r.profiles) > 0 {
		w("\n## Profiles of missed goals\n\n")
		for _, p := range r.profiles {
			w("### %s\n\n%s\n\n```\n%s\n```\n\n", p.title, p.how, strings.TrimRight(p.top, "\n"))
		}
	}
	w("\n%s", analysis)
	return s.String()
}

// mdEscape keeps a value from breaking a table row.
func mdEscape(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
