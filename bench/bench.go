package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The floor and HEAT's loop travel inside heatbench, so it runs from any
// folder; they are written out to its scratch folder at start.
var (
	//go:embed floor/floor.c
	floorSource []byte
	//go:embed heat.py
	heatSource []byte
)

// bench is one run of the suite: its plan, its tools, the processes it
// started and the report it fills.
type bench struct {
	ctx   context.Context
	plan  plan
	dir   string // scratch folder, removed at the end
	procs *procs
	rep   *report
	out   io.Writer // progress lines

	heatd   string // the heatd binary
	gofloor string // the Go floor binary
	floor   string // the floor binary; "" without cc
	python  string // python3 itself (not a pyenv shim); "" without it
	monit   string // "" without monit
	curl    string // "" without curl
	perf    string // "" without perf

	missing   map[string]string // tool: why it is missing
	loadStart string            // the load average when the run began
}

// newBench makes the scratch folder, builds heatd (unless given) and the
// floor, and finds the other tools.
func newBench(ctx context.Context, p plan, heatd string, progress io.Writer) (*bench, error) {
	dir, err := os.MkdirTemp("", "heatbench-")
	if err != nil {
		return nil, err
	}
	b := &bench{ctx: ctx, plan: p, dir: dir, procs: newProcs(), out: progress, missing: map[string]string{},
		loadStart: loadAverage()}
	b.rep = newReport(p)
	if err := b.tools(heatd); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// close ends every process heatbench started and removes its scratch
// folder.
func (b *bench) close() {
	b.procs.killAll()
	os.RemoveAll(b.dir)
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.out, "heatbench: "+format+"\n", args...)
}

// tools builds or finds what the suite runs.
func (b *bench) tools(heatd string) error {
	if heatd == "" {
		top, err := heatdModule(b.ctx)
		if err != nil {
			return err
		}
		b.progress("building heatd in %s", top)
		heatd = filepath.Join(b.dir, "heatd")
		build := exec.CommandContext(b.ctx, goTool(), "build", "-o", heatd, "./cmd/heatd")
		build.Dir = top
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("building heatd in %s: %v\n%s", top, err, out)
		}
	}
	abs, err := filepath.Abs(heatd)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("-heatd: %w", err)
	}
	b.heatd = abs
	// The Go floor is built as heatd is, by the go command, so that both
	// come from the same toolchain.
	b.gofloor = filepath.Join(b.dir, "gofloor")
	build := exec.CommandContext(b.ctx, goTool(), "build", "-o", b.gofloor, benchModule+"/gofloor")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the Go floor (run heatbench from bench/): %v\n%s", err, out)
	}

	if cc, err := exec.LookPath("cc"); err != nil {
		b.missing["cc"] = "no cc: no floor, so no ratios"
	} else {
		src := filepath.Join(b.dir, "floor.c")
		b.floor = filepath.Join(b.dir, "floor")
		if err := os.WriteFile(src, floorSource, 0o644); err != nil {
			return err
		}
		if out, err := exec.CommandContext(b.ctx, cc, "-O2", "-o", b.floor, src).CombinedOutput(); err != nil {
			return fmt.Errorf("compiling the floor: %v\n%s", err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(b.dir, "heat.py"), heatSource, 0o644); err != nil {
		return err
	}
	if py, err := exec.LookPath("python3"); err == nil {
		// A pyenv shim is a shell script that forks a few processes before
		// it execs Python: HEAT's start would be charged for them.
		out, err := exec.CommandContext(b.ctx, py, "-c", "import sys; print(sys.executable)").Output()
		if real := strings.TrimSpace(string(out)); err == nil && real != "" {
			b.python = real
		}
	}
	if b.python == "" {
		b.missing["python3"] = "no python3: HEAT is not measured"
	}
	b.monit = lookTool("monit", b.missing, "no monit: monit is not measured (make bench installs Debian's)")
	b.curl = lookTool("curl", b.missing, "no curl: the native HTTP probe is not compared with curl")
	b.perf = lookTool("perf", b.missing, "no perf: missed goals are not profiled")
	return nil
}

func lookTool(name string, missing map[string]string, why string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		missing[name] = why
		return ""
	}
	return path
}

// goTool is the go command: the one in PATH, else the usual place of an
// official install.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}

// sleep waits d, or less when the run is cancelled; false then.
func (b *bench) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-b.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// scratch makes a fresh folder for one measurement.
func (b *bench) scratch(name string) (string, error) {
	return os.MkdirTemp(b.dir, name+"-")
}
