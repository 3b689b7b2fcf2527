package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// errNoFloor is a ratio that cannot be had: cc is missing.
var errNoFloor = errors.New("no floor (cc is not installed)")

// floorCost is the floor's CPU per run.
type floorCost struct {
	total time.Duration // the floor program's and its children's
	own   time.Duration // the floor program's alone: spawning and reaping
}

// floorRun runs argv n times from the floor program and returns the CPU
// per run (its start left out).
func (b *bench) floorRun(n int, argv ...string) (floorCost, error) {
	if b.floor == "" {
		return floorCost{}, errNoFloor
	}
	args := append([]string{strconv.Itoa(n), argv[0]}, argv...)
	if !strings.Contains(argv[0], "/") {
		path, err := exec.LookPath(argv[0])
		if err != nil {
			return floorCost{}, err
		}
		args[1] = path
	}
	cmd := exec.CommandContext(b.ctx, b.floor, args...)
	cmd.Dir = b.dir
	out, err := cmd.Output()
	if err != nil {
		return floorCost{}, fmt.Errorf("floor %s: %v", strings.Join(argv, " "), err)
	}
	var runs, cpuUS, selfUS, wallUS, failed int64
	if _, err := fmt.Sscanf(string(out), "runs=%d cpu_us=%d self_us=%d wall_us=%d failed=%d",
		&runs, &cpuUS, &selfUS, &wallUS, &failed); err != nil {
		return floorCost{}, fmt.Errorf("floor: %q: %v", out, err)
	}
	if failed > 0 || runs == 0 {
		return floorCost{}, fmt.Errorf("floor %s: %d of %d runs failed", strings.Join(argv, " "), failed, runs)
	}
	perRun := func(us int64) time.Duration { return time.Duration(us) * time.Microsecond / time.Duration(runs) }
	return floorCost{total: perRun(cpuUS), own: perRun(selfUS)}, nil
}
