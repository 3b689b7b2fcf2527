package config

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// manPagePath is heat.toml(5), which lists the keys in prose of its own.
const manPagePath = "../../packaging/man/heat.toml.5.md"

// TestManPageHasEveryKey: heat.toml(5) names every key of the key tables,
// in bold, in its section: [daemon]'s keys under "# [daemon]", a check's
// under "# CHECK KEYS". A key added to a table without a line in the man
// page fails here.
func TestManPageHasEveryKey(t *testing.T) {
	text, err := os.ReadFile(manPagePath)
	if err != nil {
		t.Fatal(err)
	}
	daemonKeys := make([]string, 0, len(daemonKeyTable))
	for _, k := range daemonKeyTable {
		daemonKeys = append(daemonKeys, k.name)
	}
	checkKeys := make([]string, 0, len(checkKeyTable))
	for _, k := range checkKeyTable {
		checkKeys = append(checkKeys, k.name)
	}
	for _, s := range []struct {
		heading string
		keys    []string
	}{{"# [daemon]", daemonKeys}, {"# CHECK KEYS", checkKeys}} {
		section := manSection(string(text), s.heading)
		if section == "" {
			t.Errorf("heat.toml.5.md has no section %q", s.heading)
			continue
		}
		for _, name := range s.keys {
			if !strings.Contains(section, "**"+name+"**") {
				t.Errorf("heat.toml.5.md, section %q, does not document the key %s", s.heading, name)
			}
		}
	}
}

// TestManPageDefaultsKeys: the sentence of heat.toml(5) that says which
// keys [defaults] cannot set names exactly the check keys that it cannot.
func TestManPageDefaultsKeys(t *testing.T) {
	text, err := os.ReadFile(manPagePath)
	if err != nil {
		t.Fatal(err)
	}
	const lead = "**[defaults]** takes every key below but "
	_, rest, ok := strings.Cut(string(text), lead)
	if !ok {
		t.Fatalf("heat.toml.5.md has no sentence %q", lead)
	}
	sentence, _, _ := strings.Cut(rest, ".\n")
	var got []string
	for _, m := range regexp.MustCompile(`\*\*([a-z_]+)\*\*`).FindAllStringSubmatch(sentence, -1) {
		got = append(got, m[1])
	}
	var want []string
	for _, k := range checkKeyTable {
		if !k.defaults {
			want = append(want, k.name)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("heat.toml.5.md: [defaults] cannot set %v; the key tables say %v", got, want)
	}
}

// manSection is the text from the line heading to the next heading of a
// markdown man page, or "" when the page has no such line.
func manSection(page, heading string) string {
	_, rest, ok := strings.Cut("\n"+page, "\n"+heading+"\n")
	if !ok {
		return ""
	}
	if i := strings.Index(rest, "\n# "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}
