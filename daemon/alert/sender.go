package alert

import (
	"context"
	"maps"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Config is [daemon]'s alerting: where to post, what every alert carries,
// how often a firing alert is sent again.
type Config struct {
	// URLs are the Alertmanagers (ParseURL's form); none turns posting off.
	URLs []string
	// Labels are added to every alert (alert_labels).
	Labels map[string]string
	// Resend is the period between posts of a firing alert (alert_resend).
	Resend time.Duration
	// Instance is the instance label; empty means the host name.
	Instance string
}

// DefaultResend is alert_resend's default, Prometheus's own resend delay.
const DefaultResend = time.Minute

// expiryResends is how many resend periods a firing alert's endsAt lies
// ahead, as Prometheus does (four): a post or two may fail without the
// alert flickering to resolved, and an alert whose heatd died resolves
// itself within minutes.
const expiryResends = 4

// maxPostTimeout bounds one post. A post that outlasted a resend period
// would hold up the next resend, so a shorter alert_resend shortens it.
const maxPostTimeout = 10 * time.Second

// flushTimeout bounds the last post at Close: a stopping heatd tells
// Alertmanager what changed in its last moments, but a dead Alertmanager
// must not hold up a stop.
const flushTimeout = 2 * time.Second

// failLogEvery is the least time between alert_send_failed events: a down
// Alertmanager fails every resend, and one line a minute says so.
const failLogEvery = time.Minute

// Sender holds heatd's alerts and posts them. Its methods never wait for
// the network, nor for the goroutine that posts: they leave the change in
// a small pending map, which that goroutine takes whole at its next look.
type Sender struct {
	log    *zap.Logger
	client *http.Client
	cfg    atomic.Pointer[Config]

	mu      sync.Mutex
	pending map[key]op // the latest change to each alert, not yet taken
	closed  bool

	// alerts belongs to the posting goroutine alone.
	alerts table

	failMu     sync.Mutex
	lastFail   time.Time // when alert_send_failed was last written
	suppressed int       // failures since then

	sentOK, sentFailed atomic.Uint64

	wake   chan struct{} // capacity 1: a change since the loop last looked
	stop   chan struct{}
	done   chan struct{}
	ctx    context.Context // ends posts under way when Close gives up
	cancel context.CancelFunc
}

// op is a change to one alert: fired with its annotations, or resolved.
type op struct {
	resolve bool
	ann     Annotations
	at      time.Time
}

// New starts a Sender. Close it to stop its goroutine.
func New(cfg Config, log *zap.Logger) *Sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sender{
		log: log,
		client: &http.Client{Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment,
			// A post a minute needs no connection held between posts,
			// and a held one that went stale costs a timeout.
			DisableKeepAlives: true,
		}},
		pending: map[key]op{},
		alerts:  table{},
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
	}
	c := normalize(cfg)
	s.cfg.Store(&c)
	go s.run()
	return s
}

// normalize fills a Config's defaults and copies what the caller could
// change afterwards.
func normalize(cfg Config) Config {
	if cfg.Resend <= 0 {
		cfg.Resend = DefaultResend
	}
	if cfg.Instance == "" {
		cfg.Instance, _ = os.Hostname()
	}
	cfg.URLs = slices.Clone(cfg.URLs)
	cfg.Labels = maps.Clone(cfg.Labels)
	return cfg
}

// Fire raises alert a for check, or updates the annotations of one that
// already fires. A paused check fires nothing new, so when paused is true
// Fire does nothing: the caller knows whether the check is paused, and an
// alert that fired before the pause keeps firing until it is resolved.
func (s *Sender) Fire(a Alert, check string, ann Annotations, paused bool) {
	if !paused {
		s.change(key{a, check}, op{ann: ann, at: time.Now()})
	}
}

// Resolve resolves alert a for check, if it fires; Alertmanager hears of it
// once more, with its endsAt.
func (s *Sender) Resolve(a Alert, check string) {
	s.change(key{a, check}, op{resolve: true, at: time.Now()})
}

// change leaves an alert's change for the posting goroutine and wakes it.
// A change replaces the one before it that was not yet taken: only the
// latest counts, and the map stays as small as the alerts that changed.
func (s *Sender) change(k key, o op) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	_, had := s.pending[k]
	fits := had || len(s.pending) < maxAlerts
	if fits {
		s.pending[k] = o
	}
	s.mu.Unlock()
	if !fits {
		s.tooMany(k)
		return
	}
	s.poke()
}

// tooMany counts and tells of an alert dropped because maxAlerts are held.
func (s *Sender) tooMany(k key) {
	s.sentFailed.Add(1)
	s.failed(func() []zap.Field {
		return []zap.Field{zap.String("check", k.check), zap.String("alert", k.alert.Name()),
			zap.String("reason", "too many alerts held")}
	})
}

// take returns the pending changes and leaves an empty map in their place.
func (s *Sender) take() map[key]op {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return nil
	}
	p := s.pending
	s.pending = map[key]op{}
	return p
}

// SetConfig applies a reload. Alerts that fire keep firing; an Alertmanager
// list that changed hears of all of them at once.
func (s *Sender) SetConfig(cfg Config) {
	c := normalize(cfg)
	s.cfg.Store(&c)
	s.poke()
}

// Sent counts alerts posted, per Alertmanager, that were taken (ok) and
// that were not (failed), for heatd_alerts_sent_total.
func (s *Sender) Sent() (ok, failed uint64) {
	return s.sentOK.Load(), s.sentFailed.Load()
}

// Close stops the Sender after one last post of what changed since the
// last one, bounded by flushTimeout. Alerts still firing are not resolved:
// heatd stopping says nothing of the checks, and their endsAt resolves them
// within a few resend periods unless a heatd sends them again.
func (s *Sender) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	t := time.AfterFunc(flushTimeout, s.cancel)
	<-s.done
	t.Stop()
	s.cancel()
	s.client.CloseIdleConnections()
}

// poke wakes the loop without waiting.
func (s *Sender) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// failed writes alert_send_failed unless one was written in the last
// minute; the next one says how many failures it stood for.
func (s *Sender) failed(fields func() []zap.Field) {
	now := time.Now()
	s.failMu.Lock()
	if !s.lastFail.IsZero() && now.Sub(s.lastFail) < failLogEvery {
		s.suppressed++
		s.failMu.Unlock()
		return
	}
	n := s.suppressed
	s.lastFail, s.suppressed = now, 0
	s.failMu.Unlock()
	f := fields()
	if n > 0 {
		f = append(f, zap.Int("suppressed", n))
	}
	s.log.Warn("alert_send_failed", f...)
}
