package action

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHeatLogRecord(t *testing.T) {
	t.Parallel()
	log := HeatLog{Path: filepath.Join(t.TempDir(), "web.log")}
	for _, w := range []struct {
		line string
		text string
	}{
		{"failed: exit code 7", ""},
		{"failed: exit code 1", "boom\nlast without newline"},
		{"", "stderr alone"},
		{"", ""},
		{"recovery verified (attempt 1)", ""},
	} {
		if err := log.Record(1671370576, w.line, []byte(w.text)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(log.Path)
	want := "1671370576: failed: exit code 7\n" +
		"1671370576: failed: exit code 1\n1671370576: boom\n1671370576: last without newline\n" +
		"1671370576: stderr alone\n" +
		"1671370576: recovery verified (attempt 1)\n"
	if string(got) != want {
		t.Errorf("heat log %q, want %q", got, want)
	}
}
