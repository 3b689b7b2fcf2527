// Package heatd is the daemon's command line, run by cmd/heatd under any
// name but heat or heatctl: it keeps a host's services healthy, running the
// checks of a TOML file, each on its own schedule, and signalling, failing
// over and recovering as HEAT did. See heatd(8) in the README.
package heatd

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/heatd/heatd/daemon"
	"github.com/heatd/heatd/daemon/config"
)

// Main is heatd run as a program, with its arguments from os.Args; it
// returns the exit status. version is what -version prints and the daemon
// reports, set when the binary is built.
func Main(version string) int {
	return run(version, os.Args[1:], os.Stdout, os.Stderr)
}

func run(version string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("heatd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("c", "/etc/heat.toml", "the configuration `file`")
	test := fs.Bool("t", false, "check the configuration and exit")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "heatd runs many named health checks from a TOML file and recovers what fails.\n\n"+
			"usage: heatd [-c FILE] [-t] [-version]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "heatd: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	switch {
	case *showVersion:
		fmt.Fprintln(stdout, "heatd", version)
		return 0
	case *test:
		cfg, err := config.Load(*path)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		for _, w := range cfg.Warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
		for _, e := range cfg.Unused {
			fmt.Fprintln(stderr, "warning:", e)
		}
		for _, w := range []string{daemon.SocketWarning(cfg), daemon.StateFileWarning(cfg)} {
			if w != "" {
				fmt.Fprintln(stderr, "warning:", w)
			}
		}
		if n := len(cfg.Checks); n == 1 {
			fmt.Fprintln(stdout, "config OK: 1 check")
		} else {
			fmt.Fprintf(stdout, "config OK: %d checks\n", n)
		}
		return 0
	}
	return daemon.Run(context.Background(), *path, version, stderr)
}
