// Command heatbench measures heatd against the least a supervisor can cost
// (a C program that spawns and waits, bench/floor/floor.c), and beside
// monit and HEAT's own Python loop (bench/heat.py), on the machine it runs
// on. It prints a table and, with -out, writes it as Markdown with the
// machine's description (BENCHMARKS.md).
//
// It is a module of its own, in bench/ of heatd's source tree, so that the
// product's `go test ./...` leaves it out; it runs from there:
//
//	go run . -heatd ../bin/heatd -out ../BENCHMARKS.md   # the full run, some minutes
//	go run . -quick                                      # seconds: keeps the suite working
//
// Every CPU figure is the CPU time of a supervisor (its CPU clock, in
// nanoseconds) and of the children it reaped (/proc/PID/stat cutime,
// cstime), per check run,
// and is shown as a ratio to the floor measured in the same run: other work
// on the machine moves both alike. Windows are repeated and their median is
// taken. -quick never judges a timing; its figures mean nothing.
//
// heatbench needs Linux, Go and a heatd (it builds one from the source tree
// above bench/ unless -heatd names it); cc for the floor, monit, python3, curl and
// perf are used when present, and their rows say so when not. It runs as
// root (monit's run count is read in a pid namespace of its own), starts
// every process in a group of its own and ends them all before it exits,
// on failure too.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is heatbench: 0 when every section ran (whatever the figures), 1 when
// one could not, 2 for bad flags.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("heatbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "a smoke run of seconds with tiny sizes; judges nothing")
	heatd := fs.String("heatd", "", "the heatd `binary` to measure (default: build one from this module)")
	out := fs.String("out", "", "write the report as Markdown to `file`")
	edges := fs.Int("edges", -1, "depends_on `edges` in the largest configurations (default: the plan's, 1,000 or 10 with -quick); 0 for none")
	only := fs.String("only", "", "run only these comma-separated `sections`: "+strings.Join(sectionNames(), ","))
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "heatbench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	sections, err := pickSections(*only)
	if err != nil {
		fmt.Fprintln(stderr, "heatbench:", err)
		return 2
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()

	p := fullPlan
	if *quick {
		p = quickPlan
	}
	if *edges >= 0 {
		p.edges = *edges
	}
	b, err := newBench(ctx, p, *heatd, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "heatbench:", err)
		return 1
	}
	defer b.close()

	started := time.Now()
	for _, s := range sections {
		if ctx.Err() != nil {
			break
		}
		b.progress("== %s", s.title)
		t0 := time.Now()
		if err := s.run(b); err != nil {
			b.rep.failed(s.title, err)
			b.progress("%s: %v", s.title, err)
		}
		b.progress("%s took %s", s.title, time.Since(t0).Round(100*time.Millisecond))
	}
	b.rep.finish(b, time.Since(started))
	b.rep.printText(stdout)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(b.rep.markdown()), 0o644); err != nil {
			fmt.Fprintln(stderr, "heatbench:", err)
			return 1
		}
		b.progress("wrote %s", *out)
	}
	if ctx.Err() != nil || len(b.rep.errors) > 0 {
		return 1
	}
	return 0
}

// section is one part of the suite.
type section struct {
	name, title string
	run         func(*bench) error
}

// sections are the suite's parts, in the order they run (and print).
var sections = []section{
	{"cpu", "CPU per run", (*bench).cpuSection},
	{"memory", "Memory and idle CPU", (*bench).memorySection},
	{"punctuality", "Punctuality", (*bench).punctualitySection},
	{"ready", "Start and reload", (*bench).readySection},
	{"monit", "monit", (*bench).monitSection},
	{"recovery", "Recovery of a killed service", (*bench).recoverySection},
	{"heat", "HEAT (heat.py)", (*bench).heatSection},
}

func sectionNames() []string {
	var names []string
	for _, s := range sections {
		names = append(names, s.name)
	}
	return names
}

// pickSections are the sections -only names, in the suite's order; all of
// them when only is empty.
func pickSections(only string) ([]section, error) {
	if only == "" {
		return sections, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []section
	for _, s := range sections {
		if want[s.name] {
			out = append(out, s)
			delete(want, s.name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("no section %q (there are %s)", n, strings.Join(sectionNames(), ", "))
	}
	return out, nil
}
