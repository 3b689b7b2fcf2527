package systemd

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// show is `systemctl show` of heatd's properties.
func (h *harness) show(t *testing.T, props ...string) map[string]string {
	t.Helper()
	return h.showUnit(t, "heatd", props...)
}

// showUnit is `systemctl show` of a unit's properties.
func (h *harness) showUnit(t *testing.T, unit string, props ...string) map[string]string {
	t.Helper()
	args := []string{"systemctl", "show", unit + ".service"}
	for _, p := range props {
		args = append(args, "-p", p)
	}
	m := map[string]string{}
	for _, line := range strings.Split(h.c.must(t, args...), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

// poll calls cond every 100 ms until it holds, or fails the test after
// timeout with what cond saw last.
func (h *harness) poll(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, seen := cond()
		if ok {
			return true
		}
		if time.Now().After(deadline) {
			t.Errorf("no %s after %v; last seen: %s", what, timeout, seen)
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitStatus waits for a StatusText counting n checks, whose counts add up.
func (h *harness) waitStatus(t *testing.T, n int) {
	t.Helper()
	h.poll(t, 10*time.Second, fmt.Sprintf(`StatusText "%d checks: H healthy, F failing, R recovering"`, n), func() (bool, string) {
		s := h.show(t, "StatusText")["StatusText"]
		m := statusRE.FindStringSubmatch(s)
		if m == nil {
			return false, fmt.Sprintf("%q", s)
		}
		var total, healthy, failing, recovering int
		fmt.Sscan(m[1]+" "+m[2]+" "+m[3]+" "+m[4], &total, &healthy, &failing, &recovering)
		return total == n && healthy+failing+recovering == n, fmt.Sprintf("%q", s)
	})
}

// waitRunning waits until heatd is active and running: after a reload, its
// READY=1 has come.
func (h *harness) waitRunning(t *testing.T) {
	t.Helper()
	h.poll(t, 10*time.Second, "heatd active/running", func() (bool, string) {
		p := h.show(t, "ActiveState", "SubState")
		return p["ActiveState"] == "active" && p["SubState"] == "running", fmt.Sprint(p)
	})
}

// waitEvent waits for an event msg of check ("" for heatd's own) for which
// ok (if given) holds.
func (h *harness) waitEvent(t *testing.T, msg, check string, ok func(event) bool) {
	t.Helper()
	h.poll(t, 15*time.Second, fmt.Sprintf("%s event for %q in the journal", msg, check), func() (bool, string) {
		evs := h.events(t)
		found := evs.find(msg, check)
		return evs.has(msg, check, ok), fmt.Sprintf("%d such events: %v", len(found), found)
	})
}

// waitProcess waits for exactly one process in the container whose command
// line is cmd, and returns its pid.
func (h *harness) waitProcess(t *testing.T, cmd string) string {
	t.Helper()
	var pids []string
	h.poll(t, 10*time.Second, fmt.Sprintf("one process %q", cmd), func() (bool, string) {
		pids = h.pgrep(t, cmd)
		return len(pids) == 1, fmt.Sprint(pids)
	})
	if len(pids) != 1 {
		t.FailNow()
	}
	return pids[0]
}

// pgrep is the pids, in the container, of the processes whose command line
// is exactly cmd.
func (h *harness) pgrep(t *testing.T, cmd string) []string {
	t.Helper()
	return strings.Fields(h.c.must(t, "sh", "-c", `pgrep -x -f "$1" || true`, "sh", cmd))
}

// watchdogTimeouts counts systemd's watchdog timeouts of heatd.
func (h *harness) watchdogTimeouts(t *testing.T) int {
	t.Helper()
	out := h.c.must(t, "journalctl", "-u", "heatd.service", "-o", "cat", "--no-pager")
	return strings.Count(out, "Watchdog timeout")
}

// event is one of heatd's JSON events.
type event map[string]any

func (e event) str(key string) string { s, _ := e[key].(string); return s }

func (e event) num(key string) float64 { f, _ := e[key].(float64); return f }

// events are what heatd wrote to the journal: its events, and by pid the
// lines that were not JSON events.
type events struct {
	all     []event
	notJSON map[string][]string
}

// find is the events msg of check ("" for any).
func (evs events) find(msg, check string) []event {
	var found []event
	for _, e := range evs.all {
		if e.str("msg") == msg && (check == "" || e.str("check") == check) {
			found = append(found, e)
		}
	}
	return found
}

// has says whether an event msg of check satisfies ok (any, if ok is nil).
func (evs events) has(msg, check string, ok func(event) bool) bool {
	for _, e := range evs.find(msg, check) {
		if ok == nil || ok(e) {
			return true
		}
	}
	return false
}

// events reads heatd's lines from the journal: those of heatd.service
// whose identifier is heatd (systemd's own lines about the unit are not).
func (h *harness) events(t *testing.T) events {
	t.Helper()
	out := h.c.must(t, "journalctl", "-u", "heatd.service", "-o", "json", "--no-pager",
		"--output-fields=MESSAGE,SYSLOG_IDENTIFIER,_PID")
	evs := events{notJSON: map[string][]string{}}
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		var entry struct {
			Message    any    `json:"MESSAGE"`
			Identifier string `json:"SYSLOG_IDENTIFIER"`
			PID        string `json:"_PID"`
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("journalctl -o json: %v: %s", err, line)
		}
		if entry.Identifier != "heatd" {
			continue
		}
		msg, _ := entry.Message.(string) // journald gives non-UTF-8 text as an array
		var e event
		if err := json.Unmarshal([]byte(msg), &e); err != nil || e.str("msg") == "" {
			evs.notJSON[entry.PID] = append(evs.notJSON[entry.PID], fmt.Sprint(entry.Message))
			continue
		}
		evs.all = append(evs.all, e)
	}
	return evs
}
