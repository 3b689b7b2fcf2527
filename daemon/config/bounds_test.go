package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// hostile are files shaped to cost the decoder or the position scanner
// minutes, gigabytes or a stack overflow, each with the line and the
// message that refuses it. They are also the fuzz seeds' shapes.
func hostile() []struct {
	name, text string
	line       int
	msg        string
} {
	const deep = "nests tables, dotted keys, arrays and inline tables more than 16 deep; heatd reads at most 16"
	return []struct {
		name, text string
		line       int
		msg        string
	}{
		{"nested inline tables", "[check.a]\ncommand = \"true\"\nx = " + strings.Repeat("{b=", 3000) + "1" + strings.Repeat("}", 3000) + "\n", 3, deep},
		{"long dotted header", "[check.a]\ncommand = \"true\"\n[" + strings.Repeat("a.", 40000) + "a]\n", 3, deep},
		{"long quoted dotted header", "\n[" + strings.Repeat(`"a".`, 16) + "a]\n", 2, deep},
		{"long dotted key", "[check.a]\n" + strings.Repeat("a.", 1000) + "a = 1\n", 2, deep},
		{"dotted key under a deep header", "[" + strings.Repeat("a.", 10) + "a]\n" + strings.Repeat("b.", 10) + "b = 1\n", 2, deep},
		{"nested arrays", "a = " + strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20) + "\n", 1, deep},
		{"nested arrays over lines", "a = [\n" + strings.Repeat("[\n", 100) + "]\n", 16, deep},
		{"arrays of inline tables", "a = " + strings.Repeat("[{b=", 10) + "1" + strings.Repeat("}]", 10) + "\n", 1, deep},
		{"many arrays", "a = [\n" + strings.Repeat("[],\n", maxContainers-1) + "]\nb = []\n", maxContainers + 2,
			"holds more than 100000 arrays and inline tables; heatd reads at most 100000"},
		{"long line", "[check.a]\ncommand = \"" + strings.Repeat("x", 70000) + "\"\n", 2,
			"line is 70012 bytes long; heatd reads lines of at most 65536 bytes"},
		{"long line in a multi-line string", "a = \"\"\"\nok\n" + strings.Repeat("x", 70000) + "\n\"\"\"\n", 3,
			"line is 70000 bytes long; heatd reads lines of at most 65536 bytes"},
	}
}

// TestHostileShapes: each shape is refused by checkShape, at its line,
// before the decoder or the scanner sees it, and Load says so.
func TestHostileShapes(t *testing.T) {
	for _, c := range hostile() {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "heat.toml")
			if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadAs(path, false)
			want := path + ":" + itoa(c.line) + ": " + c.msg
			if err == nil || err.Error() != want {
				t.Errorf("Load: %v\nwant %s", err, want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestShapeWithinBounds: what the bounds allow is not refused: strings,
// comments and numbers that look like nesting or dots do not count, and
// nesting up to the bound is read.
func TestShapeWithinBounds(t *testing.T) {
	for _, text := range []string{
		"a = " + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + "\n",
		"[" + strings.Repeat("a.", maxDepth-1) + "a]\n",
		"[" + strings.Repeat("a.", maxDepth/2-1) + "a]\n" + strings.Repeat("b.", maxDepth/2-1) + "b = 1\n",
		"[check.a]\nenv.A = \"1\"\nx = {a = {b = [1.5, 2.5, 3.5]}}\n",
		"a = \"" + strings.Repeat("[{.", 1000) + "\"\n",
		"a = '" + strings.Repeat("[{.", 1000) + "'\n",
		"# " + strings.Repeat("[{.", 1000) + "\n",
		"a = \"\"\"\n" + strings.Repeat("[{.\n", 1000) + "\"\"\"\n",
		"a = [" + strings.Repeat("1.5, ", 1000) + "]\n",
		"a = [" + strings.Repeat("{b.c.d = 1}, ", 1000) + "]\n",
		"[a]\n" + strings.Repeat("b.c.d.e = 1\n", 1000),
		strings.Repeat("x", maxLineLength) + "\n",
		strings.Repeat("a = [{}]\n", maxContainers/2),
	} {
		if line, msg := checkShape([]byte(text)); msg != "" {
			t.Errorf("checkShape(%.60q...) = %d, %q", text, line, msg)
		}
	}
}

// TestFileSizeBound: a file one byte over maxFileSize is refused before it
// is decoded; ten thousand checks are far below it.
func TestFileSizeBound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heat.toml")
	line := "# " + strings.Repeat("x", 1021) + "\n"
	text := strings.Repeat(line, maxFileSize/len(line))
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadAs(path, false); err != nil {
		t.Errorf("a file of maxFileSize bytes: %v", err)
	}
	if err := os.WriteFile(path, []byte(text+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := loadAs(path, false)
	if want := path + ": cannot be read: larger than 4 MiB"; err == nil || err.Error() != want {
		t.Errorf("Load: %v\nwant %s", err, want)
	}
	if n := len(tenThousand()); n > maxFileSize/2 {
		t.Errorf("ten thousand checks take %d bytes, more than half the bound", n)
	}
}
