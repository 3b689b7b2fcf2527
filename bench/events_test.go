package main

import (
	"testing"
	"time"
)

func TestCheckOKDurationsAreSeconds(t *testing.T) {
	l := newEventLog(true, nil)
	l.line(`{"level":"debug","ts":"2026-12-03T10:00:01Z","msg":"check_ok","check":"c7","duration":0.25,"late":0.0015}`)
	if l.ok != 1 || len(l.runs) != 1 {
		t.Fatalf("check_ok not read: ok %d, runs %d, notable %q", l.ok, len(l.runs), l.notable)
	}
	r := l.runs[0]
	if want := time.Date(2026, 12, 3, 10, 0, 0, 750e6, time.UTC); !r.start.Equal(want) {
		t.Errorf("start %v, want %v", r.start, want)
	}
	if !r.hasLate || r.late != 1500*time.Microsecond {
		t.Errorf("late %v (%v), want 1.5ms", r.late, r.hasLate)
	}
}
