package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
