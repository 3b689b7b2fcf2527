package main

import (
	"cmp"
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
	body     string // the check's keys as TOML lines, instead of kind = target
	interval time.Duration
	splay    time.Duration
	debug    bool   // log_level debug, for the check_ok events
	metrics  string // metrics_listen; "" for none
	// timeout is the checks' timeout; zero: defaultTimeout.
	timeout time.Duration

	// edges is how many depends_on edges the file carries (see parentOf).
	edges int

	// variant changes check 0 alone (its timeout), so that writing the
	// file again with another variant is a reload that changes one check.
	variant int
}

// defaultTimeout is well above what /bin/true takes on the busiest host,
// so that no run is ever killed.
const defaultTimeout = 10 * time.Second

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

// fanOut is how many children each parent has when the file carries
// depends_on edges.
const fanOut = 10

// parentOf is the check that check i depends on, if any: with e edges, the
// first e/fanOut checks are parents (check 0, which a reload changes, among
// them) and the e checks after them their children, fanOut to a parent.
// A parent's turn is told to each of its children in turn, so a fan-out
// stresses that telling more than as many parents with a child each would.
func (c heatdConf) parentOf(i int) (int, bool) {
	parents := (c.edges + fanOut - 1) / fanOut
	if i < parents || i >= parents+c.edges {
		return 0, false
	}
	return (i - parents) / fanOut, true
}

// edgesNote says, for a report's note, what depends_on edges a
// configuration of n checks carries.
func edgesNote(n, edges int) string {
	if edges == 0 {
		return "no depends_on edges (-edges 0)."
	}
	parents := (edges + fanOut - 1) / fanOut
	who := checkName(0) + " has"
	if parents > 1 {
		who = fmt.Sprintf("each of %s to %s has", checkName(0), checkName(parents-1))
	}
	return fmt.Sprintf("the %s checks carry %s depends_on edges: %s %d children (%s is the check a reload changes). Every check stays healthy, so none is ever blocked: what the edges cost here is their load and validation, the links rebuilt at each apply, their memory, and each parent's look at its health after each of its runs.",
		count(n), count(edges), who, fanOut, checkName(0))
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
	fmt.Fprintf(&s, "\n[defaults]\ninterval = %q\ntimeout = %q\n", c.interval.String(), cmp.Or(c.timeout, defaultTimeout).String())
	for i := range c.checks {
		if c.body != "" {
			fmt.Fprintf(&s, "\n[check.%s]\n%s", checkName(i), c.body)
		} else {
			fmt.Fprintf(&s, "\n[check.%s]\n%s = %q\n", checkName(i), c.kind, c.target)
		}
		if p, ok := c.parentOf(i); ok {
			fmt.Fprintf(&s, "depends_on = [%q]\n", checkName(p))
		}
		if i == 0 && c.variant != 0 {
			fmt.Fprintf(&s, "timeout = \"%ds\"\n", 10+c.variant)
		}
	}
	if parents := (c.edges + fanOut - 1) / fanOut; c.edges > 0 && parents+c.edges > c.checks {
		return "", fmt.Errorf("%d depends_on edges need %d checks, not %d", c.edges, parents+c.edges, c.checks)
	}
	path := dir + "/heat.toml"
	return path, os.WriteFile(path, []byte(s.String()), 0o644)
}
