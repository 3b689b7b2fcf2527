package heatctl

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// heatctl -version prints its version and asks no heatd; -h says in its
// first line what heatctl is.
func TestVersionAndHelp(t *testing.T) {
	for _, c := range []struct {
		args  []string
		first string
	}{
		{[]string{"-version"}, "heatctl dev"},
		{[]string{"--version"}, "heatctl dev"},
		{[]string{"-s", "/nonexistent/heatd.sock", "-version", "status"}, "heatctl dev"},
		{[]string{"-h"}, "heatctl asks a running heatd for the state of its checks, to reload, to pause, resume or run checks, or to take a job's beat."},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), "dev", c.args, &stdout, &stderr)
		if first, _, _ := strings.Cut(stdout.String(), "\n"); code != exitOK || first != c.first || stderr.Len() != 0 {
			t.Errorf("heatctl %q: exit %d, stdout %q, stderr %q; want exit 0 and %q", c.args, code, stdout.String(), stderr.String(), c.first)
		}
	}
	if _, err := parseArgs([]string{"-version=1"}); err == nil {
		t.Error("-version=1 was accepted")
	}
}
