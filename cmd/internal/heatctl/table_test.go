package heatctl

import (
	"strings"
	"testing"
	"time"

	"github.com/heatd/heatd/daemon/control"
)

func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{999 * time.Millisecond, "0s"},
		{12 * time.Second, "12s"},
		{119 * time.Second, "119s"},
		{2 * time.Minute, "2m"},
		{3*time.Minute + 59*time.Second, "3m"},
		{119 * time.Minute, "119m"},
		{2 * time.Hour, "2h"},
		{47*time.Hour + 59*time.Minute, "47h"},
		{48 * time.Hour, "2d"},
		{400 * 24 * time.Hour, "400d"},
	} {
		if got := span(tc.d); got != tc.want {
			t.Errorf("span(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	for _, tc := range []struct {
		t         *time.Time
		ago, next string
	}{
		{nil, "-", "-"},
		{at(0), "0s ago", "now"},
		{at(-12500 * time.Millisecond), "12s ago", "now"},
		{at(-3 * time.Minute), "3m ago", "now"},
		{at(300 * time.Millisecond), "0s ago", "in 1s"}, // read a moment apart: never "in 0s"
		{at(17500 * time.Millisecond), "0s ago", "in 18s"},
		{at(18 * time.Second), "0s ago", "in 18s"},
		{at(90 * time.Minute), "0s ago", "in 90m"},
	} {
		if got := ago(tc.t, now); got != tc.ago {
			t.Errorf("ago(%v) = %q, want %q", tc.t, got, tc.ago)
		}
		if got := in(tc.t, now); got != tc.next {
			t.Errorf("in(%v) = %q, want %q", tc.t, got, tc.next)
		}
	}
}

func TestTable(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	var b strings.Builder
	writeTable(&b, []control.CheckStatus{
		{Name: "db", State: "healthy", NextRun: at(17 * time.Second)},
		{Name: "queue.primary", State: "recovering", ConsecutiveFailures: 12, LastResult: str("timeout"),
			LastExitCode: num(124), LastRun: at(-200 * time.Second), NextRun: at(-time.Second), Recoveries: 3},
		{Name: "web", State: "healthy", LastResult: str("ok"), LastExitCode: num(0),
			LastRun: at(-12 * time.Second), NextRun: at(18 * time.Second)},
	}, now)
	want := `NAME           STATE       FAILURES  LAST           LAST RUN  NEXT RUN  RECOVERIES
db             healthy     0         -              -         in 17s    0
queue.primary  recovering  12        timeout (124)  3m ago    now       3
web            healthy     0         ok (0)         12s ago   in 18s    0
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
