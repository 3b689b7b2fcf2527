package check

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/action"
)

// told is a Doer whose runs come to the results it is given, in order, and
// which writes a real heat log.
type told struct {
	mu      sync.Mutex
	results []Result
	log     action.HeatLog
}

func (d *told) Check(context.Context) Result {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := Result{Code: 0}
	if len(d.results) > 0 {
		r, d.results = d.results[0], d.results[1:]
	}
	r.Start = time.Now()
	r.Unix = r.Start.Unix()
	return r
}

func (d *told) Signal(syscall.Signal) (int, error) { return 4242, nil }

func (d *told) Script(context.Context, ScriptKind, int, []string) (action.Outcome, error) {
	return action.Outcome{Start: time.Now(), PID: 7}, nil
}

func (d *told) HeatLog(unix int64, line string, text []byte) error {
	return d.log.Record(unix, line, text)
}

// readHistory is the heat log's lines without their "UNIX: " prefixes,
// which it checks.
func readHistory(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	prefix := regexp.MustCompile(`^\d{9,10}: `)
	var lines []string
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\n") || !prefix.MatchString(l) {
			t.Errorf("heat log line %q is not \"UNIX: text\\n\"", l)
		}
		lines = append(lines, strings.TrimSuffix(prefix.ReplaceAllString(l, ""), "\n"))
	}
	return lines
}

// The heat log tells every failed run, with or without stderr, and each
// turn of a recovery.
func TestHeatLogIsTheHistory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "web.log")
		d := &told{log: action.HeatLog{Path: path}, results: []Result{
			// A native probe: no stderr of its own, its reason in a line.
			{Code: 7, Reason: "Failed to connect to 127.0.0.1 port 1: Connection refused"},
			{Code: 124, TimedOut: true, Output: []byte("slow\n")},
			// Verification, attempt 1: both runs fail.
			{Code: 137, Reason: "killed by signal 9", Output: []byte("partial")},
			{Code: 1}, // curl -sf: a failure that writes nothing
			// Attempt 2: verified.
			{Code: 0},
		}}
		spec := Spec{Name: "web", Interval: 10 * time.Second, Timeout: 30 * time.Second,
			Threshold: 2, Recovery: "/r"}
		c := New(&spec, Options{Doer: d, Log: zap.NewNop()})
		stop, cancel := context.WithCancel(context.Background())
		go c.Run(stop, context.Background())
		time.Sleep(time.Minute)
		cancel()
		<-c.Done()

		want := []string{
			"failed: exit code 7 (Failed to connect to 127.0.0.1 port 1: Connection refused)",
			"failed: exit code 124 (timed out after 30s)",
			"slow",
			"failed: exit code 137 (killed by signal 9)",
			"partial",
			"failed: exit code 1",
			"recovery failed (attempt 1): no verification run was ok",
			"recovery verified (attempt 2)",
		}
		if got := readHistory(t, path); !slices.Equal(got, want) {
			t.Errorf("heat log:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	})
}

// A process that a signal ended says so; one that exited with the same
// code did not die of a signal.
func TestKilledBySignalIsTheReason(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		command, reason string
		code            int
	}{
		{"kill -9 $$", "killed by signal 9", 137},
		{"exit 137", "", 137},
		{"sleep 5", "", 124}, // the timeout is the loop's to word
	} {
		spec := &Spec{Name: "a", Dir: t.TempDir(), Timeout: 300 * time.Millisecond, Probe: Command(c.command)}
		r, _ := NewRunner(spec, nil, nil)
		res := r.Check(context.Background())
		r.Close()
		if res.Code != c.code || res.Reason != c.reason {
			t.Errorf("%q: code %d, reason %q; want %d, %q", c.command, res.Code, res.Reason, c.code, c.reason)
		}
	}
}
