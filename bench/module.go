package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// benchModule is heatbench's own module path: heatd's source tree holds it
// in bench/.
const benchModule = "github.com/heatd/heatd/bench"

// heatdModule is the folder of the heatd module that heatbench measures
// when no -heatd is given: the folder above bench/. heatbench is a module
// of its own so that the product's `go test ./...` leaves it out; it builds
// heatd there, by heatd's own go.mod, rather than requiring heatd's module,
// so that its go.sum holds only what heatbench itself imports.
func heatdModule(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, goTool(), "list", "-m", "-f", "{{.Path}} {{.Dir}}").Output()
	path, dir, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if err != nil || path != benchModule {
		return "", fmt.Errorf("no heatd to measure: give -heatd, or run heatbench from bench/ in heatd's source tree")
	}
	top := filepath.Dir(dir)
	if _, err := os.Stat(filepath.Join(top, "cmd", "heatd")); err != nil {
		return "", fmt.Errorf("no heatd to measure: give -heatd (%v)", err)
	}
	return top, nil
}
