package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/invalid-*.err from what Load returns, and README.md's key tables from the key rows")

// testdataDir is the absolute testdata folder, which errors about resolved
// paths name; golden files write it as $DIR so they hold on any machine.
func testdataDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestInvalid loads each testdata/invalid-*.toml and compares the whole
// error text with the .err file beside it.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("found %d invalid configs, want at least 30", len(files))
	}
	dir := testdataDir(t)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".toml"), func(t *testing.T) {
			cfg, err := loadAs(file, false)
			if cfg != nil {
				t.Errorf("Load returned a config with its error")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Load: got %T %v, want Errors", err, err)
			}
			got := strings.ReplaceAll(err.Error(), dir, "$DIR") + "\n"
			golden := strings.TrimSuffix(file, ".toml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("errors differ\n--- got:\n%s--- want:\n%s", got, want)
			}
		})
	}
}
