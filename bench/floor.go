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

// floorRun runs argv n times from the floor program and returns the CPU
// per run (the program's own and its children's, its start left out).
func (b *bench) floorRun(n int, argv ...string) (time.Duration, error) {
	if b.floor == "" {
		return 0, errNoFloor
	}
	args := append([]string{strconv.Itoa(n), argv[0]}, argv...)
	if !strings.Contains(argv[0], "/") {
		path, err := exec.LookPath(argv[0])
		if err != nil {
			return 0, err
		}
		args[1] = path
	}
	cmd := exec.CommandContext(b.ctx, b.floor, args...)
	cmd.Dir = b.dir
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("floor %s: %v", strings.Join(argv, " "), err)
	}
	var runs, cpuUS, wallUS, failed int64
	if _, err := fmt.Sscanf(string(out), "runs=%d cpu_us=%d wall_us=%d failed=%d", &runs, &cpuUS, &wallUS, &failed); err != nil {
		return 0, fmt.Errorf("floor: %q: %v", out, err)
	}
	if failed > 0 || runs == 0 {
		return 0, fmt.Errorf("floor %s: %d of %d runs failed", strings.Join(argv, " "), failed, runs)
	}
	return time.Duration(cpuUS) * time.Microsecond / time.Duration(runs), nil
}
