package systemd

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// stateFile is where the packaged unit's StateDirectory=heatd and heatd's
// default state_file keep what an operator decided.
const stateFile = "/var/lib/heatd/state.json"

// pauseRestart: heatctl pause through the packaged unit holds the web
// check's steps while it fails (its service is stopped, and no recovery
// restarts it), the pause is in the state file and outlives systemctl
// restart heatd, and heatctl resume lets the recovery run at once. A user
// other than root cannot pause: the socket refuses nobody, and a member of
// its group is told that pause needs root.
func (h *harness) pauseRestart(t *testing.T) {
	c := h.c
	h.waitRunning(t)
	if out := c.must(t, "heatctl", "pause", "web", "--reason", "maintenance"); out != "paused web" {
		t.Errorf("heatctl pause web: %q, want \"paused web\"", out)
	}
	h.wantPaused(t, "right after heatctl pause")
	recoveries := len(h.events(t).find("recovery_started", "web"))

	c.must(t, "systemctl", "stop", "heat-test-web")
	h.waitFailures(t, 2)
	h.wantNoRecovery(t, recoveries, "while paused")

	h.wantPauseInStateFile(t)
	before := h.show(t, "MainPID")["MainPID"]
	c.must(t, "systemctl", "restart", "heatd")
	if got := h.show(t, "MainPID")["MainPID"]; got == before || got == "0" {
		t.Fatalf("systemctl restart heatd: MainPID %s→%s", before, got)
	}
	// The state file is read before the first run, and READY=1 comes after:
	// when systemctl returns, the pause is in force.
	h.wantPaused(t, "right after systemctl restart heatd")
	h.waitFailures(t, 2)
	h.wantNoRecovery(t, recoveries, "after the restart")

	recovered := len(h.events(t).find("recovered", "web"))
	if out := c.must(t, "heatctl", "resume", "web"); out != "resumed web" {
		t.Errorf("heatctl resume web: %q, want \"resumed web\"", out)
	}
	h.poll(t, 15*time.Second, "a recovery of web after heatctl resume", func() (bool, string) {
		evs := h.events(t)
		started, done := len(evs.find("recovery_started", "web")), len(evs.find("recovered", "web"))
		active, _ := c.run("systemctl", "is-active", "heat-test-web")
		return started > recoveries && done > recovered && active == "active",
			fmt.Sprintf("heat-test-web %s; recovery_started %d, recovered %d (%d and %d before)", active, started, done, recoveries, recovered)
	})
	if out := c.must(t, "heatctl", "status", "web"); strings.Contains(out, "paused") {
		t.Errorf("heatctl status web after the resume:\n%s", out)
	}
	h.waitRunning(t)

	h.nonRootRefused(t)
}

// wantPaused checks that heatctl status shows web paused by root with its
// reason, in the table and in the JSON.
func (h *harness) wantPaused(t *testing.T, when string) {
	t.Helper()
	out := h.c.must(t, "heatctl", "status", "web")
	if !strings.Contains(out, "web: paused by uid 0: maintenance") || !strings.Contains(out, " paused ") {
		t.Errorf("heatctl status web %s:\n%s\nwant its state paused and the line \"web: paused by uid 0: maintenance\"", when, out)
	}
	var st struct {
		Checks []struct {
			State string `json:"state"`
			Pause *struct {
				Reason string `json:"reason"`
				UID    int    `json:"uid"`
			} `json:"pause"`
		} `json:"checks"`
	}
	js := h.c.must(t, "heatctl", "status", "--json", "web")
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		t.Fatalf("heatctl status --json web: %v\n%s", err, js)
	}
	if c := st.Checks; len(c) != 1 || c[0].State != "paused" || c[0].Pause == nil || c[0].Pause.Reason != "maintenance" || c[0].Pause.UID != 0 {
		t.Errorf("heatctl status --json web %s: %s", when, js)
	}
}

// waitFailures waits for n more failed runs of web than the journal has now.
func (h *harness) waitFailures(t *testing.T, n int) {
	t.Helper()
	from := len(h.events(t).find("check_failed", "web"))
	h.poll(t, 15*time.Second, fmt.Sprintf("%d failed runs of web", n), func() (bool, string) {
		got := len(h.events(t).find("check_failed", "web"))
		return got >= from+n, fmt.Sprintf("%d check_failed events, %d before", got, from)
	})
}

// wantNoRecovery checks that web, failing at threshold 1, took no step: no
// recovery_started since the pause, and its service is still stopped.
func (h *harness) wantNoRecovery(t *testing.T, recoveries int, when string) {
	t.Helper()
	evs := h.events(t)
	if n := len(evs.find("recovery_started", "web")); n != recoveries {
		t.Errorf("%s web's recovery started %d times", when, n-recoveries)
	}
	if got, _ := h.c.run("systemctl", "is-active", "heat-test-web"); got == "active" {
		t.Errorf("%s heat-test-web.service is active again: a recovery restarted it", when)
	}
}

// wantPauseInStateFile checks the state file: web's pause with its reason,
// root's, and no temporary file left beside it (it is written to one and
// renamed).
func (h *harness) wantPauseInStateFile(t *testing.T) {
	t.Helper()
	var doc struct {
		Version int `json:"version"`
		Checks  map[string]struct {
			Paused *struct {
				Reason string `json:"reason"`
				UID    int    `json:"uid"`
			} `json:"paused"`
		} `json:"checks"`
	}
	var text string
	h.poll(t, 10*time.Second, "web's pause in "+stateFile, func() (bool, string) {
		var err error
		text, err = h.c.run("cat", stateFile)
		if err != nil {
			return false, err.Error()
		}
		if err := json.Unmarshal([]byte(text), &doc); err != nil {
			return false, fmt.Sprintf("%v: %s", err, text)
		}
		p := doc.Checks["web"].Paused
		return doc.Version == 1 && p != nil && p.Reason == "maintenance" && p.UID == 0, text
	})
	if got := h.c.must(t, "ls", "-A", "/var/lib/heatd"); got != "state.json" {
		t.Errorf("/var/lib/heatd holds %q, want only state.json", got)
	}
	if got, err := h.c.run("stat", "-c", "%a %U", stateFile); err != nil || got != "640 root" {
		t.Errorf("%s is %q (%v), want 640 root", stateFile, got, err)
	}
}

// nonRootRefused: nobody cannot reach the socket (0660 root:root), and is
// told so and how; once the socket's group is nobody's, status answers and
// pause is refused as needing root. Either way web is not paused.
func (h *harness) nonRootRefused(t *testing.T) {
	c := h.c
	sock := "/run/heatd/heatd.sock"
	if got := c.must(t, "stat", "-c", "%a %U %G", sock); got != "660 root root" {
		t.Errorf("%s is %q, want 660 root root", sock, got)
	}
	out, err := c.run("runuser", "-u", "nobody", "--", "heatctl", "pause", "web")
	if err == nil || !strings.Contains(err.Error(), "exit status 3") ||
		!strings.Contains(err.Error(), "no heatd answers on "+sock+": permission denied") ||
		!strings.Contains(err.Error(), "run heatctl as root, or as a member of the socket's group") {
		t.Errorf("heatctl pause web as nobody: %q, %v; want exit 3, permission denied on the socket and a hint", out, err)
	}

	c.must(t, "chgrp", "nogroup", sock)
	defer c.run("chgrp", "root", sock)
	if out, err := c.run("runuser", "-u", "nobody", "--", "heatctl", "status", "web"); err != nil || !strings.Contains(out, "web") {
		t.Errorf("heatctl status web as nobody, in the socket's group: %q, %v", out, err)
	}
	out, err = c.run("runuser", "-u", "nobody", "--", "heatctl", "pause", "web")
	if err == nil || !strings.Contains(err.Error(), "exit status 1") ||
		!strings.Contains(err.Error(), "pause needs root: you are uid 65534") {
		t.Errorf("heatctl pause web as nobody, in the socket's group: %q, %v; want exit 1 and \"pause needs root: you are uid 65534\"", out, err)
	}
	if out := c.must(t, "heatctl", "status", "web"); strings.Contains(out, "paused") {
		t.Errorf("web is paused after nobody's pause:\n%s", out)
	}
}
