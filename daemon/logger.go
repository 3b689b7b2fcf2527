package daemon

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync/atomic"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// EventLog is heatd's event log: one line per event on a writer, JSON or
// console, "msg" being the event's name; or, when the writer is the
// systemd journal's stream, the same line sent to the journal natively
// (journal.go). Its format and level can change while loggers made from it
// are in use (a reload). It never samples: a failure is never dropped to
// save a line.
type EventLog struct {
	out   sink
	level zap.AtomicLevel
	enc   atomic.Pointer[zapcore.Encoder]
}

// sink is where an event's encoded line goes.
type sink interface {
	// write takes one event: its entry, all its fields, and its line.
	write(e zapcore.Entry, fields []zapcore.Field, line []byte) error
	sync() error
}

// stream is a sink that writes the lines to a writer.
type stream struct{ w zapcore.WriteSyncer }

func (s stream) write(_ zapcore.Entry, _ []zapcore.Field, line []byte) error {
	_, err := s.w.Write(line)
	return err
}

func (s stream) sync() error { return s.w.Sync() }

// NewEventLog makes an event log on w: through the journal when w is the
// journal's stream (JOURNAL_STREAM names it), and w when the journal
// cannot take an event.
func NewEventLog(format, level string, w io.Writer) (*EventLog, error) {
	ws := zapcore.Lock(zapcore.AddSync(w))
	l := &EventLog{out: stream{ws}, level: zap.NewAtomicLevel()}
	if f, ok := w.(*os.File); ok && isJournalStream(f) {
		l.out = journalSink{fallback: ws}
	}
	if err := l.Set(format, level); err != nil {
		return nil, err
	}
	return l, nil
}

// Set changes the format and level of every logger made from l.
func (l *EventLog) Set(format, level string) error {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return fmt.Errorf("log_level %q: %w", level, err)
	}
	enc, err := encoder(format)
	if err != nil {
		return err
	}
	l.enc.Store(&enc)
	l.level.SetLevel(lvl)
	return nil
}

// Logger is a logger writing to l.
func (l *EventLog) Logger() *zap.Logger { return zap.New(switchCore{log: l}) }

func encoder(format string) (zapcore.Encoder, error) {
	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey = "ts"
	cfg.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	// Seconds as a number ("duration": 0.0123), in both formats: jq and
	// alert rules compare numbers, and "979µs" is not one.
	cfg.EncodeDuration = zapcore.SecondsDurationEncoder
	switch format {
	case "json", "":
		return zapcore.NewJSONEncoder(cfg), nil
	case "console":
		cfg.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
		cfg.EncodeLevel = zapcore.CapitalLevelEncoder
		return zapcore.NewConsoleEncoder(cfg), nil
	}
	return nil, fmt.Errorf("log_format %q is not json or console", format)
}

// switchCore writes through whatever encoder its EventLog holds now. It
// keeps its context fields itself, so a new encoder takes them too.
type switchCore struct {
	log    *EventLog
	fields []zapcore.Field
}

func (s switchCore) Enabled(l zapcore.Level) bool { return s.log.level.Enabled(l) }

func (s switchCore) With(f []zapcore.Field) zapcore.Core {
	return switchCore{log: s.log, fields: append(slices.Clip(s.fields), f...)}
}

func (s switchCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if s.Enabled(e.Level) {
		return ce.AddCore(e, s)
	}
	return ce
}

func (s switchCore) Write(e zapcore.Entry, f []zapcore.Field) error {
	enc := *s.log.enc.Load()
	fields := append(slices.Clip(s.fields), f...)
	buf, err := enc.EncodeEntry(e, fields)
	if err != nil {
		return err
	}
	err = s.log.out.write(e, fields, buf.Bytes())
	buf.Free()
	return err
}

func (s switchCore) Sync() error { return s.log.out.sync() }
