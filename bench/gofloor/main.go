// Command gofloor is the least a supervisor written in Go costs: heatbench
// runs it beside heatd to tell what Go's runtime costs on a machine from what
// heatd adds to it.
//
//	gofloor CHECKS INTERVAL PATH [ARG...]
//
// runs CHECKS goroutines, spread evenly over INTERVAL as heatd's splay
// spreads its checks, each starting PATH every INTERVAL (start to start)
// with os.StartProcess, in a process group of its own, with /dev/null for
// stdin, stdout and stderr, and waiting for it: no output captured, no
// timeout, no events. Each line read on stdin is answered on stdout with
// the number of runs completed so far.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: gofloor CHECKS INTERVAL PATH [ARG...]")
		os.Exit(2)
	}
	checks, err1 := strconv.Atoi(os.Args[1])
	interval, err2 := time.ParseDuration(os.Args[2])
	if err1 != nil || err2 != nil || checks <= 0 || interval <= 0 {
		fmt.Fprintln(os.Stderr, "gofloor: bad CHECKS or INTERVAL")
		os.Exit(2)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gofloor:", err)
		os.Exit(1)
	}
	attr := &os.ProcAttr{Env: os.Environ(), Files: []*os.File{null, null, null},
		Sys: &syscall.SysProcAttr{Setpgid: true}}
	argv := os.Args[3:]

	var runs atomic.Int64
	start := time.Now()
	for i := range checks {
		go func() {
			next := start.Add(interval * time.Duration(i) / time.Duration(checks))
			for {
				time.Sleep(time.Until(next))
				p, err := os.StartProcess(argv[0], argv, attr)
				if err != nil {
					fmt.Fprintln(os.Stderr, "gofloor:", err)
					os.Exit(1)
				}
				if _, err := p.Wait(); err != nil {
					fmt.Fprintln(os.Stderr, "gofloor:", err)
					os.Exit(1)
				}
				runs.Add(1)
				next = next.Add(interval)
			}
		}()
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Println(runs.Load())
	}
}
