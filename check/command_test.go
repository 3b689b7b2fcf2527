package check

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDirectArgv(t *testing.T) {
	for cmd, want := range map[string][]string{
		"curl -sf localhost:8000":   {"curl", "-sf", "localhost:8000"},
		"  /bin/ls\t-l   /tmp  ":    {"/bin/ls", "-l", "/tmp"},
		"./dump -x --y=1 a,b @c %d": {"./dump", "-x", "--y=1", "a,b", "@c", "%d"},
		"pgrep -f server.py":        {"pgrep", "-f", "server.py"},
		"true":                      nil, // builtin
		"test -f x":                 nil,
		"[ -f x ]":                  nil,
		"echo hi":                   nil,
		"exit 3":                    nil,
		"if true; then :; fi":       nil,
		"FOO=bar ./dump":            nil, // an assignment first
		"curl -sf 'localhost'":      nil,
		"echo $HOME":                nil,
		"ls *.log":                  nil,
		"ls ~":                      nil,
		"a | b":                     nil,
		"a > f":                     nil,
		"a && b":                    nil,
		"a; b":                      nil,
		"a & ":                      nil,
		"(a)":                       nil,
		"{ a; }":                    nil,
		"a \\\n b":                  nil,
		"a # comment":               nil,
		"a\nb":                      nil,
		"   ":                       nil,
		"! a":                       nil,
		"`a`":                       nil,
		"a ?":                       nil,
		"a [x]":                     nil,
	} {
		got, ok := directArgv(cmd)
		if ok != (want != nil) || !slices.Equal(got, want) {
			t.Errorf("directArgv(%q) = %q, %v; want %q", cmd, got, ok, want)
		}
	}
}

// The direct way and the shell's must be indistinguishable: the same exit
// code, stderr, arguments, environment and working directory.
func TestDirectExecMatchesTheShell(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	// dump is this test binary, which records how it was run (see
	// TestDumpHelper); a link to it in dir stands for a program.
	if err := os.Symlink(os.Args[0], filepath.Join(dir, "dump")); err != nil {
		t.Fatal(err)
	}
	helper := map[string]string{"HEAT_DUMP_HELPER": "1"}
	write("noshebang", "echo no shebang >&2\nexit 4\n", 0o755)
	write("plain", "#!/bin/sh\nexit 0\n", 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	write("sub/tool", "#!/bin/sh\nenv | sort > \"$1\"\nexit 5\n", 0o755)
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(dir, link)

	for _, c := range []struct {
		name, command string
		env           map[string]string
		dir           string
		direct        bool // goes the direct way
	}{
		{"arguments", "./dump -test.run=TestDumpHelper -- OUT a  b\t-c --d=e f,g", helper, dir, true},
		{"absolute", dir + "/dump -test.run=TestDumpHelper -- OUT x", helper, dir, true},
		{"not found", "no-such-command-x OUT", nil, dir, true},
		{"not executable", "./plain OUT", nil, dir, true},
		{"a folder", "./sub OUT", nil, dir, true},
		{"no #! line", "./noshebang OUT", nil, dir, true},
		{"a failing program", "ls OUT /no/such/file", nil, dir, true},
		{"PATH of the check", "tool OUT", map[string]string{"PATH": dir + "/sub:/usr/bin:/bin"}, dir, true},
		{"working folder through a link", "./dump -test.run=TestDumpHelper -- OUT", helper, link, true},
		{"a builtin", "exit 6", nil, dir, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec := Spec{Name: "eq", Probe: Command(c.command), Env: c.env, Dir: c.dir}
			direct := Command(c.command).Prepare(&spec, os.Environ()).(*commandProber)
			if (direct.argv != nil) != c.direct {
				t.Fatalf("direct = %v, want %v", direct.argv != nil, c.direct)
			}
			shell := Command(c.command).Prepare(&spec, os.Environ()).(*commandProber)
			shell.argv = nil // the shell's way

			// run runs p with OUT standing for a file of its own, and
			// returns what the program wrote there and on stderr, OUT
			// standing for that file again.
			run := func(p *commandProber, out string) (Result, string, string) {
				p.argv = swap(p.argv, "OUT", out)
				p.line = strings.Replace(c.command, "OUT", out, 1)
				res := p.Run(context.Background())
				b, _ := os.ReadFile(out)
				return res, strings.ReplaceAll(string(b), out, "OUT"), strings.ReplaceAll(string(res.Output), out, "OUT")
			}
			d, dOut, dErr := run(direct, filepath.Join(t.TempDir(), "out"))
			s, sOut, sErr := run(shell, filepath.Join(t.TempDir(), "out"))
			if d.Err != nil || s.Err != nil {
				t.Fatalf("errors: %v, %v", d.Err, s.Err)
			}
			if d.Code != s.Code || dErr != sErr {
				t.Errorf("direct: %d %q\nshell:  %d %q", d.Code, dErr, s.Code, sErr)
			}
			if dOut != sOut {
				t.Errorf("what the program saw differs:\ndirect:\n%s\nshell:\n%s", dOut, sOut)
			}
		})
	}
}

// TestDumpHelper is not a test: run by TestDirectExecMatchesTheShell as a
// program, it writes its arguments, working folder and environment to the
// file named by its first argument, says something on stderr and exits 3.
func TestDumpHelper(t *testing.T) {
	if os.Getenv("HEAT_DUMP_HELPER") != "1" {
		t.Skip("run as a program by TestDirectExecMatchesTheShell")
	}
	args := os.Args[slices.Index(os.Args, "--")+1:]
	wd, _ := os.Getwd()
	env := os.Environ()
	slices.Sort(env)
	report := append([]string{os.Args[0]}, args[1:]...)
	report = append(append(report, "cwd="+wd), env...)
	os.WriteFile(args[0], []byte(strings.Join(report, "\n")+"\n"), 0o644)
	os.Stderr.WriteString("on stderr\n")
	os.Exit(3)
}

func swap(argv []string, from, to string) []string {
	out := slices.Clone(argv)
	for i := range out {
		out[i] = strings.Replace(out[i], from, to, 1)
	}
	return out
}
