// Package heat is the heat command, run by cmd/heat and by the multi-call
// heatd under the name heat: HEAT's command line on heatd's engine, one
// check in the foreground, with HEAT's flags, its lines on stdout and its
// ./heat.log.
//
//	heat [options] [--] [COMMAND ARGS...]
package heat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/sys/unix"

	"github.com/heatd/heatd/action"
	"github.com/heatd/heatd/check"
)

const usage = `heat runs one health check in the foreground with HEAT's options and output.

usage: heat [options] [--] [COMMAND ARGS...]
       heat -version
  -i SECONDS                 interval between check starts (default 30)
  -s SCRIPT                  the check is this executable (instead of COMMAND)
  --pid PID                  target process for signals
  --signal SIG               sent to the target on each failure (default HUP with --pid)
  --fail SCRIPT              run on each failure
  --recovery SCRIPT          run after --threshold consecutive failures
  --threshold N              consecutive failures that start recovery
  --recovery-timeout SECONDS recovery verification window
  --fault-signal SIG         sent to the target before each recovery
  --success-signal SIG       sent to the target on verified recovery
  --timeout SECONDS          kill a run that takes longer (default: none)
  -h, --help                 this help
  -version, --version        print the version and exit
`

// stopGrace is how long a run or script under way may finish after SIGINT
// or SIGTERM, as heatd's default shutdown_grace.
const stopGrace = 10 * time.Second

// Main is heat run as a program: its arguments from os.Args, stopped by
// SIGINT or SIGTERM; it returns the exit status. version is what -version
// prints, set when the binary is built.
func Main(version string) int {
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	return run(ctx, version, os.Args[1:], os.Stdout, os.Stderr)
}

func run(ctx context.Context, version string, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "heat: %v\n%s", err, usage)
		return 2
	}
	if o.help {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if o.version {
		fmt.Fprintln(stdout, "heat", version)
		return 0
	}
	spec, code := specOf(o, stdout, stderr)
	if spec == nil {
		return code
	}

	log := zap.New(quietCore{zapcore.NewCore(
		zapcore.NewConsoleEncoder(consoleEncoding()), zapcore.Lock(zapcore.AddSync(stderr)), zap.WarnLevel)})
	runner, missing := check.NewRunner(spec, os.Environ(), nil)
	if missing != nil {
		runner.Close()
		fmt.Fprintf(stderr, "heat: --pid %d: %v\n", o.pid, missing)
		return 1
	}
	defer runner.Close()
	c := check.New(spec, check.Options{Doer: heatLog{runner}, Log: log, OnResult: func(r check.Result) {
		switch {
		case r.Err != nil || r.Interrupted:
		case r.Code == 0:
			fmt.Fprintf(stdout, "%d: OK\n", r.Unix)
		default:
			fmt.Fprintf(stdout, "%d: Failed: Exit Code %d, details in heat.log\n", r.Unix, r.Code)
		}
	}})
	stop(ctx, c)
	return 0
}

// heatLog keeps HEAT's heat.log: the failed runs' stderr lines only,
// without the lines heatd writes into a check's history ("failed: exit
// code N", "recovery verified"), which HEAT users' tools do not expect.
type heatLog struct{ *check.Runner }

// HeatLog writes text, a run's stderr, and drops heatd's own line.
func (h heatLog) HeatLog(unix int64, _ string, text []byte) error {
	return h.Runner.HeatLog(unix, "", text)
}

// stop runs c until ctx ends, then lets what runs finish within stopGrace.
func stop(ctx context.Context, c *check.Check) {
	kill, cancelKill := context.WithCancel(context.Background())
	defer cancelKill()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx, kill)
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		cancelKill()
		<-done
	}
}

// specOf checks o as HEAT did, with HEAT's own messages on stdout, and
// makes the check's Spec. A nil Spec comes with the exit status.
func specOf(o *options, stdout, stderr io.Writer) (*check.Spec, int) {
	fail := func(format string, a ...any) (*check.Spec, int) {
		fmt.Fprintf(stderr, "heat: "+format+"\n", a...)
		return nil, 2
	}
	if o.script != "" && o.command != "" {
		fmt.Fprintln(stdout, "Error: use either script or command")
		return nil, 1
	}
	if o.script == "" && o.command == "" {
		return fail("give a COMMAND or -s SCRIPT\n%s", usage)
	}
	for _, path := range []string{o.script, o.fail, o.recovery} {
		if path != "" && !executable(path) {
			fmt.Fprintf(stdout, "Failed: %s not executable\n", path)
			return nil, 1
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "heat: %v\n", err)
		return nil, 1
	}
	spec := &check.Spec{
		Name:            "heat",
		Interval:        o.interval,
		Timeout:         o.timeout,
		Fail:            o.fail,
		Recovery:        o.recovery,
		Threshold:       o.threshold,
		RecoveryTimeout: o.recoveryTimeout,
		ScriptTimeout:   0, // HEAT waited for its scripts; so does heat
		HeatLog:         filepath.Join(cwd, "heat.log"),
		Dir:             cwd,
		NoWatch:         true, // HEAT ran its check on its interval only
	}
	spec.Probe = check.Command(o.command)
	if o.script != "" {
		spec.Probe = check.Script(o.script)
	}
	if o.recovery != "" && o.threshold == 0 {
		return fail("--recovery needs --threshold: recovery runs after that many failures in a row")
	}
	if o.recoveryTimeout != 0 && o.threshold == 0 {
		return fail("--recovery-timeout needs --threshold")
	}
	if o.pidSet {
		if o.pid <= 0 || o.pid == 1 || o.pid == os.Getpid() {
			fmt.Fprintf(stderr, "heat: --pid %d: not a process heat may signal\n", o.pid)
			return nil, 1
		}
		if err := unix.Kill(o.pid, 0); errors.Is(err, unix.ESRCH) {
			fmt.Fprintf(stderr, "heat: --pid %d: no such process\n", o.pid)
			return nil, 1
		}
		spec.Target.PID = o.pid
		if o.signal == "" {
			o.signal = "HUP" // HEAT's rule: --pid alone sends HUP on each failure
		}
	}
	for _, s := range []struct {
		flag, value string
		sig         *syscall.Signal
	}{{"--signal", o.signal, &spec.Signal}, {"--fault-signal", o.faultSignal, &spec.FaultSignal},
		{"--success-signal", o.successSignal, &spec.SuccessSignal}} {
		if s.value == "" {
			continue
		}
		if !o.pidSet {
			return fail("%s needs --pid: the signal has no process to go to", s.flag)
		}
		sig, err := action.ParseSignal(s.value)
		if err != nil {
			return fail("%s: %v", s.flag, err)
		}
		*s.sig = sig
	}
	return spec, 0
}

// executable is HEAT's os.access(path, X_OK), for a file.
func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && unix.Access(path, unix.X_OK) == nil
}

func consoleEncoding() zapcore.EncoderConfig {
	enc := zap.NewDevelopmentEncoderConfig()
	enc.TimeKey = ""
	enc.CallerKey = ""
	enc.EncodeDuration = zapcore.StringDurationEncoder
	return enc
}

// quietCore leaves out the events that heat's stdout lines already tell.
type quietCore struct{ zapcore.Core }

func (q quietCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if e.Message == "check_failed" || e.Message == "check_timeout" {
		return ce
	}
	return q.Core.Check(e, ce)
}

func (q quietCore) With(f []zap.Field) zapcore.Core { return quietCore{q.Core.With(f)} }
