package heatd

import (
	"bytes"
	"strings"
	"testing"
)

// heatd -h says in one line what heatd is, then how to call it.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run("dev", []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("heatd -h: exit %d", code)
	}
	lines := strings.Split(stderr.String(), "\n")
	if len(lines) < 3 || lines[0] != "heatd runs many named health checks from a TOML file and recovers what fails." ||
		lines[1] != "" || !strings.HasPrefix(lines[2], "usage: heatd ") {
		t.Errorf("heatd -h:\n%s", stderr.String())
	}
}
