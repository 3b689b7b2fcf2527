package config

import (
	"os"
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
