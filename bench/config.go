package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// heatdConf is a heatd configuration of many identical checks.
type heatdConf struct {
	checks   int
	kind     string // "script", "command" or "http": the check's key
	target   string // its value
	interval time.Duration
	splay    time.Duration
	debug    bool   // log_level debug, for the check_ok events
	metrics  string // metrics_listen; "" for none

	// variant changes check 0 alone (its timeout), so that writing the
	// file again with another variant is a reload that changes one check.
	variant int
}

// checkName is the name of check i: fixed width, so names sort as numbers.
func checkName(i int) string { return fmt.Sprintf("c%05d", i) }

// checkIndex is the i of checkName(i); -1 for any other name.
func checkIndex(name string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "c"))
	if err != nil || !strings.HasPrefix(name, "c") {
		return -1
	}
	return n
}

// write writes c as heatd's TOML to dir/heat.toml, with everything heatd
// writes kept in dir.
func (c heatdConf) write(dir string) (string, error) {
	var s strings.Builder
	level := "info"
	if c.debug {
		level = "debug"
	}
	fmt.Fprintf(&s, "[daemon]\nlog_dir = \"logs\"\nlog_level = %q\ncontrol_socket = \"heatd.sock\"\n", level)
	fmt.Fprintf(&s, "splay = %q\n", c.splay.String())
	if c.metrics != "" {
		fmt.Fprintf(&s, "metrics_listen = %q\n", c.metrics)
	}
	// The timeout is well above what /bin/true takes on the busiest host,
	// so that no run is ever killed.
	fmt.Fprintf(&s, "\n[defaults]\ninterval = %q\ntimeout = \"10s\"\n", c.interval.String())
	for i := range c.checks {
		fmt.Fprintf(&s, "\n[check.%s]\n%s = %q\n", checkName(i), c.kind, c.target)
		if i == 0 && c.variant != 0 {
			fmt.Fprintf(&s, "timeout = \"%ds\"\n", 10+c.variant)
		}
	}
	path := dir + "/heat.toml"
	return path, os.WriteFile(path, []byte(s.String()), 0o644)
}
