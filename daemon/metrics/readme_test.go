package metrics

import (
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

// The README's metrics table lists every heatd_ series heatd serves, and
// nothing it does not.
func TestReadmeListsEveryMetric(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(heatd_[a-z_]+)` \\|").FindAllSubmatch(readme, -1) {
		listed = append(listed, string(m[1]))
	}
	m := New(&fakeSource{[]check.Status{{Name: "web", LastRun: time.Unix(1, 0), LastOK: time.Unix(1, 0)}}})
	m.Ran("web", check.Result{Duration: time.Millisecond})
	var served []string
	for name := range scrape(t, m.Handler()) {
		if regexp.MustCompile(`^heatd_`).MatchString(name) {
			served = append(served, name)
		}
	}
	slices.Sort(listed)
	slices.Sort(served)
	for _, n := range served {
		if !slices.Contains(listed, n) {
			t.Errorf("%s is served but not in the README's table", n)
		}
	}
	for _, n := range listed {
		if !slices.Contains(served, n) {
			t.Errorf("%s is in the README's table but not served", n)
		}
	}
}
