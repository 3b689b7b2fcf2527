package daemon

import (
	"bytes"
	"encoding/json"
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
