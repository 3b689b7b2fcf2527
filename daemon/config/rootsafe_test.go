package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// nobody is the user other than root that the trees below give files to.
const nobody = 65534

// rootConfig is the main file of every tree; %EXTRA% is line 5 and %SCRIPT%
// the web check's script, so the lines below are the same in every case.
const rootConfig = `[daemon]
include = ["heat.d/*.toml"]
log_dir = "logs"
control_socket = "heatd.sock"
%EXTRA%
[defaults]
recovery = "bin/recover"
threshold = 3

[check.web]
script = "%SCRIPT%"
fail = "bin/fail"
pidfile = "run/web.pid"
signal = "USR1"
`

// tree is a configuration made for one test, in a folder of its own, with
// modes and owners set for real.
type tree struct {
	t   *testing.T
	dir string
}

// newTree makes the tree every case starts from: nothing in it is wrong.
func newTree(t *testing.T, extra, script string) tree {
	t.Helper()
	tr := tree{t: t, dir: t.TempDir()}
	if problems, _ := walk(tr.dir); os.Geteuid() == 0 && len(problems) > 0 {
		t.Skipf("the test's own folder %s is not root-safe, so no case could pass: %s", tr.dir, problems)
	}
	for _, d := range []string{"bin", "heat.d", "run"} {
		tr.folder(d, 0o755, 0)
	}
	for _, f := range []string{"bin/check", "bin/fail", "bin/recover"} {
		tr.file(f, 0o755, 0)
	}
	tr.write("run/web.pid", "4242\n", 0o644, 0)
	tr.write("heat.d/db.toml", "[check.db]\ncommand = \"true\"\n", 0o644, 0)
	if script == "" {
		script = "bin/check"
	}
	text := strings.NewReplacer("%EXTRA%", extra, "%SCRIPT%", script).Replace(rootConfig)
	tr.write("heat.toml", text, 0o644, 0)
	return tr
}

func (tr tree) path(name string) string { return filepath.Join(tr.dir, name) }

// set gives name its mode, whatever the umask did, and, as root, its
// owner.
func (tr tree) set(name string, mode os.FileMode, uid int) {
	tr.t.Helper()
	if err := os.Chmod(tr.path(name), mode); err != nil {
		tr.t.Fatal(err)
	}
	tr.chown(name, uid)
}

func (tr tree) chown(name string, uid int) {
	tr.t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	if err := os.Lchown(tr.path(name), uid, -1); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr tree) read(name string) string {
	tr.t.Helper()
	data, err := os.ReadFile(tr.path(name))
	if err != nil {
		tr.t.Fatal(err)
	}
	return string(data)
}

func (tr tree) write(name, text string, mode os.FileMode, uid int) {
	tr.t.Helper()
	if err := os.WriteFile(tr.path(name), []byte(text), 0o600); err != nil {
		tr.t.Fatal(err)
	}
	tr.set(name, mode, uid)
}

// file is an executable script.
func (tr tree) file(name string, mode os.FileMode, uid int) {
	tr.t.Helper()
	tr.write(name, "#!/bin/sh\n", mode, uid)
}

func (tr tree) folder(name string, mode os.FileMode, uid int) {
	tr.t.Helper()
	if err := os.MkdirAll(tr.path(name), 0o700); err != nil {
		tr.t.Fatal(err)
	}
	tr.set(name, mode, uid)
}

// link makes name a link to target, owned by uid.
func (tr tree) link(name, target string, uid int) {
	tr.t.Helper()
	if err := os.Symlink(target, tr.path(name)); err != nil {
		tr.t.Fatal(err)
	}
	tr.chown(name, uid)
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("root safety is tested as root, with files chowned for real; run the tests as root to cover it")
	}
}

// TestRootSafety loads trees with one thing wrong, as root, and compares
// the whole error text; $D is the tree's folder.
func TestRootSafety(t *testing.T) {
	needRoot(t)
	for _, c := range []struct {
		name   string
		extra  string // line 5 of the main file
		script string // the web check's script; "" for bin/check
		setup  func(tr tree)
		want   string
	}{
		{name: "nothing wrong"},
		{
			name:  "group-writable script",
			setup: func(tr tree) { tr.set("bin/check", 0o775, 0) },
			want:  `$D/heat.toml:11: check "web": key "script": $D/bin/check is writable by group or others: chmod go-w $D/bin/check`,
		},
		{
			name:  "world-writable config",
			setup: func(tr tree) { tr.set("heat.toml", 0o646, 0) },
			want:  `$D/heat.toml: $D/heat.toml is writable by group or others: chmod go-w $D/heat.toml`,
		},
		{
			name:  "included file owned by another user",
			setup: func(tr tree) { tr.set("heat.d/db.toml", 0o644, nobody) },
			want:  `$D/heat.d/db.toml: $D/heat.d/db.toml is owned by uid 65534, not root: chown root $D/heat.d/db.toml`,
		},
		{
			name:   "script in a world-writable folder",
			script: "drop/check",
			setup: func(tr tree) {
				tr.folder("drop", 0o777, 0)
				tr.file("drop/check", 0o755, 0)
			},
			want: `$D/heat.toml:11: check "web": key "script": $D/drop is writable by others and not sticky: chmod o-w $D/drop`,
		},
		{
			name:   "script in a sticky world-writable folder, as /tmp",
			script: "shared/check",
			setup: func(tr tree) {
				tr.folder("shared", 0o777|os.ModeSticky, 0)
				tr.file("shared/check", 0o755, 0)
			},
		},
		{
			// The sticky bit stops others replacing root's file, not the
			// owner replacing their own.
			name:   "another user's script in a sticky folder",
			script: "shared/check",
			setup: func(tr tree) {
				tr.folder("shared", 0o777|os.ModeSticky, 0)
				tr.file("shared/check", 0o755, nobody)
			},
			want: `$D/heat.toml:11: check "web": key "script": $D/shared/check is owned by uid 65534, not root: chown root $D/shared/check`,
		},
		{
			name:   "script in a folder owned by another user",
			script: "home/bin/check",
			setup: func(tr tree) {
				tr.folder("home/bin", 0o755, 0)
				tr.set("home", 0o755, nobody)
				tr.file("home/bin/check", 0o755, 0)
			},
			want: `$D/heat.toml:11: check "web": key "script": $D/home is owned by uid 65534, not root: chown root $D/home`,
		},
		{
			name:   "symlinked script whose target is writable",
			script: "bin/link",
			setup: func(tr tree) {
				tr.folder("real", 0o755, 0)
				tr.file("real/check", 0o777, 0)
				tr.link("bin/link", "../real/check", 0)
			},
			want: `$D/heat.toml:11: check "web": key "script": $D/bin/link resolves to $D/real/check; $D/real/check is writable by group or others: chmod go-w $D/real/check`,
		},
		{
			name:   "symlinked script whose target's folder is world-writable",
			script: "bin/link",
			setup: func(tr tree) {
				tr.folder("drop", 0o777, 0)
				tr.file("drop/check", 0o755, 0)
				tr.link("bin/link", tr.path("drop/check"), 0)
			},
			want: `$D/heat.toml:11: check "web": key "script": $D/bin/link resolves to $D/drop/check; $D/drop is writable by others and not sticky: chmod o-w $D/drop`,
		},
		{
			name:   "symlinked folder on the way",
			script: "scripts/check",
			setup: func(tr tree) {
				tr.folder("drop", 0o777, 0)
				tr.file("drop/check", 0o755, 0)
				tr.link("scripts", "drop", 0)
			},
			want: `$D/heat.toml:11: check "web": key "script": $D/scripts/check resolves to $D/drop/check; $D/drop is writable by others and not sticky: chmod o-w $D/drop`,
		},
		{
			// Its owner may remove and remake the link in a sticky folder.
			name:   "another user's link in a sticky folder",
			script: "shared/check",
			setup: func(tr tree) {
				tr.folder("shared", 0o777|os.ModeSticky, 0)
				tr.link("shared/check", tr.path("bin/check"), nobody)
			},
			want: `$D/heat.toml:11: check "web": key "script": $D/shared/check resolves to $D/bin/check; $D/shared/check is a link owned by uid 65534, not root: chown -h root $D/shared/check`,
		},
		{
			name:  "recovery in [defaults], reported there once",
			setup: func(tr tree) { tr.set("bin/recover", 0o757, nobody) },
			want: `$D/heat.toml:7: [defaults] key "recovery": $D/bin/recover is writable by group or others: chmod go-w $D/bin/recover
$D/heat.toml:7: [defaults] key "recovery": $D/bin/recover is owned by uid 65534, not root: chown root $D/bin/recover`,
		},
		{
			name:  "fail",
			setup: func(tr tree) { tr.set("bin/fail", 0o775, 0) },
			want:  `$D/heat.toml:12: check "web": key "fail": $D/bin/fail is writable by group or others: chmod go-w $D/bin/fail`,
		},
		{
			name:  "world-writable pidfile",
			setup: func(tr tree) { tr.set("run/web.pid", 0o666, 0) },
			want:  `$D/heat.toml:13: check "web": key "pidfile": $D/run/web.pid is writable by others: chmod o-w $D/run/web.pid`,
		},
		{
			// The rule's words are "writable by others": a service's
			// own group may write its pidfile, as many services do.
			name: "group-writable pidfile of another user, in its folder",
			setup: func(tr tree) {
				tr.set("run", 0o775, nobody)
				tr.set("run/web.pid", 0o664, nobody)
			},
		},
		{
			// ln -s /run/sshd.pid t && mv -T t web.pid, by the service's user.
			name: "pidfile: another user's link",
			setup: func(tr tree) {
				tr.write("run/root.pid", "1\n", 0o644, 0)
				os.Remove(tr.path("run/web.pid"))
				tr.link("run/web.pid", "root.pid", nobody)
			},
			want: `$D/heat.toml:13: check "web": key "pidfile": $D/run/web.pid is a symbolic link owned by uid 65534, not root, ` +
				`and heatd reads a pidfile through no link that a user other than root could have placed: ` +
				`name the pidfile by a path without that link`,
		},
		{
			name: "pidfile: root's link in another user's folder",
			setup: func(tr tree) {
				tr.set("run", 0o755, nobody)
				tr.write("run/root.pid", "1\n", 0o644, 0)
				os.Remove(tr.path("run/web.pid"))
				tr.link("run/web.pid", "root.pid", 0)
			},
			want: `$D/heat.toml:13: check "web": key "pidfile": $D/run/web.pid is a symbolic link in $D/run, which uid 65534 owns, ` +
				`and heatd reads a pidfile through no link that a user other than root could have placed: ` +
				`name the pidfile by a path without that link`,
		},
		{
			name: "pidfile: another user's folder swapped for a link",
			setup: func(tr tree) {
				tr.folder("real", 0o755, 0)
				tr.write("real/web.pid", "1\n", 0o644, 0)
				os.RemoveAll(tr.path("run"))
				tr.link("run", "real", nobody)
			},
			want: `$D/heat.toml:13: check "web": key "pidfile": $D/run is a symbolic link owned by uid 65534, not root, ` +
				`and heatd reads a pidfile through no link that a user other than root could have placed: ` +
				`name the pidfile by a path without that link`,
		},
		{
			name: "pidfile: root's link in root's folder, as /var/run -> /run",
			setup: func(tr tree) {
				tr.folder("real", 0o755, 0)
				tr.write("real/web.pid", "1\n", 0o644, 0)
				os.RemoveAll(tr.path("run"))
				tr.link("run", "real", 0)
			},
		},
		{
			name: "pidfile: root's link to a world-writable pidfile",
			setup: func(tr tree) {
				tr.write("run/real.pid", "1\n", 0o666, 0)
				os.Remove(tr.path("run/web.pid"))
				tr.link("run/web.pid", "real.pid", 0)
			},
			want: `$D/heat.toml:13: check "web": key "pidfile": $D/run/web.pid resolves to $D/run/real.pid; ` +
				`$D/run/real.pid is writable by others: chmod o-w $D/run/real.pid`,
		},
		{
			// chmod o-w would be no fix: a device is not a pidfile.
			name: "pidfile: a device",
			setup: func(tr tree) {
				os.Remove(tr.path("run/web.pid"))
				tr.link("run/web.pid", "/dev/zero", 0)
			},
			want: `$D/heat.toml:13: check "web": key "pidfile": $D/run/web.pid resolves to /dev/zero; ` +
				`/dev/zero is not a regular file: a pidfile is a regular file holding a pid`,
		},
		{
			name:  "log_dir owned by another user",
			setup: func(tr tree) { tr.folder("logs", 0o755, nobody) },
			want:  `$D/heat.toml:3: [daemon] key "log_dir": $D/logs is owned by uid 65534, not root: chown root $D/logs`,
		},
		{
			name:  "log_dir writable by others",
			setup: func(tr tree) { tr.folder("logs", 0o777, 0) },
			want:  `$D/heat.toml:3: [daemon] key "log_dir": $D/logs is writable by others and not sticky: chmod o-w $D/logs`,
		},
		{
			name: "log_dir: another user's link",
			setup: func(tr tree) {
				tr.folder("real", 0o755, 0)
				tr.link("logs", "real", nobody)
			},
			want: `$D/heat.toml:3: [daemon] key "log_dir": $D/logs resolves to $D/real; ` +
				`$D/logs is a link owned by uid 65534, not root: chown -h root $D/logs`,
		},
		{
			name: "log_dir in a folder of another user's, not made yet",
			setup: func(tr tree) {
				tr.folder("home", 0o755, nobody)
				tr.write("heat.toml", strings.Replace(tr.read("heat.toml"), `log_dir = "logs"`, `log_dir = "home/logs"`, 1), 0o644, 0)
			},
			want: `$D/heat.toml:3: [daemon] key "log_dir": $D/home is owned by uid 65534, not root: chown root $D/home`,
		},
		{
			name: "a heat_log's folder owned by another user",
			setup: func(tr tree) {
				tr.folder("svc", 0o755, nobody)
				tr.write("heat.d/db.toml", "[check.db]\ncommand = \"true\"\nheat_log = \"../svc/db.log\"\n", 0o644, 0)
			},
			want: `$D/heat.d/db.toml:3: check "db": key "heat_log": $D/svc is owned by uid 65534, not root: chown root $D/svc`,
		},
		{
			name: "a heat_log in a sticky folder, as /tmp",
			setup: func(tr tree) {
				tr.folder("shared", 0o777|os.ModeSticky, 0)
				tr.write("heat.d/db.toml", "[check.db]\ncommand = \"true\"\nheat_log = \"../shared/db.log\"\n", 0o644, 0)
			},
		},
		{
			name:  "missing pidfile",
			setup: func(tr tree) { os.Remove(tr.path("run/web.pid")) },
		},
		{
			name:   "a path the fix must quote",
			script: "my scripts/check",
			setup: func(tr tree) {
				tr.folder("my scripts", 0o777, 0)
				tr.file("my scripts/check", 0o755, 0)
			},
			want: `$D/heat.toml:11: check "web": key "script": $D/my scripts is writable by others and not sticky: chmod o-w '$D/my scripts'`,
		},
		{
			name:  "with every other error",
			extra: `log_levl = "debug"`,
			setup: func(tr tree) {
				tr.set("heat.toml", 0o664, 0)
				tr.set("bin/check", 0o755, nobody)
				tr.set("run/web.pid", 0o646, 0)
			},
			want: `$D/heat.toml: $D/heat.toml is writable by group or others: chmod go-w $D/heat.toml
$D/heat.toml:5: [daemon] key "log_levl" is not known (did you mean "log_level"?)
$D/heat.toml:11: check "web": key "script": $D/bin/check is owned by uid 65534, not root: chown root $D/bin/check
$D/heat.toml:13: check "web": key "pidfile": $D/run/web.pid is writable by others: chmod o-w $D/run/web.pid`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newTree(t, c.extra, c.script)
			if c.setup != nil {
				c.setup(tr)
			}
			cfg, err := loadAs(tr.path("heat.toml"), true)
			got := strings.ReplaceAll(fmtErr(err), tr.dir, "$D")
			want := c.want
			if want == "" {
				want = "<nil>"
			}
			if got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
			if cfg == nil {
				return
			}
			if len(cfg.Warnings) > 0 {
				t.Errorf("warnings %q, want none", cfg.Warnings)
			}
			strict := map[string]bool{}
			for _, c := range cfg.Checks {
				strict[c.Name] = c.Target.Strict
				if !c.StrictLog {
					t.Errorf("check %q: StrictLog not set as root", c.Name)
				}
			}
			if want := map[string]bool{"db": false, "web": true}; !reflect.DeepEqual(strict, want) {
				t.Errorf("Target.Strict by check %v, want %v (only a pidfile target is strict)", strict, want)
			}
		})
	}
}

// badTree has something wrong of each kind: as root, owners too.
func badTree(t *testing.T, extra string) tree {
	t.Helper()
	tr := newTree(t, extra, "drop/check")
	tr.set("heat.toml", 0o666, 0)
	tr.set("heat.d/db.toml", 0o666, nobody)
	tr.folder("drop", 0o777, 0)
	tr.file("drop/check", 0o777, 0)
	tr.set("bin/fail", 0o777, 0)
	tr.set("bin/recover", 0o755, nobody)
	tr.set("run/web.pid", 0o666, 0)
	return tr
}

// strict_permissions = false turns it all off, and says so at every load,
// as root or not: heatd -t run by anyone says what heatd run as root does.
func TestRootSafetyOff(t *testing.T) {
	tr := badTree(t, "strict_permissions = false")
	for _, asRoot := range []bool{true, true, false} {
		cfg, err := loadAs(tr.path("heat.toml"), asRoot)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{tr.path("heat.toml") + `:5: [daemon] key "strict_permissions" is false: ` +
			`heatd run as root accepts config files, scripts and pidfiles that other users could change`}
		if !reflect.DeepEqual(cfg.Warnings, want) {
			t.Errorf("warnings\n%q\nwant\n%q", cfg.Warnings, want)
		}
		for _, c := range cfg.Checks {
			if c.Target.Strict || c.StrictLog {
				t.Errorf("check %q: Target.Strict or StrictLog with strict_permissions = false", c.Name)
			}
		}
	}
}

// Not as root, nothing is checked: the rules are root's.
func TestRootSafetyNotRoot(t *testing.T) {
	tr := badTree(t, "")
	cfg, err := loadAs(tr.path("heat.toml"), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) > 0 {
		t.Errorf("warnings %q", cfg.Warnings)
	}
	for _, c := range cfg.Checks {
		if c.Target.Strict || c.StrictLog {
			t.Errorf("check %q: Target.Strict or StrictLog when not root", c.Name)
		}
	}
}

// Load itself asks the system whether heatd runs as root.
func TestLoadChecksAsRoot(t *testing.T) {
	needRoot(t)
	tr := newTree(t, "", "")
	tr.set("bin/check", 0o775, 0)
	_, err := Load(tr.path("heat.toml"))
	if err == nil || !strings.Contains(err.Error(), "is writable by group or others: chmod go-w") {
		t.Errorf("Load as root: %v, want the group-writable script refused", err)
	}
}

// The walk judges real files, not what a link says: a loop of links, a
// dangling link and a file used as a folder end it quietly, for the
// loader's own check of the key says what is wrong.
func TestWalkEnds(t *testing.T) {
	needRoot(t)
	tr := newTree(t, "", "")
	tr.link("loop", "loop", 0)
	tr.link("dangling", "nowhere", 0)
	for _, p := range []string{"loop", "dangling", "bin/check/x", "nowhere/x"} {
		if problems, _ := walk(tr.path(p)); len(problems) > 0 {
			t.Errorf("walk(%s) = %q, want nothing", p, problems)
		}
	}
	tr.link("up", "../"+filepath.Base(tr.dir)+"/bin/../bin/./check", 0)
	if problems, real := walk(tr.path("up")); len(problems) > 0 || real != tr.path("bin/check") {
		t.Errorf("walk(up) = %q, %q; want nothing, %s", problems, real, tr.path("bin/check"))
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"/etc/heat/recover-web": "/etc/heat/recover-web",
		"/srv/a b":              "'/srv/a b'",
		"/srv/it's":             `'/srv/it'\''s'`,
		"/srv/$HOME":            "'/srv/$HOME'",
	} {
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", in, got, want)
		}
	}
}
