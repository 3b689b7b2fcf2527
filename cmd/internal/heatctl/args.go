package heatctl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// defaultSocket is heatd's default [daemon] control_socket.
const defaultSocket = "/run/heatd/heatd.sock"

const usage = `heatctl asks a running heatd for the state of its checks, to reload, or to take a job's beat.

usage: heatctl [-s SOCKET | -c FILE] status [--json] [NAME...]
       heatctl [-s SOCKET | -c FILE] reload
       heatctl [-s SOCKET | -c FILE] beat NAME [--fail CODE] [--message TEXT]
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
  beat        report to the heartbeat check NAME that its job ran; with --fail,
              that it failed with exit code CODE (1-255), which the check's next
              run fails with, --message TEXT going to its heat log

exit status: 0 success; 1 heatd answered with an error, a NAME is unknown or
not a heartbeat check, or a reload was rejected; 2 usage; 3 no heatd answers
`

// cmdline is what heatctl was asked to do.
type cmdline struct {
	socket  string
	config  string   // -c: the socket is the one this file names
	command string   // "status", "reload" or "beat"
	json    bool     // status --json
	names   []string // status NAME..., beat NAME
	help    bool
	version bool
	fail    int    // beat --fail CODE, 1 to 255; 0: the job ran well
	message string // beat --message TEXT
	// hasMessage: --message was given (an empty TEXT too)
	hasMessage bool
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
		case optionValue[name] != "":
			if !joined {
				if i+1 == len(args) {
					return nil, fmt.Errorf("%s needs %s", a, optionValue[name])
				}
				i++
				value = args[i]
			}
			if err := cl.set(name, value); err != nil {
				return nil, err
			}
			socketGiven = socketGiven || name == "s" || name == "socket"
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
		return nil, errors.New("no command: " + commands)
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
	case "beat":
		if len(words) != 2 {
			return nil, errors.New("beat takes one NAME, the heartbeat check's")
		}
		cl.names = words[1:]
		if cl.hasMessage && cl.fail == 0 {
			return nil, errors.New("--message goes with --fail: it says how the job failed")
		}
	case "help":
		cl.help = true
	default:
		return nil, fmt.Errorf("unknown command %q: %s", cl.command, commands)
	}
	if cl.json && cl.command != "status" {
		return nil, errors.New("--json is an option of status")
	}
	if (cl.fail != 0 || cl.hasMessage) && cl.command != "beat" {
		return nil, errors.New("--fail and --message are options of beat")
	}
	return cl, nil
}

// commands are heatctl's commands, as a usage error lists them.
const commands = "status, reload or beat"

// optionValue names the value of each option that takes one.
var optionValue = map[string]string{"s": "a SOCKET", "socket": "a SOCKET", "c": "a FILE", "config": "a FILE",
	"fail": "a CODE", "message": "a TEXT"}

// set records the value of the option name.
func (cl *cmdline) set(name, value string) error {
	switch name {
	case "s", "socket":
		if value == "" {
			return errors.New("the SOCKET of -s is empty")
		}
		cl.socket = value
	case "c", "config":
		if value == "" {
			return errors.New("the FILE of -c is empty")
		}
		cl.config = value
	case "fail":
		code, err := strconv.Atoi(value)
		if err != nil || code < 1 || code > 255 {
			return fmt.Errorf("--fail takes the failed job's exit code, from 1 to 255, not %q", value)
		}
		cl.fail = code
	case "message":
		cl.message, cl.hasMessage = value, true
	}
	return nil
}
