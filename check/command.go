package check

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// A `command` runs as /bin/sh -c COMMAND. Most commands need no shell at
// all ("curl -sf localhost:8000"), and the shell costs a second exec on
// every run: such a command is executed directly, with what the shell would
// have done done here (the README names the commands that
// qualify). Anything the shell would have treated differently (a builtin, a
// command not found, a file that is not a binary) goes to the shell after
// all, so the two ways cannot be told apart.

// Command is a `command = "..."` check: a shell command.
type Command string

// commandKind is the registry's entry for Command.
func commandKind() Kind {
	return Kind{
		Key: Key{Name: "command", Doc: "a shell command, run by `/bin/sh -c`",
			Value: Make(Reader.Text, func(line string) Probe { return Command(line) })},
		Form: `"COMMAND"`,
	}
}

// Kind is the config key of a command check.
func (Command) Kind() string { return "command" }

// Prepare makes the runs of a command check: its words are split once,
// when it needs no shell.
func (c Command) Prepare(spec *Spec, base []string) Prober {
	p := &commandProber{processes: processes{spec: spec, base: base}, line: string(c)}
	if argv, ok := directArgv(p.line); ok {
		p.argv, p.pwd = argv, shellPWD(p.environ(), spec.Dir)
	}
	return p
}

// commandProber runs a command check.
type commandProber struct {
	processes
	line string
	// argv is a command with no shell syntax, run without the shell; nil
	// when the command needs a shell. pwd is the PWD the shell would have
	// exported to it.
	argv []string
	pwd  string
}

// Run runs the command once: directly when it can be, else by the shell.
func (p *commandProber) Run(ctx context.Context) Result {
	if p.argv != nil {
		env := p.environ()
		if path := lookPath(p.argv[0], env, p.spec.Dir); path != "" {
			out := p.run(ctx, path, p.argv, withPWD(env, p.pwd))
			if out.StartErr == nil || !shellWouldRetry(out.StartErr) {
				return result(out)
			}
		}
		// The shell says what is wrong, as it would have.
	}
	// "--": a command starting with - or + is not an option of sh.
	return result(p.run(ctx, "/bin/sh", []string{"sh", "-c", "--", p.line}, p.environ()))
}

// Close has nothing to release.
func (p *commandProber) Close() {}

// shellSyntax are the characters after which a command means something to
// the shell beyond words separated by blanks.
const shellSyntax = "'\"`$*?[~<>|;&(){}\\#\n"

// shellWords are dash's builtins and the shell's reserved words: as a
// command's first word they are not a program in PATH.
var shellWords = map[string]bool{
	".": true, ":": true, "[": true, "alias": true, "bg": true, "break": true, "cd": true,
	"chdir": true, "command": true, "continue": true, "echo": true, "eval": true, "exec": true,
	"exit": true, "export": true, "false": true, "fc": true, "fg": true, "getopts": true,
	"hash": true, "jobs": true, "kill": true, "local": true, "printf": true, "pwd": true,
	"read": true, "readonly": true, "return": true, "set": true, "shift": true, "test": true,
	"times": true, "trap": true, "true": true, "type": true, "ulimit": true, "umask": true,
	"unalias": true, "unset": true, "wait": true,
	"!": true, "case": true, "do": true, "done": true, "elif": true, "else": true, "esac": true,
	"fi": true, "for": true, "if": true, "in": true, "then": true, "until": true, "while": true,
}

// directArgv splits command into the argv a shell would run, when the
// shell would do nothing but split it on blanks: false otherwise.
func directArgv(command string) ([]string, bool) {
	if strings.ContainsAny(command, shellSyntax) {
		return nil, false
	}
	argv := strings.FieldsFunc(command, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(argv) == 0 || shellWords[argv[0]] || strings.Contains(argv[0], "=") {
		return nil, false
	}
	return argv, true
}

// lookPath finds name as the shell would, in the PATH of env; "" when the
// shell should look for itself (and report what it finds, or not).
func lookPath(name string, env []string, dir string) string {
	if strings.Contains(name, "/") {
		return name
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" // dash's default
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "." // an empty PATH entry is the working directory
		}
		p := filepath.Join(d, name)
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && unix.Access(p, unix.X_OK) == nil {
			return p
		}
	}
	return ""
}

// shellWouldRetry reports a direct exec that failed where the shell would
// have gone on differently: it says "not found" (127), "permission denied"
// (126), or runs a file with no #! line as a script.
func shellWouldRetry(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EACCES) ||
		errors.Is(err, syscall.ENOEXEC) || errors.Is(err, syscall.ENOTDIR)
}

// shellPWD is the PWD the shell exports to what it runs: dash sets it to
// the working directory, kept as env gives it when it names that directory,
// else the physical path.
func shellPWD(env []string, dir string) string {
	if dir == "" {
		dir = "."
	}
	wd, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PWD="); ok && samePlace(v, wd) {
			return v
		}
	}
	if real, err := filepath.EvalSymlinks(wd); err == nil {
		wd = real
	}
	return wd
}

// withPWD is env as the shell hands it on: PWD set to pwd.
func withPWD(env []string, pwd string) []string {
	if pwd == "" {
		return env
	}
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PWD=") {
			out = append(out, kv)
		}
	}
	return append(out, "PWD="+pwd)
}

// samePlace reports whether the absolute path a names directory dir.
func samePlace(a, dir string) bool {
	if !filepath.IsAbs(a) {
		return false
	}
	sa, err1 := os.Stat(a)
	sd, err2 := os.Stat(dir)
	return err1 == nil && err2 == nil && os.SameFile(sa, sd)
}
