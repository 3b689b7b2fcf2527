package daemon

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/coreos/go-systemd/v22/journal"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/sys/unix"
)

// journalSocket is where go-systemd's journal package sends: a path fixed
// at build time, so these tests can only see it missing (the fallback) or
// journald's own.
const journalSocket = "/run/systemd/journal/socket"

// journalStreamOf sets JOURNAL_STREAM to name f, as systemd does for the
// stderr it connects to the journal.
func journalStreamOf(t *testing.T, f *os.File) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	t.Setenv("JOURNAL_STREAM", fmt.Sprintf("%d:%d", st.Dev, st.Ino))
}

func TestJournalPriorityAndFields(t *testing.T) {
	line := []byte(`{"level":"warn","msg":"check_failed","check":"web"}` + "\n")
	for _, c := range []struct {
		level  zapcore.Level
		fields []zapcore.Field
		pri    journal.Priority
		vars   map[string]string
	}{
		{zapcore.DebugLevel, []zapcore.Field{zap.String("check", "web")}, journal.PriDebug,
			map[string]string{"SYSLOG_IDENTIFIER": "heatd", "HEATD_EVENT": "e", "HEATD_CHECK": "web"}},
		{zapcore.InfoLevel, nil, journal.PriInfo,
			map[string]string{"SYSLOG_IDENTIFIER": "heatd", "HEATD_EVENT": "e"}},
		{zapcore.WarnLevel, []zapcore.Field{zap.Int("exit_code", 7), zap.String("check", "db.primary")}, journal.PriWarning,
			map[string]string{"SYSLOG_IDENTIFIER": "heatd", "HEATD_EVENT": "e", "HEATD_CHECK": "db.primary"}},
		{zapcore.ErrorLevel, []zapcore.Field{zap.Int("check", 3)}, journal.PriErr,
			map[string]string{"SYSLOG_IDENTIFIER": "heatd", "HEATD_EVENT": "e"}},
	} {
		msg, pri, vars := journalEntry(zapcore.Entry{Level: c.level, Message: "e"}, c.fields, line)
		if msg != string(line[:len(line)-1]) {
			t.Errorf("%s: MESSAGE %q, want the line without its newline", c.level, msg)
		}
		if pri != c.pri || !maps.Equal(vars, c.vars) {
			t.Errorf("%s: PRIORITY %d, fields %v; want %d, %v", c.level, pri, vars, c.pri, c.vars)
		}
	}
}

// The journal is used when stderr is the stream JOURNAL_STREAM names, and
// only then.
func TestJournalOnlyForItsStream(t *testing.T) {
	dir := t.TempDir()
	stream, _ := os.Create(filepath.Join(dir, "stream"))
	other, _ := os.Create(filepath.Join(dir, "other"))
	defer stream.Close()
	defer other.Close()
	journalStreamOf(t, stream)
	for _, c := range []struct {
		w       *os.File
		env     string
		journal bool
	}{
		{stream, "", true},
		{other, "", false},
		{stream, "8:", false},
		{stream, "-", false},
	} {
		if c.env != "" {
			t.Setenv("JOURNAL_STREAM", c.env)
		}
		l, err := NewEventLog("json", "info", c.w)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := l.out.(journalSink); ok != c.journal {
			t.Errorf("%s with JOURNAL_STREAM=%s: journal %v, want %v", c.w.Name(), os.Getenv("JOURNAL_STREAM"), ok, c.journal)
		}
	}
}

// A journal that cannot be written (its socket is gone) costs no event:
// each one goes to stderr, whole, one a line.
func TestJournalFallsBackToStderr(t *testing.T) {
	if _, err := os.Stat(journalSocket); err == nil {
		t.Skipf("%s exists: the journal would take the events", journalSocket)
	}
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	journalStreamOf(t, stderr)
	l, err := NewEventLog("json", "debug", stderr)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.out.(journalSink); !ok {
		t.Fatal("the journal's stream did not choose the journal")
	}
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			log := l.Logger().With(zap.String("check", fmt.Sprint("c", w)))
			for i := range each {
				log.Warn("check_failed", zap.Int("n", i))
			}
		})
	}
	wg.Wait()

	if _, err := stderr.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var e struct {
			Msg, Check string
			N          int
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Msg != "check_failed" {
			t.Fatalf("line %q: %v", sc.Bytes(), err)
		}
		if e.N != seen[e.Check] {
			t.Fatalf("%s: event %d after %d", e.Check, e.N, seen[e.Check])
		}
		seen[e.Check]++
	}
	for w := range writers {
		if n := seen[fmt.Sprint("c", w)]; n != each {
			t.Errorf("c%d: %d events on stderr, want %d", w, n, each)
		}
	}
}
