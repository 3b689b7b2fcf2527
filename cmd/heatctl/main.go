// Command heatctl asks a running heatd, through its control socket, for the
// state of its checks, or to reload its configuration; and a job reports to
// its heartbeat check with it. The .deb ships it as a link to heatd, which
// runs the same code when it is called heatctl; this build of it alone is
// for development and tests.
//
//	heatctl [-s SOCKET | -c FILE] status [--json] [NAME...]
//	heatctl [-s SOCKET | -c FILE] reload
//	heatctl [-s SOCKET | -c FILE] beat NAME [--fail CODE] [--message TEXT]
package main

import (
	"os"

	"github.com/heatd/heatd/cmd/internal/heatctl"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(heatctl.Main(version))
}
