package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkParseSize reads files of each shape at sizes up to maxFileSize
// (the nested shape stops at maxContainers). Time and memory per byte (the
// MB/s column, B/op over the size) stay flat as the size grows: parsing is
// linear in the file's size, whatever its shape, up to the bounds.
func BenchmarkParseSize(b *testing.B) {
	shapes := map[string]string{
		// many checks, as a large host has
		"checks": "\n[check.c%d]\ncommand = \"/bin/true\"\nenv = {A = \"1\", B = \"2\"}\n",
		// arrays and inline tables nested to the bound, over and over
		"nested": "x%d = " + strings.Repeat("[{a=", (maxDepth-1)/3) + "1" + strings.Repeat("}]", (maxDepth-1)/3) + "\n",
		// dotted keys as long as the bound allows
		"dotted": strings.Repeat("k.", maxDepth-1) + "x%d = 1\n",
		// headers as long as the bound allows
		"headers": "[" + strings.Repeat("t.", maxDepth-1) + "x%d]\n",
	}
	for _, shape := range []string{"checks", "nested", "dotted", "headers"} {
		for _, size := range []int{maxFileSize / 16, maxFileSize / 4, maxFileSize} {
			var text strings.Builder
			for i, containers := 0, 0; ; i++ {
				line := fmt.Sprintf(shapes[shape], i)
				containers += strings.Count(line, "[{") * 2
				if text.Len()+len(line) > size || containers > maxContainers {
					break
				}
				text.WriteString(line)
			}
			path := filepath.Join(b.TempDir(), "heat.toml")
			if err := os.WriteFile(path, []byte(text.String()), 0o644); err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/%dKiB", shape, size>>10), func(b *testing.B) {
				b.SetBytes(int64(text.Len()))
				b.ReportAllocs()
				for b.Loop() {
					src, errs := read(path, nil)
					if src == nil {
						b.Fatal(errs)
					}
				}
			})
		}
	}
}
