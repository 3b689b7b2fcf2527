package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/daemon/config"
)

// BenchmarkReload10000 is a reload's work before READY=1 with ten
// thousand idle checks, a thousand depends_on edges among them, and one
// check changed each time: LoadAfter, then Apply.
func BenchmarkReload10000(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "heat.toml")
	file := func(timeout int) []byte {
		var s strings.Builder
		s.WriteString("[daemon]\nlog_dir = \"logs\"\ncontrol_socket = \"heatd.sock\"\nstate_file = \"\"\nsplay = \"1h\"\n")
		s.WriteString("\n[defaults]\ninterval = \"1h\"\ntimeout = \"10s\"\n")
		for i := range 10000 {
			fmt.Fprintf(&s, "\n[check.c%05d]\ncommand = \"true\"\n", i)
			if i >= 100 && i < 1100 {
				fmt.Fprintf(&s, "depends_on = [\"c%05d\"]\n", (i-100)/10)
			}
			if i == 0 {
				fmt.Fprintf(&s, "timeout = \"%ds\"\n", timeout)
			}
		}
		return []byte(s.String())
	}
	files := [][]byte{file(11), file(12)}
	if err := os.WriteFile(path, files[0], 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	e.Apply(cfg.Checks, settings(cfg))
	e.Release()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		b.StopTimer()
		if err := os.WriteFile(path, files[n%2], 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		next, err := config.LoadAfter(path, cfg, e.Spec)
		if err != nil {
			b.Fatal(err)
		}
		if ch := e.Apply(next.Checks, settings(next)); len(ch.Changed) != 1 {
			b.Fatalf("changed %q", ch.Changed)
		}
		next.Checks = nil
		cfg = next
	}
}
