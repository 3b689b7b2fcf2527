// Package heatctl is the heatctl command, run by cmd/heatctl and by the
// multi-call heatd under the name heatctl: it asks a running heatd, through
// its control socket, for the state of its checks, to reload its
// configuration, or to pause, resume or run checks; and a job reports to its heartbeat check with it.
//
//	heatctl [-s SOCKET | -c FILE] status [--json] [NAME...]
//	heatctl [-s SOCKET | -c FILE] reload
//	heatctl [-s SOCKET | -c FILE] pause NAME... | --all [--for DURATION] [--reason TEXT]
//	heatctl [-s SOCKET | -c FILE] resume NAME... | --all
//	heatctl [-s SOCKET | -c FILE] run NAME
//	heatctl [-s SOCKET | -c FILE] beat NAME [--fail CODE] [--message TEXT]
package heatctl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/heatd/heatd/daemon/config"
	"github.com/heatd/heatd/daemon/control"
)

// Exit statuses, as the README gives them.
const (
	exitOK          = 0
	exitAnswer      = 1 // heatd answered with an error, or rejected a reload
	exitUsage       = 2
	exitUnreachable = 3 // no heatd answered
)

// How long heatctl waits for heatd: a status (or a beat) is read from (or
// written to) memory, so 10 s means heatd is wedged; a reload waits for heatd's own bound (30 s) and a
// little more, so that its verdict, not our impatience, is what is shown.
const (
	statusTimeout = 10 * time.Second
	reloadTimeout = 35 * time.Second
	// runTimeout is heatd's own bound on a run's answer (the run under way
	// first, then the one asked for) and a little more.
	runTimeout = 16 * time.Minute
)

// Main is heatctl run as a program, with its arguments from os.Args; it
// returns the exit status. version is what -version prints, set when the
// binary is built.
func Main(version string) int {
	return run(context.Background(), version, os.Args[1:], os.Stdout, os.Stderr)
}

// run is heatctl with its arguments and output; it returns the exit status.
func run(ctx context.Context, version string, args []string, stdout, stderr io.Writer) int {
	cl, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "heatctl: %v\n%s", err, usage)
		return exitUsage
	}
	if cl.help {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if cl.version {
		fmt.Fprintln(stdout, "heatctl", version)
		return exitOK
	}
	socket, unread := cl.socket, error(nil)
	if cl.config != "" {
		if socket, unread = config.ControlSocket(cl.config); unread != nil {
			// A file heatd cannot read either: the reload is still asked
			// of the heatd at the default socket, which rejects it and
			// says why, as a SIGHUP would have it.
			socket = defaultSocket
		}
	}
	c := control.Dial(socket)
	var code int
	switch cl.command {
	case "reload":
		code = reload(ctx, c, stdout, stderr)
	case "beat":
		code = beat(ctx, c, cl, stderr)
	case "pause", "resume":
		code = pauseResume(ctx, c, cl, stdout, stderr)
	case "run":
		code = runNow(ctx, c, cl.names[0], stdout, stderr)
	default:
		code = status(ctx, c, cl, stdout, stderr)
	}
	switch {
	case code != exitUnreachable || cl.config == "":
	case unread != nil:
		fmt.Fprintf(stderr, "heatctl: the socket was not found in %s, so the default was tried: %v\n", cl.config, unread)
	default:
		// A heatd serves the socket of the file it last applied: one
		// just edited to move the socket names where heatd is not yet.
		fmt.Fprintf(stderr, "heatctl: if %s moved [daemon] control_socket since heatd applied it, "+
			"ask heatd where it listens now (heatctl -s OLD reload), or restart it\n", cl.config)
	}
	return code
}

// status prints the table, or heatd's JSON.
func status(ctx context.Context, c *control.Client, cl *cmdline, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	if cl.json {
		raw, err := c.StatusJSON(ctx, cl.names...)
		if err != nil {
			return failed(stderr, err)
		}
		// As heatd sent it, fields this heatctl does not know included;
		// indented here so the output does not depend on heatd's spacing.
		var out bytes.Buffer
		if err := json.Indent(&out, bytes.TrimSpace(raw), "", "  "); err != nil {
			return failed(stderr, fmt.Errorf("heatd's answer is not JSON: %w", err))
		}
		out.WriteByte('\n')
		stdout.Write(out.Bytes())
		return exitOK
	}
	reply, err := c.Status(ctx, cl.names...)
	if err != nil {
		return failed(stderr, err)
	}
	if len(reply.Checks) == 0 {
		fmt.Fprintln(stdout, "heatd runs no checks")
		return exitOK
	}
	writeTable(stdout, reply.Checks, time.Now())
	return exitOK
}

// reload asks for a reload and prints the verdict.
func reload(ctx context.Context, c *control.Client, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, reloadTimeout)
	defer cancel()
	reply, err := c.Reload(ctx)
	if err != nil {
		return failed(stderr, err)
	}
	if reply.Applied {
		fmt.Fprintln(stdout, "reload applied")
		return exitOK
	}
	fmt.Fprintln(stderr, "reload rejected:")
	for _, e := range reply.Errors {
		fmt.Fprintln(stderr, "  "+e)
	}
	return exitAnswer
}

// beat reports to the heartbeat check, silently when it took the report:
// a cron job's output is mailed to someone.
func beat(ctx context.Context, c *control.Client, cl *cmdline, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	if err := c.Beat(ctx, cl.names[0], control.BeatRequest{FailCode: cl.fail, Message: cl.message}); err != nil {
		return failed(stderr, err)
	}
	return exitOK
}

// pauseResume pauses or resumes the checks, and says which.
func pauseResume(ctx context.Context, c *control.Client, cl *cmdline, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	var done []string
	var until *time.Time
	if cl.command == "pause" {
		reply, err := c.Pause(ctx, control.PauseRequest{Checks: cl.names, All: cl.all,
			ForSeconds: cl.pauseFor.Seconds(), Reason: cl.reason})
		if err != nil {
			return failed(stderr, err)
		}
		done, until = reply.Checks, reply.Until
	} else {
		reply, err := c.Resume(ctx, control.ResumeRequest{Checks: cl.names, All: cl.all})
		if err != nil {
			return failed(stderr, err)
		}
		done = reply.Checks
	}
	line := cl.command + "d " + which(done)
	if until != nil {
		line += " until " + until.Local().Format(time.DateTime+" MST")
	}
	fmt.Fprintln(stdout, line)
	return exitOK
}

// which names the checks a verb acted on: each, or how many when many.
func which(names []string) string {
	switch {
	case len(names) == 0:
		return "no check (heatd runs none)"
	case len(names) > maxNamed:
		return fmt.Sprintf("%d checks", len(names))
	}
	return strings.Join(names, ", ")
}

// maxNamed is how many checks a line names before it counts them instead.
const maxNamed = 10

// runNow runs the check and prints its result, HEAT's way: ok, or the code
// and the first line of stderr.
func runNow(ctx context.Context, c *control.Client, name string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	reply, err := c.Run(ctx, name)
	if err != nil {
		return failed(stderr, err)
	}
	switch reply.Result {
	case "ok":
		fmt.Fprintln(stdout, "ok")
		return exitOK
	case "run_error":
		fmt.Fprintf(stdout, "not run: %s\n", reply.Error)
		return exitAnswer
	}
	fmt.Fprintf(stdout, "failed: exit code %d\n", reply.ExitCode)
	if reply.Output != "" {
		fmt.Fprintln(stdout, reply.Output)
	}
	return exitAnswer
}

// failed reports err and returns its exit status: 3 when no heatd
// answered, with what to do about it; 1 otherwise.
func failed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "heatctl: %v\n", err)
	var u *control.UnreachableError
	if !errors.As(err, &u) {
		return exitAnswer
	}
	if h := hint(u); h != "" {
		fmt.Fprintf(stderr, "heatctl: %s\n", h)
	}
	return exitUnreachable
}

// hint says how to get an answer.
func hint(u *control.UnreachableError) string {
	switch u.Reason {
	case control.Missing:
		return "is heatd running (systemctl status heatd)? If its [daemon] control_socket is elsewhere, give it with -s SOCKET"
	case control.Refused:
		return "heatd is not running (systemctl status heatd), or the socket is not the one it serves: check -s and [daemon] control_socket"
	case control.Denied:
		return "the socket is mode 0660: run heatctl as root, or as a member of the socket's group (ls -l " + u.Socket + ")"
	case control.NoAnswer:
		return "heatd is running but did not answer in time: see its events (journalctl -u heatd)"
	case control.HungUp:
		return "heatd closed the connection: it may be stopping (systemctl status heatd)"
	}
	return ""
}
