package heat

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// heat -version prints its version on stdout and runs nothing; -h says in
// its first line what heat is.
func TestVersionAndHelp(t *testing.T) {
	for _, c := range []struct {
		args  []string
		first string
	}{
		{[]string{"-version"}, "heat dev"},
		{[]string{"--version"}, "heat dev"},
		{[]string{"-i", "5", "-version"}, "heat dev"},
		{[]string{"-h"}, "heat runs one health check in the foreground with HEAT's options and output."},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), "dev", c.args, &stdout, &stderr)
		if first, _, _ := strings.Cut(stdout.String(), "\n"); code != 0 || first != c.first || stderr.Len() != 0 {
			t.Errorf("heat %q: exit %d, stdout %q, stderr %q; want exit 0 and %q", c.args, code, stdout.String(), stderr.String(), c.first)
		}
	}
	// After the command's first word, -version is the command's.
	o, err := parseArgs([]string{"mytool", "-version"})
	if err != nil || o.version || o.command != "mytool -version" {
		t.Errorf("parseArgs(mytool -version) = %+v, %v", o, err)
	}
}
