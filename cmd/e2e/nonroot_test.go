package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nonrootHint is what heatd and heatd -t say, run by a user other than
// root with no control_socket set: the default socket's folder needs root,
// and how to set another (the words between depend on whether /run/heatd
// is there).
func nonrootHint(config string) (start, end string) {
	return config + `: [daemon] key "control_socket": /run/heatd/heatd.sock, the default, needs root: uid 65534 cannot `,
		`; set control_socket in [daemon] to a path this user can write, such as control_socket = "heatd.sock" (beside ` +
			config + `), which heatctl -c ` + config + ` finds`
}

// stateHint is the warning of heatd -t, run by a user other than root
// with no state_file set, that the default state file's folder needs root.
func stateHint(config string) string {
	return config + `: [daemon] key "state_file": /var/lib/heatd/state.json, the default, needs root: uid 65534 cannot `
}

// readmeNonRootConfig is the README's configuration for a user other than
// root: the first TOML block after the sentence that introduces it.
func readmeNonRootConfig(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "A configuration for a user other than root")
	if ok {
		_, after, ok = strings.Cut(after, "```toml\n")
	}
	block, _, closed := strings.Cut(after, "```")
	if !ok || !closed {
		t.Fatal("README.md has no TOML block after \"A configuration for a user other than root\"")
	}
	return block
}

// runAsNobody runs heatd with args as faultNobody in dir, with
// XDG_RUNTIME_DIR set to runtimeDir ("": unset), to its end.
func runAsNobody(t *testing.T, dir, runtimeDir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := asNobody(heatdCommand(dir, args[len(args)-1]))
	cmd.Args = append(cmd.Args[:1], args...)
	cmd.Env = append(cmd.Env, "XDG_RUNTIME_DIR="+runtimeDir)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// A config that leaves control_socket at its default, run by a user other
// than root: heatd -t warns that the default control socket needs root and
// says how to set another, and still exits 0; heatd itself fails at start
// with the same words after the system's. The README's config for such a
// user passes heatd -t with nothing to say, runs, answers heatctl -c, and
// stops cleanly.
func TestNonRootControlSocket(t *testing.T) {
	requireRoot(t, "to run heatd as another user")
	dir := nobodysDir(t)
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, "[daemon]\nlog_dir = \"log\"\n\n[check.web]\ncommand = \"true\"\n")
	start, end := nonrootHint(config)

	stdout, stderr, code := runAsNobody(t, dir, "", "-t", "-c", config)
	if code != 0 || stdout != "config OK: 1 check\n" {
		t.Errorf("heatd -t: exit %d, stdout %q; want 0 and config OK", code, stdout)
	}
	socket, state, _ := strings.Cut(stderr, "\n")
	if !strings.HasPrefix(socket, "warning: "+start) || !strings.HasSuffix(socket, end) {
		t.Errorf("heatd -t: stderr\n%s\nwant first: warning: %s...%s", stderr, start, end)
	}
	// The state file's default needs root too: heatd would run, and
	// ignore it at every start.
	if !strings.HasPrefix(state, "warning: "+stateHint(config)) || strings.Count(state, "\n") != 1 ||
		!strings.HasSuffix(state, `; set state_file in [daemon] to a path this user can write, such as state_file = "heatd.state.json" (beside `+config+`), or "" to keep none`+"\n") {
		t.Errorf("heatd -t: stderr\n%s\nwant second and last: warning: %s...", stderr, stateHint(config))
	}

	// A user's runtime folder, when there is one, is the better place.
	_, stderr, _ = runAsNobody(t, dir, "/run/user/65534", "-t", "-c", config)
	if want := `such as control_socket = "/run/user/65534/heatd.sock", which heatctl -c ` + config + " finds\n"; !strings.Contains(stderr, want) {
		t.Errorf("heatd -t with XDG_RUNTIME_DIR: stderr\n%s\nwant a line ending with %s", stderr, want)
	}

	_, stderr, code = runAsNobody(t, dir, "", "-c", config)
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if code != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], "heatd: control socket /run/heatd/heatd.sock: ") ||
		!strings.HasPrefix(lines[1], "heatd: "+start) || !strings.HasSuffix(lines[1], end) {
		t.Errorf("heatd: exit %d, stderr\n%s\nwant exit 1, the system's error, then heatd: %s...%s", code, stderr, start, end)
	}

	writeConfig(t, config, readmeNonRootConfig(t))
	stdout, stderr, code = runAsNobody(t, dir, "", "-t", "-c", config)
	if code != 0 || stdout != "config OK: 1 check\n" || stderr != "" {
		t.Errorf("heatd -t with control_socket: exit %d, stdout %q, stderr %q; want 0, config OK and nothing on stderr", code, stdout, stderr)
	}
	heatd := launch(t, asNobody(heatdCommand(dir, config)))
	heatd.waitFor("config_loaded", 10*time.Second, true, func(l []string) bool { return count(l, "config_loaded", "") == 1 })
	if _, err := os.Stat(filepath.Join(dir, "heatd.sock")); err != nil {
		t.Errorf("the control socket beside the config: %v", err)
	}
	ctl := asNobody(exec.Command(filepath.Join(bin, "heatctl"), "-c", config, "status"))
	ctl.Dir = dir
	if out, err := ctl.CombinedOutput(); err != nil || !strings.Contains(string(out), "web") {
		t.Errorf("heatctl -c %s status: %v\n%s", config, err, out)
	}
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd stopped with %d, want 0; stderr:\n%s", code, strings.Join(heatd.lines(true), "\n"))
	}
}
