package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	for _, c := range []struct {
		err  Error
		want string
	}{
		{Error{File: "/etc/heat.toml", Line: 12, Table: "check", Check: "web", Key: "treshold", Msg: `is not known (did you mean "threshold"?)`},
			`/etc/heat.toml:12: check "web": key "treshold" is not known (did you mean "threshold"?)`},
		{Error{File: "/etc/heat.toml", Table: "check", Check: "web", Key: "script", Msg: "must not be empty"},
			`/etc/heat.toml: check "web": key "script": must not be empty`},
		{Error{File: "/etc/heat.toml", Line: 3, Table: "daemon", Key: "log_level", Msg: `must be debug, info, warn or error, not "x"`},
			`/etc/heat.toml:3: [daemon] key "log_level": must be debug, info, warn or error, not "x"`},
		{Error{File: "/etc/heat.toml", Line: 5, Table: "defaults", Key: "interval", Msg: "must be more than 0"},
			`/etc/heat.toml:5: [defaults] key "interval": must be more than 0`},
		{Error{File: "a.toml", Line: 7, Table: "check", Check: "web", Msg: "is defined twice"},
			`a.toml:7: check "web" is defined twice`},
		{Error{File: "a.toml", Line: 1, Table: "daemon", Msg: "must be a table, not a string"},
			`a.toml:1: [daemon]: must be a table, not a string`},
		{Error{File: "a.toml", Line: 2, Key: "colour", Msg: "is not known"},
			`a.toml:2: key "colour" is not known`},
		{Error{File: "a.toml", Msg: "cannot be read: permission denied"},
			`a.toml: cannot be read: permission denied`},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
	es := Errors{{File: "a", Line: 1, Msg: "one"}, {File: "b", Msg: "two"}}
	if got, want := es.Error(), "a:1: one\nb: two"; got != want {
		t.Errorf("Errors.Error() = %q, want %q", got, want)
	}
}

// TestErrorFields: the structured fields say what the text says, for
// callers that want them (heatctl, events).
func TestErrorFields(t *testing.T) {
	_, err := loadAs("testdata/invalid-unknown-key.toml", false)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("Load: %v", err)
	}
	want := Error{File: "testdata/invalid-unknown-key.toml", Line: 4, Table: "check", Check: "web", Key: "treshold",
		Msg: `is not known (did you mean "threshold"?)`}
	if *errs[0] != want {
		t.Errorf("got %+v\nwant %+v", *errs[0], want)
	}
}

func TestMissingFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "heat.toml")
	cfg, err := loadAs(name, false)
	if cfg != nil {
		t.Error("Load returned a config for a missing file")
	}
	want := name + ": cannot be read: no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Errorf("got %T with %d errors, want Errors with one", err, len(errs))
	}
}

func TestMainFileIsDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := loadAs(dir, false)
	if want := dir + ": cannot be read: is a directory"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestScriptsInTempDir covers the executable rules with files made here,
// so modes are what the test says whatever the checkout did to them.
func TestScriptsInTempDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("run.sh", "#!/bin/sh\n", 0o755)
	write("data.txt", "", 0o600)
	if err := os.Symlink("run.sh", filepath.Join(dir, "link.sh")); err != nil {
		t.Fatal(err)
	}
	write("heat.toml", `[check.a]
script = "run.sh"
fail = "link.sh"
recovery = "data.txt"
threshold = 1

[check.b]
script = "."
`, 0o644)
	_, err := loadAs(filepath.Join(dir, "heat.toml"), false)
	got := strings.ReplaceAll(fmtErr(err), dir, "$T")
	want := `$T/heat.toml:4: check "a": key "recovery": "$T/data.txt" is not executable; make it so with chmod +x
$T/heat.toml:8: check "b": key "script": "$T" is a directory; give the path of an executable file`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestControlSocketLength(t *testing.T) {
	for _, n := range []int{maxSocketPath, maxSocketPath + 1} {
		p := "/" + strings.Repeat("s", n-1)
		_, err := parseSocket(p, "/")
		if (err == nil) != (n <= maxSocketPath) {
			t.Errorf("%d bytes: err = %v", n, err)
		}
	}
}

func TestIncludedOrder(t *testing.T) {
	src := &source{name: "testdata/invalid-dup-include.toml"}
	var l loader
	got := l.included(src, []string{"testdata/include/dup/*.toml", "testdata/include/dup/a.toml", "testdata/invalid-dup-include.toml"})
	want := []string{"testdata/include/dup/a.toml", "testdata/include/dup/b.toml"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("included = %q, want %q", got, want)
	}
}

// TestCRLFAndBOM: Windows line ends and a byte order mark move no line.
func TestCRLFAndBOM(t *testing.T) {
	name := filepath.Join(t.TempDir(), "heat.toml")
	text := "\ufeff# edited elsewhere\r\n[check.web]\r\ncommand = \"true\"\r\n\r\ntreshold = 3\r\n"
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := loadAs(name, false)
	want := name + `:5: check "web": key "treshold" is not known (did you mean "threshold"?)`
	if fmtErr(err) != want {
		t.Errorf("got  %s\nwant %s", fmtErr(err), want)
	}
}
