package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEdges: the file of the largest configurations carries its depends_on
// edges as parentOf says: 1,000 children, each of one of 100 parents, ten
// to a parent, check c00000 (the one a reload changes) among the parents.
func TestEdges(t *testing.T) {
	dir := t.TempDir()
	path, err := heatdConf{checks: 10000, kind: "script", target: "/bin/true", edges: 1000}.write(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	children := map[string]int{}
	re := regexp.MustCompile(`(?m)^depends_on = \["(c\d{5})"\]$`)
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		children[m[1]]++
	}
	if len(children) != 100 || children["c00000"] != 10 || children["c00099"] != 10 || children["c00100"] != 0 {
		t.Errorf("parents and their children: %v", children)
	}
	if n := strings.Count(string(b), "depends_on"); n != 1000 {
		t.Errorf("%d depends_on lines, want 1000", n)
	}
	if _, err := (heatdConf{checks: 1000, edges: 1000}).write(dir); err == nil {
		t.Errorf("1,000 edges among 1,000 checks written; they need 1,100")
	}
}
