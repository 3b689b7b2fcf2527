package daemon

import (
	"fmt"
	"io"
	"slices"
	"sync/atomic"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// EventLog is heatd's event log: one line per event on a writer, JSON or
// console, "msg" being the event's name. Its format and level can change
// while loggers made from it are in use (a reload). It never samples: a
// failure is never dropped to save a line.
type EventLog struct {
	w     zapcore.WriteSyncer
	level zap.AtomicLevel
	enc   atomic.Pointer[zapcore.Encoder]
}

// NewEventLog makes an event log on w.
func NewEventLog(format, level string, w io.Writer) (*EventLog, error) {
	l := &EventLog{w: zapcore.Lock(zapcore.AddSync(w)), level: zap.NewAtomicLevel()}
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
	buf, err := enc.EncodeEntry(e, append(slices.Clip(s.fields), f...))
	if err != nil {
		return err
	}
	_, err = s.log.w.Write(buf.Bytes())
	buf.Free()
	return err
}

func (s switchCore) Sync() error { return s.log.w.Sync() }
