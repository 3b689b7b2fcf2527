package config

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// readmePath is the README whose key tables the key tables make.
const readmePath = "../../README.md"

// TestREADMEKeyTables: the README's two key tables are the rows the key
// tables make, so a key added, changed or documented differently in one
// place cannot disagree with the other. With -update the test writes them
// into README.md.
func TestREADMEKeyTables(t *testing.T) {
	text, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	for _, want := range [][]string{readmeTable(daemonKeyTable, false), readmeTable(checkKeyTable, true)} {
		start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, cell(want[0], 0)) })
		if start < 0 {
			t.Errorf("README.md has no table starting %q; want\n%s", cell(want[0], 0), strings.Join(want, "\n"))
			continue
		}
		end := start
		for end < len(lines) && strings.HasPrefix(lines[end], "|") {
			end++
		}
		if *update {
			lines = slices.Replace(lines, start, end, want...)
			continue
		}
		if got := lines[start:end]; !slices.Equal(got, want) {
			t.Errorf("README.md:%d: the key table differs from the key rows (go test -run README -update rewrites it); want\n%s",
				start+1, strings.Join(want, "\n"))
		}
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// cell is the first n+1 cells of a table row, with the bar that follows:
// the header "| check key | ..." is found by "| check key |".
func cell(row string, n int) string {
	cells := strings.SplitAfterN(row, " |", n+2)
	return strings.Join(cells[:n+1], "")
}

// readmeTable is the markdown table of keys: a check's keys with a column
// saying whether [defaults] may set each, and how it merges. The first
// kind's line says that a check has exactly one kind.
func readmeTable[D any](keys []key[D], check bool) []string {
	out := []string{"| `[daemon]` key | default | meaning |", "|---|---|---|"}
	if check {
		out = []string{"| check key | default | in `[defaults]` | meaning |", "|---|---|---|---|"}
	}
	var kinds []string // the keys that choose a kind, quoted
	for _, k := range keys {
		if k.kind != "" && k.kind == k.name {
			kinds = append(kinds, "`"+k.name+"`")
		}
	}
	for i, k := range keys {
		doc := k.doc
		switch {
		case k.kind != "" && k.kind != k.name:
			doc = "with `" + k.kind + "`: " + doc
		case i == 0 && k.kind != "":
			doc += "; a check has exactly one of " + list(kinds, "and")
		}
		row := []string{"`" + k.name + "`", defaultText(&k)}
		if check {
			row = append(row, inDefaultsText(&k))
		}
		out = append(out, tableRow(append(row, doc)))
	}
	return out
}

// tableRow is a markdown table row of cells; an empty cell is "| |".
func tableRow(cells []string) string {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		if c != "" {
			b.WriteString(" " + c)
		}
		b.WriteString(" |")
	}
	return b.String()
}

// inDefaultsText says whether [defaults] may set k, and whether a check's
// own table merges over it.
func inDefaultsText[D any](k *key[D]) string {
	switch {
	case !k.defaults:
		return "no"
	case k.merge != nil:
		return "yes (merged)"
	}
	return "yes"
}

// defaultText is the README's default of k: its shown text, or its
// default value as a config would write it, or "" when it has none.
func defaultText[D any](k *key[D]) string {
	if k.shown != "" {
		return k.shown
	}
	if k.deflt == nil || reflect.ValueOf(k.deflt).IsZero() {
		return ""
	}
	if d, ok := k.deflt.(time.Duration); ok {
		return "`" + shortDuration(d) + "`"
	}
	return fmt.Sprintf("`%v`", k.deflt)
}
