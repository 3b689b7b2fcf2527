// Command heat is HEAT's command line on heatd's engine: one check in the
// foreground, with HEAT's flags, its lines on stdout and its ./heat.log.
// The .deb ships it as a link to heatd, which runs the same code when it
// is called heat; this build of it alone is for development and tests.
//
//	heat [options] [--] [COMMAND ARGS...]
package main

import (
	"os"

	"github.com/heatd/heatd/cmd/internal/heat"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(heat.Main(version))
}
