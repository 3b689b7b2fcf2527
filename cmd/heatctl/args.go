package main

import (
	"errors"
	"fmt"
	"strings"
)

// defaultSocket is heatd's default [daemon] control_socket.
const defaultSocket = "/run/heatd/heatd.sock"

const usage = `heatctl asks a running heatd for the state of its checks, or to reload.

usage: heatctl [-s SOCKET | -c FILE] status [--json] [NAME...]
       heatctl [-s SOCKET | -c FILE] reload
       heatctl -version
  -s SOCKET   heatd's control socket (default /run/heatd/heatd.sock)
  -c FILE     the socket that heatd's configuration FILE names ([daemon]
              control_socket), as the unit's ExecReload finds it
  -h          this help
  -version    print the version and exit

  status      one row per check (or per NAME): its state, consecutive failures,
              last result and exit code, last and next run, verified recoveries;
              --json prints heatd's JSON instead
  reload      reload heatd's configuration, as SIGHUP does; wait until it is
              applied and say so, or say why it was rejected (exit status 1)

exit status: 0 success; 1 heatd answered with an error, a NAME is unknown or a
reload was rejected; 2 usage; 3 no heatd answers
`

// cmdline is what heatctl was asked to do.
type cmdline struct {
	socket  string
	config  string   // -c: the socket is the one this file names
	command string   // "status" or "reload"
	json    bool     // status --json
	names   []string // status NAME...
	help    bool
	version bool
}

// parseArgs reads the command line. Options may come before or after the
// command; "--" ends them, so that a check named "-x" can be asked for.
// An option's value follows it as the next word or after "=".
func parseArgs(args []string) (*cmdline, error) {
	cl := &cmdline{socket: defaultSocket}
	socketGiven := false
	var words []string
	options := true
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !options || a == "-" || !strings.HasPrefix(a, "-") {
			words = append(words, a)
			continue
		}
		name, value, joined := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		switch {
		case a == "--":
			options = false
		case (name == "h" || name == "help") && !joined:
			cl.help = true
		case name == "version" && !joined:
			cl.version = true
		case name == "json" && !joined:
			cl.json = true
		case name == "s" || name == "socket":
			if !joined {
				if i+1 == len(args) {
					return nil, fmt.Errorf("%s needs a SOCKET", a)
				}
				i++
				value = args[i]
			}
			if value == "" {
				return nil, errors.New("the SOCKET of -s is empty")
			}
			cl.socket, socketGiven = value, true
		case name == "c" || name == "config":
			if !joined {
				if i+1 == len(args) {
					return nil, fmt.Errorf("%s needs a FILE", a)
				}
				i++
				value = args[i]
			}
			if value == "" {
				return nil, errors.New("the FILE of -c is empty")
			}
			cl.config = value
		default:
			return nil, fmt.Errorf("unknown option %q", a)
		}
	}
	if cl.help || cl.version {
		return cl, nil
	}
	if socketGiven && cl.config != "" {
		return nil, errors.New("-s and -c both name the socket: give one")
	}
	if len(words) == 0 {
		return nil, errors.New("no command: status or reload")
	}
	cl.command = words[0]
	switch cl.command {
	case "status":
		if len(words) > 1 {
			cl.names = words[1:]
		}
	case "reload":
		if len(words) > 1 {
			return nil, fmt.Errorf("reload takes no argument, not %q", words[1])
		}
		if cl.json {
			return nil, errors.New("--json is an option of status")
		}
	case "help":
		cl.help = true
	default:
		return nil, fmt.Errorf("unknown command %q: status or reload", cl.command)
	}
	return cl, nil
}
