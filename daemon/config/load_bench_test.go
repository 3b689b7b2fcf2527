package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heatd/heatd/check"
)

// BenchmarkLoad10000 loads a file of ten thousand checks, as a reload of a
// large host does.
func BenchmarkLoad10000(b *testing.B) {
	path := filepath.Join(b.TempDir(), "heat.toml")
	if err := os.WriteFile(path, []byte(tenThousand()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadAs(path, false); err != nil {
			b.Fatal(err)
		}
	}
}

// tenThousand is a configuration of ten thousand checks.
func tenThousand() string {
	var text strings.Builder
	text.WriteString("[daemon]\nlog_dir = \"logs\"\ncontrol_socket = \"heatd.sock\"\n[defaults]\ninterval = \"1h\"\n")
	for i := range 10000 {
		fmt.Fprintf(&text, "\n[check.c%d]\ncommand = \"/bin/true\"\n", i)
	}
	return text.String()
}

// BenchmarkReload10000 loads a file of ten thousand checks again after one
// of them changed, as a reload does: the other checks are taken as the
// engine runs them.
func BenchmarkReload10000(b *testing.B) {
	path := filepath.Join(b.TempDir(), "heat.toml")
	text := tenThousand()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	prev, err := loadAs(path, false)
	if err != nil {
		b.Fatal(err)
	}
	specs := make(map[string]check.Spec, len(prev.Checks))
	for _, s := range prev.Checks {
		specs[s.Name] = s
	}
	inForce := func(name string) (check.Spec, bool) { s, ok := specs[name]; return s, ok }
	changed := strings.Replace(text, "[check.c0]\n", "[check.c0]\ntimeout = \"5s\"\n", 1)
	if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadAfterAs(path, false, prev, inForce); err != nil {
			b.Fatal(err)
		}
	}
}
