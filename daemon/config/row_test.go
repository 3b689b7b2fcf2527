package config

import "testing"

// TestKeyTableRows: each row of the key tables is whole: a name of its
// own, a README line, and for a key of a kind, a kind that a row chooses
// (with how its value looks in messages) and that [defaults] cannot set.
func TestKeyTableRows(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range daemonKeyTable {
		if seen[k.name] || k.doc == "" || k.parse == nil || k.set == nil || k.setDefault == nil {
			t.Errorf("[daemon] key %q: repeated, or without README line, parser, setter or default", k.name)
		}
		seen[k.name] = true
	}
	for _, k := range checkKeyTable {
		if seen[k.name] || k.doc == "" || k.parse == nil || k.set == nil || k.setDefault == nil {
			t.Errorf("check key %q: repeated (in either table), or without README line, parser, setter or default", k.name)
		}
		seen[k.name] = true
		if k.kind == "" {
			continue
		}
		chooser, ok := checkKeyIndex[k.kind]
		switch {
		case !ok || chooser.kind != k.kind || chooser.form == "":
			t.Errorf("check key %q: kind %q has no key that chooses it, with a form for messages", k.name, k.kind)
		case chooser.defaults:
			t.Errorf("check key %q chooses a kind, so [defaults] cannot set it", chooser.name)
		}
	}
}
