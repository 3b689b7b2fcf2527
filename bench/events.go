package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// checkRun is one check_ok event: a run that ended well.
type checkRun struct {
	check   int           // checkIndex of its check
	start   time.Time     // ts − duration: when it started, to within the reaping
	late    time.Duration // heatd's own "late" field when it gives one
	hasLate bool
}

// eventLog reads heatd's events (JSON lines on its stderr) as they come:
// it counts check_ok events, keeps them when asked, and keeps every event
// above debug and every line that is not an event, for the report.
type eventLog struct {
	mu      sync.Mutex
	changed *sync.Cond
	ok      int        // check_ok events so far
	keep    bool       // keep runs
	runs    []checkRun // when keep
	notable []string
	loaded  []time.Time // config_loaded events' ts
	done    bool        // heatd's stderr is closed
	raw     io.Writer   // every line that is not an event (a goroutine dump); nil: none
}

func newEventLog(keep bool, raw io.Writer) *eventLog {
	l := &eventLog{keep: keep, raw: raw}
	l.changed = sync.NewCond(&l.mu)
	return l
}

// event is the part of an event heatbench reads.
type event struct {
	Level    string   `json:"level"`
	TS       string   `json:"ts"`
	Msg      string   `json:"msg"`
	Check    string   `json:"check"`
	Duration float64  `json:"duration"` // seconds
	Late     *float64 `json:"late"`     // seconds
}

// read reads r to its end.
func (l *eventLog) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l.line(sc.Text())
	}
	l.mu.Lock()
	l.done = true
	l.changed.Broadcast()
	l.mu.Unlock()
}

func (l *eventLog) line(text string) {
	var e event
	if err := json.Unmarshal([]byte(text), &e); err != nil {
		l.note(text)
		if l.raw != nil {
			fmt.Fprintln(l.raw, text)
		}
		return
	}
	switch e.Msg {
	case "check_ok":
		r, err := e.run()
		l.mu.Lock()
		l.ok++
		if l.keep && err == nil {
			l.runs = append(l.runs, r)
		}
		l.changed.Broadcast()
		l.mu.Unlock()
		if err != nil {
			l.note(fmt.Sprintf("unreadable check_ok (%v): %s", err, text))
		}
		return
	case "config_loaded":
		if ts, err := time.Parse(time.RFC3339Nano, e.TS); err == nil {
			l.mu.Lock()
			l.loaded = append(l.loaded, ts)
			l.mu.Unlock()
		}
	}
	if e.Level != "debug" && e.Level != "info" {
		l.note(text)
	}
}

// run reads a check_ok event.
func (e event) run() (checkRun, error) {
	ts, err := time.Parse(time.RFC3339Nano, e.TS)
	if err != nil {
		return checkRun{}, err
	}
	r := checkRun{check: checkIndex(e.Check), start: ts.Add(-seconds(e.Duration))}
	if e.Late != nil {
		r.late, r.hasLate = seconds(*e.Late), true
	}
	return r, nil
}

// seconds is an event's duration field, a number of seconds, as a Duration.
func seconds(s float64) time.Duration {
	return time.Duration(s * float64(time.Second))
}

// note keeps a line worth showing (the first few hundred).
func (l *eventLog) note(text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.notable) < 200 {
		l.notable = append(l.notable, text)
	}
}

// waitCount waits until n check_ok events have come, or timeout, or ctx
// ends.
func (l *eventLog) waitCount(ctx context.Context, n int, timeout time.Duration) error {
	wake := func() {
		l.mu.Lock()
		l.changed.Broadcast()
		l.mu.Unlock()
	}
	t := time.AfterFunc(timeout, wake)
	defer t.Stop()
	defer context.AfterFunc(ctx, wake)()
	deadline := time.Now().Add(timeout)
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.ok < n {
		switch {
		case l.done:
			return fmt.Errorf("heatd ended after %d of %d runs", l.ok, n)
		case ctx.Err() != nil:
			return ctx.Err()
		case !time.Now().Before(deadline):
			return fmt.Errorf("%d of %d runs after %s", l.ok, n, timeout)
		}
		l.changed.Wait()
	}
	return nil
}

// takeRuns are the runs kept so far.
func (l *eventLog) takeRuns() []checkRun {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]checkRun(nil), l.runs...)
}

// notables are the lines worth showing: warnings, errors, anything not an
// event.
func (l *eventLog) notables() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.notable...)
}

// summary is the first notable lines, for an error message.
func (l *eventLog) summary() string {
	n := l.notables()
	if len(n) > 5 {
		n = n[:5]
	}
	return strings.Join(n, "\n")
}
