package check

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// A `heartbeat = "10m"` check runs nothing: a job reports in (`heatctl beat
// NAME`, or POST /beat/NAME on metrics_listen), and the check fails when no
// report came for the heartbeat's length: a cron job's dead-man's switch.
// Before the first report, the wait counts from when heatd began watching.
// A report of a failed job (`--fail CODE`) fails the next run with that
// code; it is a report all the same, so the wait starts again from it.

// HeartbeatProbe is a `heartbeat = "DURATION"` check.
type HeartbeatProbe struct {
	Every time.Duration // the longest wait for a beat that is still ok
}

// heartbeatKind is the registry's entry for HeartbeatProbe.
func heartbeatKind() Kind {
	return Kind{
		Key: Key{Name: "heartbeat",
			Doc: "a passive check: ok while a job reported in (`heatctl beat NAME`, `POST /beat/NAME`) within this duration; " +
				"`interval` is then a tenth of it unless set (1s at least)",
			Value: Make(Reader.Positive, func(d time.Duration) Probe { return HeartbeatProbe{Every: d} })},
		Form: `"DURATION"`,
	}
}

// Kind is the config key of a heartbeat check.
func (HeartbeatProbe) Kind() string { return "heartbeat" }

// minHeartbeatInterval is the shortest default interval: looking more often
// than every second costs a wake-up for nothing, as a beat's age is not
// worth knowing to the millisecond.
const minHeartbeatInterval = time.Second

// DefaultInterval is a tenth of the heartbeat, so that a missed beat is
// seen within a tenth of its wait; 1 s at least.
func (h HeartbeatProbe) DefaultInterval() time.Duration {
	return max(h.Every/10, minHeartbeatInterval)
}

// Prepare makes the check's beat board: no beat yet, the wait starting now.
func (h HeartbeatProbe) Prepare(*Spec, []string) Prober {
	return &heartbeat{every: h.Every, last: time.Now()}
}

// Beat is a job's report to its heartbeat check: it ran; with Code ≠ 0 it
// failed with that code, Message saying how.
type Beat struct {
	Code    int
	Message string
}

// Validate says what is wrong with b: a code is an exit status, 0 (ok) to 255.
func (b Beat) Validate() error {
	if b.Code < 0 || b.Code > 255 {
		return fmt.Errorf("the code of a failed job must be from 1 to 255, not %d", b.Code)
	}
	return nil
}

// NoHeartbeatError is a beat for a name that is no heartbeat check's.
type NoHeartbeatError struct {
	Name   string
	Exists bool // a check of another kind has the name
}

// Error says which: no check of the name, or one of another kind.
func (e *NoHeartbeatError) Error() string {
	if e.Exists {
		return fmt.Sprintf("check %q is not a heartbeat check", e.Name)
	}
	return fmt.Sprintf("no check named %q", e.Name)
}

// codeNoHeartbeat is a run's code when no beat came in time: 1, as a
// script that finds its job's stamp file too old would exit.
const codeNoHeartbeat = 1

// maxBeatMessage bounds what a run keeps of a failed job's message: it is
// one heat log line and an event's output, not a dump.
const maxBeatMessage = 1 << 10

// heartbeat is the Prober of a heartbeat check: its runs read the beats
// that Beat records from outside, under mu.
type heartbeat struct {
	every time.Duration

	mu     sync.Mutex
	last   time.Time // the latest beat; before any, when the watch began
	failed *Beat     // a failed job reported since the last run
}

// Beat records a report, now.
func (h *heartbeat) Beat(b Beat) {
	now := time.Now()
	if b.Code != 0 {
		b.Message = boundMessage(b.Message)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = now
	if b.Code != 0 {
		h.failed = &b
	}
}

// keep takes over the beats of from, the Prober of the check's settings
// before a change: a job's last report is a fact about the job, not about
// the configuration, so changing the check neither forgets it nor makes
// the wait start again.
func (h *heartbeat) keep(from Prober) {
	old, ok := from.(*heartbeat)
	if !ok {
		return
	}
	old.mu.Lock()
	last, failed := old.last, old.failed
	old.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last, h.failed = last, failed
}

// startsNoProcess: a heartbeat reads its beats, with no process (inProcess).
func (*heartbeat) startsNoProcess() {}

// Run is ok while the latest beat is younger than the heartbeat. A failed
// job's report fails it with the job's code, once.
func (h *heartbeat) Run(ctx context.Context) Result {
	start := time.Now()
	r := Result{Start: start, Unix: start.Unix()}
	if ctx.Err() != nil {
		r.Interrupted = true
		r.Err = fmt.Errorf("not started: %w", context.Cause(ctx))
		return r
	}
	h.mu.Lock()
	last, failed := h.last, h.failed
	h.failed = nil
	h.mu.Unlock()
	switch {
	case failed != nil:
		r.Code = failed.Code
		msg := failed.Message
		if msg == "" {
			msg = fmt.Sprintf("the job reported a failure, code %d", failed.Code)
		}
		r.Output = []byte(oneLine(msg) + "\n")
	case start.Sub(last) >= h.every:
		r.Code = codeNoHeartbeat
		r.Output = []byte("no heartbeat for " + shortDuration(h.every) + "\n")
	}
	r.Duration = time.Since(start)
	return r
}

// Close has nothing to release.
func (h *heartbeat) Close() {}

// boundMessage is msg cut to maxBeatMessage bytes, at a character.
func boundMessage(msg string) string {
	if len(msg) <= maxBeatMessage {
		return msg
	}
	cut := maxBeatMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// shortDuration writes d as a config would: "10m", not Go's "10m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
