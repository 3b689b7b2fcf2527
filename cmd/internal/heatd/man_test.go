package heatd

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// heatd(8) documents every flag that heatd -h lists.
func TestManPageHasEveryFlag(t *testing.T) {
	page, err := os.ReadFile("../../../packaging/man/heatd.8.md")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	run("dev", []string{"-h"}, &stdout, &stderr)
	flags := regexp.MustCompile(`(?m)^  (-[a-z]+)`).FindAllStringSubmatch(stderr.String(), -1)
	if len(flags) < 3 {
		t.Fatalf("found %d flags in heatd -h:\n%s", len(flags), stderr.String())
	}
	for _, f := range flags {
		if !strings.Contains(string(page), "**"+f[1]+"**") {
			t.Errorf("heatd.8.md does not document %s", f[1])
		}
	}
}
