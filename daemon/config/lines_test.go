package config

import "testing"

func TestScanPositions(t *testing.T) {
	src := `# comment [not.a.table]
top = 1
[daemon]
log_dir = "/x" # trailing
"quoted.key" = 'lit'

[check."db.primary"]
command = """
fake = 1
[check.fake]
"""
env.A = "1"
  [ check . web . env ]
B = "\u0041"
[check.web]
inline = { a = 1, b = { c = [1, {d = 2}] },
  e = 3 }
arr = [
  "x", # comment ]
  'y',
]
after = '''
'''''
last = "\"q\\"
[[check.arr]]
x = 1
[check.'lit.name']
y = 2
`
	p := scanPositions(src)
	for _, c := range []struct {
		path []string
		line int
	}{
		{[]string{"top"}, 2},
		{[]string{"daemon"}, 3},
		{[]string{"daemon", "log_dir"}, 4},
		{[]string{"daemon", "quoted.key"}, 5},
		{[]string{"check"}, 7},
		{[]string{"check", "db.primary"}, 7},
		{[]string{"check", "db.primary", "command"}, 8},
		{[]string{"check", "db.primary", "fake"}, 0},
		{[]string{"check", "fake"}, 0},
		{[]string{"check", "db.primary", "env"}, 12},
		{[]string{"check", "db.primary", "env", "A"}, 12},
		{[]string{"check", "web"}, 15}, // its own header wins over [check.web.env]
		{[]string{"check", "web", "env"}, 13},
		{[]string{"check", "web", "env", "B"}, 14},
		{[]string{"check", "web", "inline"}, 16},
		{[]string{"check", "web", "inline", "b", "c"}, 16},
		{[]string{"check", "web", "inline", "e"}, 17},
		{[]string{"check", "web", "inline", "d"}, 0},
		{[]string{"check", "web", "arr"}, 18},
		{[]string{"check", "web", "after"}, 22},
		{[]string{"check", "web", "last"}, 24},
		{[]string{"check", "arr"}, 25},
		{[]string{"check", "arr", "x"}, 26},
		{[]string{"check", "lit.name"}, 27},
		{[]string{"check", "lit.name", "y"}, 28},
	} {
		if got := p.line(c.path...); got != c.line {
			t.Errorf("line(%q) = %d, want %d", c.path, got, c.line)
		}
	}
}

// TestScanNotTOML: the scanner also reads files TOML rejected, and must
// end on anything.
func TestScanNotTOML(t *testing.T) {
	for _, src := range []string{"[", "[[", "a = [", "a = {", `a = "`, `a = """`, "= = =", "]]]", "a = '''x", `a = "\`, `[a."b`, "\x00\xff"} {
		scanPositions(src)
	}
}

func TestRedefined(t *testing.T) {
	p := scanPositions("[check.a]\n[check.b]\n[check.a.env]\n[check.a]\n")
	name, first, ok := p.redefined(4)
	if name != "a" || first != 1 || !ok {
		t.Errorf("redefined(4) = %q, %d, %v; want a, 1, true", name, first, ok)
	}
	if _, _, ok := p.redefined(3); ok {
		t.Error("redefined(3): [check.a.env] is not a redefinition")
	}
}

// TestEntryLines: an array entry is found at its own line, or at the line
// of the entry before it on the same line, or at none (the key's line is
// the caller's fallback); nested arrays and inline tables are one entry.
func TestEntryLines(t *testing.T) {
	src := `[daemon]
include = ["a",
  "b", "c",
  # a comment
  [1,
   2], { x = [3,
   4] },
  "f"]
one = ["x", "y"]
`
	p := scanPositions(src)
	for i, want := range []int{0, 3, 3, 5, 6, 8} {
		if got := p.entryLine(i, "daemon", "include"); got != want {
			t.Errorf("entry %d of include: line %d, want %d", i, got, want)
		}
	}
	for i := range 2 {
		if got := p.entryLine(i, "daemon", "one"); got != 0 {
			t.Errorf("entry %d of one: line %d, want 0 (the key's line)", i, got)
		}
	}
}
