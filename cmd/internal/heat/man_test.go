package heat

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// heat(1) documents every option that heat -h lists.
func TestManPageHasEveryOption(t *testing.T) {
	page, err := os.ReadFile("../../../packaging/man/heat.1.md")
	if err != nil {
		t.Fatal(err)
	}
	opts := regexp.MustCompile(`(?m)^  (-[-a-z]+)(?:, (-[-a-z]+))?`).FindAllStringSubmatch(usage, -1)
	if len(opts) < 10 {
		t.Fatalf("found %d options in the usage", len(opts))
	}
	for _, o := range opts {
		for _, name := range o[1:] {
			if name != "" && !strings.Contains(string(page), "**"+name+"**") {
				t.Errorf("heat.1.md does not document %s", name)
			}
		}
	}
}
