package daemon

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

// Every duration in an event is a number of seconds, which jq compares.
func TestEventDurationsAreSeconds(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewEventLog("json", "debug", &buf)
	if err != nil {
		t.Fatal(err)
	}
	l.Logger().Warn("check_failed", zap.String("check", "web"), zap.Duration("duration", 1500*time.Millisecond),
		zap.Duration("queued", 979*time.Microsecond))
	var e map[string]any
	if err := json.Unmarshal(buf.Bytes(), &e); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	if e["duration"] != 1.5 || e["queued"] != 0.000979 {
		t.Errorf("durations %v and %v, want 1.5 and 0.000979: %s", e["duration"], e["queued"], buf.Bytes())
	}

	buf.Reset()
	if err := l.Set("console", "debug"); err != nil {
		t.Fatal(err)
	}
	l.Logger().Warn("check_failed", zap.Duration("duration", 1500*time.Millisecond))
	if !strings.Contains(buf.String(), `{"duration": 1.5}`) {
		t.Errorf("console line %q: want the duration in seconds", buf.String())
	}
}

// eventCall is an event logged in heatd's code: its level and its name.
var eventCall = regexp.MustCompile(`\.(Debug|Info|Warn|Error)\("([a-z_]+)"`)

// readmeEvent is a row of the README's table of events: name and level.
var readmeEvent = regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([^|]+) \\|")

// nextHeading ends the README's Events section.
var nextHeading = regexp.MustCompile(`\n##+ `)

// The README documents every event heatd logs, with its level, and no
// event that heatd does not log.
func TestReadmeDocumentsEveryEvent(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n### Events\n")
	if !ok {
		t.Fatal(`README.md has no "### Events" section`)
	}
	if end := nextHeading.FindStringIndex(section); end != nil {
		section = section[:end[0]]
	}
	documented := map[string]string{} // event: its level column
	for _, m := range readmeEvent.FindAllStringSubmatch(section, -1) {
		documented[m[1]] = m[2]
	}

	logged := map[string]bool{}
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "testdata" || d.Name() == "bench" || strings.HasPrefix(d.Name(), ".") && path != ".."):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range eventCall.FindAllStringSubmatch(string(src), -1) {
			level, name := strings.ToLower(m[1]), m[2]
			logged[name] = true
			doc, ok := documented[name]
			switch {
			case !ok:
				t.Errorf("%s logs %s, which the README's Events table does not list", path, name)
			case !strings.Contains(doc, level):
				t.Errorf("%s logs %s at %s; the README says %q", path, name, level, strings.TrimSpace(doc))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(logged) < 10 {
		t.Fatalf("found only %d events in the code: %v", len(logged), logged)
	}
	for name := range documented {
		if !logged[name] {
			t.Errorf("the README lists %s, which heatd never logs", name)
		}
	}
}
