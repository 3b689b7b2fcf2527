package heatctl

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// heatctl(1) documents every option and command that heatctl -h lists.
func TestManPageHasEveryOption(t *testing.T) {
	page, err := os.ReadFile("../../../packaging/man/heatctl.1.md")
	if err != nil {
		t.Fatal(err)
	}
	words := regexp.MustCompile(`(?m)^  (-[a-z]+|[a-z]+) `).FindAllStringSubmatch(usage, -1)
	if len(words) < 4 {
		t.Fatalf("found %d options and commands in the usage", len(words))
	}
	for _, w := range words {
		if !strings.Contains(string(page), "**"+w[1]+"**") {
			t.Errorf("heatctl.1.md does not document %s", w[1])
		}
	}
}
