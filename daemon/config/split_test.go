package config

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestSplitTables(t *testing.T) {
	type want struct{ top, name, text string }
	cases := []struct {
		name, doc string
		want      []want // nil: refused
	}{
		{"tables and their sub-tables", "# heatd\n\n[daemon]\nlog_dir = \"x\"\n[defaults]\ninterval = \"1m\"\n[defaults.env]\nA = \"1\"\n" +
			"[check.a]\ncommand = \"true\"\n\n  [check.a.env]\n  B = \"2\"\n[check.\"b c\"]\ncommand = \"true\" # c\n", []want{
			{"", "", "# heatd\n\n"},
			{"daemon", "", "[daemon]\nlog_dir = \"x\"\n"},
			{"defaults", "", "[defaults]\ninterval = \"1m\"\n[defaults.env]\nA = \"1\"\n"},
			{"check", "a", "[check.a]\ncommand = \"true\"\n\n  [check.a.env]\n  B = \"2\"\n"},
			{"check", "b c", "[check.\"b c\"]\ncommand = \"true\" # c\n"},
		}},
		{"a header inside a multi-line string", "[check.a]\nx = \"\"\"\n[check.b]\n\"\"\"\n", []want{
			{"check", "a", "[check.a]\nx = \"\"\"\n[check.b]\n\"\"\"\n"},
		}},
		{"a header inside a literal one", "[check.a]\nx = '''\n[check.b]\n'''\n[check.c]\n", []want{
			{"check", "a", "[check.a]\nx = '''\n[check.b]\n'''\n"},
			{"check", "c", "[check.c]\n"},
		}},
		{"an escaped quote", "[check.a]\nx = \"\"\"\\\"\"\"\n[check.b]\n\"\"\"\n", []want{
			{"check", "a", "[check.a]\nx = \"\"\"\\\"\"\"\n[check.b]\n\"\"\"\n"},
		}},
		{"arrays and inline tables over lines", "[daemon]\ninclude = [\n  \"a]\", # ]\n  [\"[check.x]\"],\n]\n[check.a]\nenv = { A = \"}\",\n B = { C = 1 } }\n", []want{
			{"daemon", "", "[daemon]\ninclude = [\n  \"a]\", # ]\n  [\"[check.x]\"],\n]\n"},
			{"check", "a", "[check.a]\nenv = { A = \"}\",\n B = { C = 1 } }\n"},
		}},
		{"CRLF line ends", "[check.a]\r\ncommand = \"true\"\r\n[check.b]\r\n", []want{
			{"check", "a", "[check.a]\r\ncommand = \"true\"\r\n"},
			{"check", "b", "[check.b]\r\n"},
		}},
		{"nothing", "", []want{}},
		{"a key at the top", "x = 1\n[check.a]\n", nil},
		{"a dotted key defining a check", "check.a.command = \"true\"\n", nil},
		{"an array of tables", "[[check.a]]\n", nil},
		{"a [check] table", "[check]\na.command = \"true\"\n", nil},
		{"an unknown table", "[other]\n", nil},
		{"a table deeper than NAME.SUB", "[check.a.env.x]\n", nil},
		{"blanks in a header", "[ check.a ]\n", nil},
		{"an escape in a header", "[check.\"a\\u0062\"]\n", nil},
		{"a header written twice", "[check.a]\n[check.b]\n[check.a]\n", nil},
		{"the same table, quoted", "[check.a]\n[check.b]\n[check.\"a\"]\n", nil},
		{"a sub-table away from its table", "[check.a]\n[check.b]\n[check.a.env]\n", nil},
		{"a header after a value", "[check.a]\nx = 1 [check.b]\n", nil},
		{"an unterminated string", "[check.a]\nx = \"\"\"\n[check.b]\n", nil},
		{"four quotes", "[check.a]\nx = \"\"\"a\"\"\"\"\n", nil},
		{"a date and time apart", "[check.a]\nx = 1979-05-27 07:32:00\n", nil},
		{"a lone carriage return", "[check.a]\rx = 1\n", nil},
		{"a byte order mark", "\ufeff[check.a]\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tables, ok := splitTables(c.doc)
			if c.want == nil {
				if ok {
					t.Fatalf("cut into %v, want refused", tables)
				}
				return
			}
			if !ok {
				t.Fatal("refused")
			}
			got := []want{}
			for _, tt := range tables {
				got = append(got, want{tt.top, tt.name, tt.text})
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("cut into\n%q\nwant\n%q", got, c.want)
			}
			sameDecode(t, "", c.doc)
		})
	}
}

// sameDecode fails unless doc, decoded table by table after before (its
// checks as the configuration in force), is doc decoded whole: the same
// values, or both an error, a check kept undecoded being its text decoded
// alone, as a load that must read it does (checkTable.table); and unless
// each table that doc decoded whole has is what its text gives alone.
func sameDecode(t *testing.T, before, doc string) {
	t.Helper()
	var prev *memoIndex
	if tables, ok := splitTables(before); ok {
		var data map[string]any
		if _, err := toml.Decode(before, &data); err == nil {
			if _, ok := wholeValues(tables, data); ok {
				var list memos
				for _, tt := range tables {
					if tt.top == "check" {
						list = append(list, memo{name: tt.name, text: textSum(new([]byte), "heat.toml", tt.text)})
					}
				}
				prev = &memoIndex{list: list}
			}
		}
	}
	tables, ok := splitTables(doc)
	if !ok {
		return
	}
	var whole map[string]any
	_, err := toml.Decode(doc, &whole)
	split, splitValues, ok := splitDecode(tables, prev, "heat.toml")
	if ok != (err == nil) {
		t.Fatalf("decoded table by table: %v; whole: %v\n%q", ok, err, doc)
	}
	if err != nil {
		return
	}
	for i, tt := range tables {
		if tt.top != "" && tt.kept != (splitValues[i] == nil) || tt.kept && tt.sum != textSum(new([]byte), "heat.toml", tt.text) {
			t.Fatalf("table %q kept %v, its value %v", tt.text, tt.kept, splitValues[i])
		}
		if tt.kept {
			v, ok := decodeAlone(tt)
			if !ok {
				t.Fatalf("kept table %q does not decode alone", tt.text)
			}
			splitValues[i] = v
		}
		if tt.top == "check" {
			split["check"].(map[string]any)[tt.name] = splitValues[i]
		}
	}
	if !sameValue(split, whole) {
		t.Fatalf("decoded table by table\n%v\nwhole\n%v\n%q", split, whole, doc)
	}
	values, ok := wholeValues(tables, whole)
	if !ok {
		t.Fatalf("the tables cut are not those decoded whole: %q", doc)
	}
	for i, tt := range tables {
		alone, ok := decodeAlone(tt)
		if !ok || !sameValue(alone, values[i]) {
			t.Fatalf("table %q decoded alone is %v, whole %v", tt.text, alone, values[i])
		}
		// A check kept as fields has the sum of its map.
		if f, ok := values[i].(fields); ok {
			a, okA := f.appendCanonical(nil)
			b, okB := appendCanonical(nil, alone)
			if okA != okB || !slices.Equal(a, b) {
				t.Fatalf("table %q as fields is written %q, as a map %q", tt.text, a, b)
			}
		}
	}
	// A table at a time, its lines are the file's.
	if !strings.Contains(doc, "\x00") && !strings.Contains(doc, `\u0000`) && !strings.Contains(doc, `\U00000000`) {
		all, cut := scanPositions(doc), newCutLines(tables)
		for k, line := range all.lines {
			path := strings.Split(k, "\x00")
			if got := cut.line(path...); got != line {
				t.Fatalf("%q is at line %d, %d a table at a time\n%q", path, line, got, doc)
			}
		}
		for k, list := range all.entries {
			path := strings.Split(k, "\x00")
			for _, e := range list {
				if got := cut.entryLine(e.first, path...); got != e.line {
					t.Fatalf("entry %d of %q is at line %d, %d a table at a time\n%q", e.first, path, e.line, got, doc)
				}
			}
		}
	}
	// The checks in the order of the cut are those in the order of their
	// lines.
	if m, ok := whole["check"].(map[string]any); ok {
		src := &source{pos: scanPositions(doc), tables: tables}
		top := &scope{src: src, path: []string{"check"}}
		var got []string
		for _, c := range checkNames(src, top, m) {
			got = append(got, c.name)
		}
		if want := top.keys(m); !slices.Equal(got, want) {
			t.Fatalf("checks in the order %q, by their lines %q\n%q", got, want, doc)
		}
	}
}

// sameValue is reflect.DeepEqual, but for a NaN, which the decoder gives
// for nan and is equal to a NaN here, and for a check kept as fields,
// which is equal to its map.
func sameValue(a, b any) bool {
	if f, ok := a.(fields); ok {
		a = f.table()
	}
	if f, ok := b.(fields); ok {
		b = f.table()
	}
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && (a == b || math.IsNaN(a) && math.IsNaN(b))
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, sameValue)
	case []map[string]any:
		b, ok := b.([]map[string]any)
		return ok && slices.EqualFunc(a, b, func(x, y map[string]any) bool { return sameValue(x, y) })
	case map[string]any:
		b, ok := b.(map[string]any)
		return ok && maps.EqualFunc(a, b, sameValue)
	}
	return reflect.DeepEqual(a, b)
}

// splitSeeds are the test data, and each of them after edits that a
// reload brings: a table changed, added, removed, moved.
func splitSeeds(t testing.TB) [][2]string {
	files, _ := filepath.Glob("testdata/*.toml")
	var docs []string
	for _, name := range files {
		if strings.HasPrefix(filepath.Base(name), "fuzz-") {
			continue // FuzzLoadAfter's, there while it runs
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	var gen strings.Builder
	gen.WriteString(memoBase)
	for i := range 20 {
		fmt.Fprintf(&gen, "\n[check.c%d]\ncommand = \"/bin/true\"\n", i)
	}
	docs = append(docs, gen.String())
	var pairs [][2]string
	for _, d := range docs {
		pairs = append(pairs, [2]string{d, d}, [2]string{"", d})
		for _, edit := range [][2]string{
			{"[check.c0]\n", "[check.c0]\ntimeout = \"5s\"\n"},
			{"[check.c3]\n", "[check.c3]\n[check.c3.env]\nA = \"1\"\n"},
			{"\n[check.c1]\ncommand = \"/bin/true\"\n", ""},
			{"[defaults]\n", "[defaults]\nsplay = \"1s\"\n"},
			{"[daemon]\n", "\n\n[daemon]\n"},
			{"command", "commnd"},
			{"\"/bin/true\"", "\"\"\"\n[check.c9]\n\"\"\""},
			{"[check.c2]\n", "[check.c2]\n[check.c4]\n"},
		} {
			if e := strings.Replace(d, edit[0], edit[1], 1); e != d {
				pairs = append(pairs, [2]string{d, e})
			}
		}
	}
	return pairs
}

func TestSplitDecodeIsWholeDecode(t *testing.T) {
	for _, p := range splitSeeds(t) {
		sameDecode(t, p[0], p[1])
	}
}

// FuzzSplitDecode: a file decoded table by table, after another as the
// configuration in force, is that file decoded whole (sameDecode).
func FuzzSplitDecode(f *testing.F) {
	for _, p := range splitSeeds(f) {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		sameDecode(t, before, after)
	})
}

// A reload decodes only the tables whose text changed: a check written as
// before, even moved down by an edit above it, is not decoded at all, and
// one that must be read again all the same ([defaults] changed) is
// decoded then, to what Load gives.
func TestLoadAfterDecodesOnlyChangedTables(t *testing.T) {
	dir := t.TempDir()
	checks := "\n[check.a]\ncommand = \"true\"\n\n[check.b]\ncommand = \"true\"\n"
	path := write(t, dir, memoBase+checks)
	prev := sameLoad(t, path, nil, &running{})
	if len(prev.memos) != 2 || prev.memos[0].text == (sum{}) || prev.memos[1].text == (sum{}) {
		t.Fatalf("kept %v, want a and b with their texts' sums", prev.memos)
	}
	moved := "\n# moved down\n" + strings.Replace(checks, "[check.b]\n", "[check.b]\ntimeout = \"1s\"\n", 1)
	write(t, dir, memoBase+moved)
	src, errs := read(path, &memoIndex{list: prev.memos})
	if len(errs) > 0 || !src.split {
		t.Fatalf("not decoded table by table: %v", errs)
	}
	for i, tt := range src.tables {
		if kept := tt.name == "a"; tt.kept != kept || (src.values[i] == nil) != kept {
			t.Errorf("table %q: kept %v, value %v", tt.text, tt.kept, src.values[i])
		}
	}
	got := sameLoad(t, path, prev, runningOf(prev))
	if got.memos[0] != prev.memos[0] || got.memos[1].text == prev.memos[1].text {
		t.Errorf("memos %v after %v", got.memos, prev.memos)
	}
	write(t, dir, strings.Replace(memoBase, "[defaults]\n", "[defaults]\ntimeout = \"5s\"\n", 1)+moved)
	sameLoad(t, path, prev, runningOf(prev))
}

// A table moved to another file, as it was written, is that file's own:
// errors name the file, and relative paths start in its folder.
func TestLoadAfterTableMovedToAnotherFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "more"), 0o755); err != nil {
		t.Fatal(err)
	}
	check := "[check.a]\ncommand = \"true\"\nheat_log = \"a.log\"\n"
	main := strings.Replace(memoBase, "[defaults]", "include = [\"more/*.toml\"]\n[defaults]", 1)
	path := write(t, dir, main+check)
	prev := sameLoad(t, path, nil, &running{})
	os.WriteFile(filepath.Join(dir, "more", "a.toml"), []byte(check), 0o644)
	write(t, dir, main)
	got := sameLoad(t, path, prev, runningOf(prev))
	if got.Checks[0].HeatLog != filepath.Join(dir, "more", "a.log") {
		t.Errorf("heat log %s", got.Checks[0].HeatLog)
	}
}
