// Command heatd keeps a host's services healthy: it runs the checks of a
// TOML file, each on its own schedule, and signals, fails over and recovers
// as HEAT did. See heatd(8) in the README.
//
// It is also heat and heatctl: run through a link of either name, it is
// that command. The .deb ships one binary and the two links, since three
// static Go programs would each carry the same runtime, net/http and TLS.
package main

import (
	"os"
	"path/filepath"

	"github.com/heatd/heatd/cmd/internal/heat"
	"github.com/heatd/heatd/cmd/internal/heatctl"
	"github.com/heatd/heatd/cmd/internal/heatd"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(command(filepath.Base(os.Args[0]))(version))
}

// command is the program called name: heat and heatctl by their names,
// heatd by any other, so that a copy renamed (heatd.new, a test's binary)
// is still the daemon.
func command(name string) func(version string) int {
	switch name {
	case "heat":
		return heat.Main
	case "heatctl":
		return heatctl.Main
	}
	return heatd.Main
}
