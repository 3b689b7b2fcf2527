package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

// writeConfig writes text as heat.toml in a new folder, and the other
// files given by name beside it.
func writeConfig(t *testing.T, text string, more map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range more {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "heat.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDependsOn: depends_on may name checks of included files, lands in
// Spec.DependsOn as a sorted set, and a reordered list is the same Spec,
// so a reload that only reorders it leaves the check running as it was.
func TestDependsOn(t *testing.T) {
	main := `
[daemon]
include = ["heat.d/*.toml"]

[check.web]
command = "true"
depends_on = [%s]

[check.net]
command = "true"
`
	db := map[string]string{"heat.d/db.toml": "[check.db]\ncommand = \"true\"\ndepends_on = [\"net\"]\n"}
	load := func(list string) map[string]int {
		t.Helper()
		cfg, err := loadAs(writeConfig(t, fmt.Sprintf(main, list), db), false)
		if err != nil {
			t.Fatal(err)
		}
		idx := map[string]int{}
		for i, s := range cfg.Checks {
			idx[s.Name] = i
		}
		if got := cfg.Checks[idx["web"]].DependsOn; !slices.Equal(got, []string{"db", "net"}) {
			t.Errorf("web depends on %q, want [db net]", got)
		}
		if got := cfg.Checks[idx["db"]].DependsOn; !slices.Equal(got, []string{"net"}) {
			t.Errorf("db depends on %q, want [net]", got)
		}
		if got := cfg.Checks[idx["net"]].DependsOn; got != nil {
			t.Errorf("net depends on %q, want nil", got)
		}
		return idx
	}
	load(`"net", "db"`)
	a, err := loadAs(writeConfig(t, fmt.Sprintf(main, `"net", "db"`), db), false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadAs(writeConfig(t, fmt.Sprintf(main, `"db", "net"`), db), false)
	if err != nil {
		t.Fatal(err)
	}
	wa, wb := a.Checks[slices.IndexFunc(a.Checks, func(s check.Spec) bool { return s.Name == "web" })],
		b.Checks[slices.IndexFunc(b.Checks, func(s check.Spec) bool { return s.Name == "web" })]
	wb.Dir, wb.HeatLog = wa.Dir, wa.HeatLog // the two files are in two folders
	if !wa.Equal(&wb) {
		t.Errorf("a reordered depends_on is a changed check:\n%+v\n%+v", wa, wb)
	}
	// An empty list is none.
	cfg, err := loadAs(writeConfig(t, fmt.Sprintf(main, ``), db), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cfg.Checks {
		if s.Name == "web" && s.DependsOn != nil {
			t.Errorf("depends_on = [] gives %q, want nil", s.DependsOn)
		}
	}
}

// TestDependsOnScale: ten thousand checks in one long chain, and one
// cycle through all of them, load in well under a second, and the cycle
// is found once.
func TestDependsOnScale(t *testing.T) {
	const n = 10000
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "[check.c%d]\ncommand = \"true\"\n", i)
		if i > 0 {
			fmt.Fprintf(&b, "depends_on = [\"c%d\"]\n", i-1)
		}
	}
	path := writeConfig(t, b.String(), nil)
	start := time.Now()
	cfg, err := loadAs(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a chain of %d checks: loaded in %v", len(cfg.Checks), time.Since(start))

	fmt.Fprintf(&b, "[check.last]\ncommand = \"true\"\ndepends_on = [\"c%d\"]\n", n-1)
	text := strings.Replace(b.String(), "[check.c0]\ncommand = \"true\"\n", "[check.c0]\ncommand = \"true\"\ndepends_on = [\"last\"]\n", 1)
	_, err = loadAs(writeConfig(t, text, nil), false)
	errs, _ := err.(Errors)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `check "c0": key "depends_on": makes a cycle: c0 -> last -> c9999 -> c9998`) ||
		!strings.HasSuffix(errs[0].Error(), "c1 -> c0") {
		msg := fmt.Sprint(err)
		t.Errorf("errors %d: %.300s", len(errs), msg)
	}
}
