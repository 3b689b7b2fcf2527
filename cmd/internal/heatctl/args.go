package heatctl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heatd/heatd/daemon/config"
)

// defaultSocket is heatd's default [daemon] control_socket.
const defaultSocket = "/run/heatd/heatd.sock"

const usage = `heatctl asks a running heatd for the state of its checks, to reload, to pause, resume or run checks, or to take a job's beat.

usage: heatctl [-s SOCKET | -c FILE] status [--json] [NAME...]
       heatctl [-s SOCKET | -c FILE] reload
       heatctl [-s SOCKET | -c FILE] pause NAME... | --all [--for DURATION] [--reason TEXT]
       heatctl [-s SOCKET | -c FILE] resume NAME... | --all
       heatctl [-s SOCKET | -c FILE] run NAME
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
  pause       the checks (or --all) go on running and reporting but take no step:
              no signal, no script, no recovery (a recovery script under way
              finishes, and nothing follows it); --for DURATION ("30m", or
              seconds) ends the pause by itself; --reason TEXT is shown by
              status and written to the heat log
  resume      end the pause of the checks (or --all), and their giving up; a
              check whose failures reached its threshold starts recovery at once
  run         run the check now, as a scheduled run with every step after it
              (after the run under way, if one is); print ok, or failed: exit
              code N and the first line of its stderr; exit status 1 when it
              failed
  beat        report to the heartbeat check NAME that its job ran; with --fail,
              that it failed with exit code CODE (1-255), which the check's next
              run fails with, --message TEXT going to its heat log

pause, resume, run and reload need root (the caller's uid, as the kernel gives
it to heatd); status and beat need only access to the socket.

exit status: 0 success; 1 heatd answered with an error, a NAME is unknown or
not a heartbeat check, a reload was rejected, a run failed, or the caller is not
root; 2 usage; 3 no heatd answers
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
	all        bool          // pause or resume --all
	pauseFor   time.Duration // pause --for DURATION; 0: until a resume
	reason     string        // pause --reason TEXT
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
		case name == "all" && !joined:
			cl.all = true
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
	case "pause", "resume":
		cl.names = words[1:]
		switch {
		case cl.all && len(cl.names) > 0:
			return nil, fmt.Errorf("%s takes NAME... or --all, not both", cl.command)
		case !cl.all && len(cl.names) == 0:
			return nil, fmt.Errorf("%s takes the NAME of each check, or --all", cl.command)
		}
	case "run":
		if len(words) != 2 {
			return nil, errors.New("run takes one NAME, the check's")
		}
		cl.names = words[1:]
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
	if cl.all && cl.command != "pause" && cl.command != "resume" {
		return nil, errors.New("--all is an option of pause and resume")
	}
	if (cl.pauseFor != 0 || cl.reason != "") && cl.command != "pause" {
		return nil, errors.New("--for and --reason are options of pause")
	}
	return cl, nil
}

// commands are heatctl's commands, as a usage error lists them.
const commands = "status, reload, pause, resume, run or beat"

// optionValue names the value of each option that takes one.
var optionValue = map[string]string{"s": "a SOCKET", "socket": "a SOCKET", "c": "a FILE", "config": "a FILE",
	"fail": "a CODE", "message": "a TEXT", "for": "a DURATION", "reason": "a TEXT"}

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
	case "for":
		d, err := config.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("--for takes how long the pause lasts, a duration such as \"30m\" or a number of seconds above 0, not %q", value)
		}
		cl.pauseFor = d
	case "reason":
		cl.reason = value
	}
	return nil
}
