package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A command whose first word starts with "-" or "+" is a command, not an
// option of the shell that runs it: `sh -c -x` would read -x as sh's own
// option and never run it.
func TestCommandStartingLikeAnOption(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"-weird", "+weird"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\necho ran >&2\nexit 7\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"PATH": dir + ":/usr/bin:/bin"}
	for _, c := range []struct {
		command string
		code    int
		stderr  string
	}{
		{"-weird", 7, "ran"},                     // executed directly
		{"-weird >/dev/null", 7, "ran"},          // through the shell
		{"+weird </dev/null", 7, "ran"},          // through the shell
		{"-nothere", 127, "-nothere: not found"}, // the shell says what is wrong
	} {
		spec := Spec{Name: "opt", Probe: Command(c.command), Env: env, Dir: dir}
		r, _ := NewRunner(&spec, os.Environ(), nil)
		res := r.Check(context.Background())
		r.Close()
		if res.Err != nil || res.Code != c.code || !strings.Contains(string(res.Output), c.stderr) {
			t.Errorf("%q: code %d, err %v, stderr %q; want code %d and %q", c.command, res.Code, res.Err, res.Output, c.code, c.stderr)
		}
	}
}
