package daemon

import (
	"fmt"
	"os"
	"strings"

	"github.com/coreos/go-systemd/v22/journal"
	"go.uber.org/zap/zapcore"
	"golang.org/x/sys/unix"
)

// Under systemd, stderr is a stream into the journal, and every line that
// comes through it has the unit's one priority (6, info): `journalctl -p
// warning` would find no failure. So when stderr is the journal, heatd
// sends each event to the journal natively instead, with PRIORITY from its
// level and fields of its own to select by (HEATD_EVENT, HEATD_CHECK). The
// MESSAGE is the very line stderr would have had, so `journalctl -o cat`
// still prints one JSON object a line.

// journalIdentifier is SYSLOG_IDENTIFIER: what `journalctl -t` selects by,
// and what a stream from heatd's stderr is named by as well.
const journalIdentifier = "heatd"

// isJournalStream reports whether f is the stream that systemd connected
// to the journal, as JOURNAL_STREAM ("DEVICE:INODE") names it. A file that
// only inherited the variable (a redirected stderr) is not.
func isJournalStream(f *os.File) bool {
	var dev, ino uint64
	if _, err := fmt.Sscanf(os.Getenv("JOURNAL_STREAM"), "%d:%d", &dev, &ino); err != nil {
		return false
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return false
	}
	return st.Dev == dev && st.Ino == ino
}

// journalSink sends each event to the journal natively, and writes it to
// stderr when the journal cannot take it (journald restarting, its socket
// gone), so no event is lost. It tries the journal again at every event
// and never switches to stderr for good: a journald restart is over in a
// moment, and while the socket is gone a send fails at once (ENOENT), so
// trying costs one failed system call, where staying on stderr would put
// every later event at priority 6 for the rest of heatd's life.
type journalSink struct {
	fallback zapcore.WriteSyncer
}

func (j journalSink) write(e zapcore.Entry, fields []zapcore.Field, line []byte) error {
	msg, pri, vars := journalEntry(e, fields, line)
	if journal.Send(msg, pri, vars) == nil {
		return nil
	}
	_, err := j.fallback.Write(line)
	return err
}

func (j journalSink) sync() error { return j.fallback.Sync() }

// journalEntry is what the journal gets for an event: MESSAGE, the line
// stderr would have had; PRIORITY, from the level; and the fields
// SYSLOG_IDENTIFIER, HEATD_EVENT (the event's name) and HEATD_CHECK (its
// check, when it has one).
func journalEntry(e zapcore.Entry, fields []zapcore.Field, line []byte) (string, journal.Priority, map[string]string) {
	vars := map[string]string{
		"SYSLOG_IDENTIFIER": journalIdentifier,
		"HEATD_EVENT":       e.Message,
	}
	if check := checkOf(fields); check != "" {
		vars["HEATD_CHECK"] = check
	}
	return strings.TrimSuffix(string(line), "\n"), priority(e.Level), vars
}

// checkOf is the value of the check field, or "".
func checkOf(fields []zapcore.Field) string {
	for i := len(fields) - 1; i >= 0; i-- {
		if f := fields[i]; f.Key == "check" && f.Type == zapcore.StringType {
			return f.String
		}
	}
	return ""
}

// priority is syslog's priority for a level: error 3, warn 4, info 6,
// debug 7; a panic or fatal event (heatd logs none) is critical, 2.
func priority(l zapcore.Level) journal.Priority {
	switch {
	case l <= zapcore.DebugLevel:
		return journal.PriDebug
	case l == zapcore.InfoLevel:
		return journal.PriInfo
	case l == zapcore.WarnLevel:
		return journal.PriWarning
	case l == zapcore.ErrorLevel:
		return journal.PriErr
	}
	return journal.PriCrit
}
