package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/heatd/heatd/check"
)

// TestRetainedBytes measures what a Config of ten thousand checks keeps
// for the next load, beside the checks themselves, for as long as it is
// the configuration in force: a Config made by Load (heatd's start) and
// one made by LoadAfter (a reload that changed one check). It is one memo
// a check that kept a sum, 96 bytes in a slice (memo.go): the check's
// name (a copy of its own, some 8 bytes more: a name sliced from the file
// would keep the whole text alive), a SHA-256 of its table's text and
// file, the sum of what it was built from, and the files a reload judges
// again (its scripts and, as root, its pidfile and heat log: one string
// shared by every check that names the same ones, the paths its Spec
// holds not written in it); besides, [daemon]'s and [defaults]' base and
// the names of the files. Neither the text nor the decoded tables are kept: they
// were 549 bytes a check.
func TestRetainedBytes(t *testing.T) {
	const checks = 10000
	path := filepath.Join(t.TempDir(), "heat.toml")
	text := realistic(checks)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	asRoot := false
	load := func() (*Config, error) { return loadAs(path, asRoot) }
	reload := func() (*Config, error) {
		prev, err := loadAs(path, asRoot)
		if err != nil {
			return nil, err
		}
		specs := make(map[string]check.Spec, len(prev.Checks))
		for _, s := range prev.Checks {
			specs[s.Name] = s
		}
		changed := strings.Replace(text, "timeout = \"5s\"\n", "timeout = \"6s\"\n", 1)
		if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
			return nil, err
		}
		defer os.WriteFile(path, []byte(text), 0o644)
		return loadAfterAs(path, asRoot, prev, func(name string) (check.Spec, bool) { s, ok := specs[name]; return s, ok })
	}
	cases := []struct {
		name string
		load func() (*Config, error)
		root bool
	}{{"Load", load, false}, {"LoadAfter", reload, false}}
	if problems, _ := walk(filepath.Dir(path)); os.Geteuid() == 0 && len(problems) == 0 {
		// As root, each check's pidfile and heat log are judged again at a
		// reload, where its Spec has them.
		cases = append(cases, struct {
			name string
			load func() (*Config, error)
			root bool
		}{"LoadAfter as root", reload, true})
	}
	for _, c := range cases {
		asRoot = c.root
		before := heapLive()
		cfg, err := c.load()
		if err != nil {
			t.Fatal(err)
		}
		whole := heapLive()
		public := &Config{Path: cfg.Path, Daemon: cfg.Daemon, Checks: cfg.Checks, Warnings: cfg.Warnings, Unused: cfg.Unused}
		cfg = nil
		kept := (whole - heapLive()) / checks
		all := (whole - before) / checks
		runtime.KeepAlive(public)
		t.Logf("%s: %d bytes a check kept for the next load, %d bytes a check in all", c.name, kept, all)
		if kept > 120 {
			t.Errorf("%s: a Config keeps %d bytes a check for the next load, want at most 120", c.name, kept)
		}
	}
}

// heapLive is the heap's live bytes after a collection.
func heapLive() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// realistic is a configuration of n checks written as a large host's
// are: each table some 200 bytes, its scripts shared, its files its own.
func realistic(n int) string {
	var text strings.Builder
	text.WriteString("[daemon]\nlog_dir = \"logs\"\ncontrol_socket = \"heatd.sock\"\n[defaults]\ninterval = \"1h\"\n")
	for i := range n {
		fmt.Fprintf(&text, "\n[check.web-%05d]\nscript = \"/bin/true\"\ninterval = \"30s\"\ntimeout = \"5s\"\n"+
			"pidfile = \"/run/web-%05d.pid\"\nfail = \"/bin/true\"\nthreshold = 3\nrecovery = \"/bin/true\"\n"+
			"heat_log = \"logs/web-%05d.log\"\n", i, i, i)
	}
	return text.String()
}

// A Config keeps nothing of its files' text: the strings its checks and
// [daemon] hold are copies, each table's in one allocation of its own, as
// a string sliced from the text would keep the whole text alive for as
// long as the check runs (two texts, after a reload that took some checks
// as they run). Each check here is written with a comment of 2 KiB, which
// a Config that kept the text would keep too.
func TestConfigKeepsNoText(t *testing.T) {
	const checks = 1000
	comment := "# " + strings.Repeat("x", 2046) + "\n"
	var text strings.Builder
	text.WriteString("[daemon]\nlog_dir = \"logs\"\ncontrol_socket = \"heatd.sock\"\nlog_level = \"debug\"\n[defaults]\nfail = \"/bin/true\"\n")
	for i := range checks {
		deps := `"web-00000"`
		if i == 0 {
			deps = ""
		}
		fmt.Fprintf(&text, "\n[check.web-%05d]\n%sscript = \"/bin/true\"\npidfile = \"/run/web-%05d.pid\"\n"+
			"env = { A = \"b\" }\ndepends_on = [%s]\nrecovery_timeout = \"1m\"\n", i, comment, i, deps)
	}
	path := filepath.Join(t.TempDir(), "heat.toml")
	if err := os.WriteFile(path, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	text.Reset()
	before := heapLive()
	cfg, err := loadAs(path, false)
	if err != nil {
		t.Fatal(err)
	}
	per := (heapLive() - before) / checks
	runtime.KeepAlive(cfg)
	t.Logf("%d bytes a check", per)
	if per > 1536 {
		t.Errorf("a Config keeps %d bytes a check, want at most 1536: its text is kept", per)
	}
}
