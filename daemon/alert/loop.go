package alert

import (
	"context"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"
)

// slackDivisor sets how early a resend may go out: a tenth of a period, so
// that alerts fired seconds apart share their resends' posts, while none is
// sent again much sooner than alert_resend says.
const slackDivisor = 10

// run posts alerts as they change and as their resends fall due, until
// Close.
func (s *Sender) run() {
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var prev *Config // as the last cycle had it
	for {
		select {
		case <-s.stop:
			s.cycle(true)
			return
		case <-s.wake:
		case <-timer.C:
		}
		cfg := s.cfg.Load()
		if prev != nil && relabeled(*prev, *cfg) {
			s.retract(*prev)
		}
		if prev == nil || !slices.Equal(cfg.URLs, prev.URLs) || relabeled(*prev, *cfg) {
			// A new Alertmanager, or new labels, must hear of what
			// already fires.
			s.alerts.markAll()
		}
		prev = cfg
		if next := s.cycle(false); !next.IsZero() {
			timer.Reset(time.Until(next))
		} else {
			timer.Stop()
		}
	}
}

// cycle posts what is due to every Alertmanager and tells when the next
// alert falls due. The last cycle, at Close, posts only what changed.
func (s *Sender) cycle(last bool) time.Time {
	for k, o := range s.take() {
		if o.resolve {
			s.alerts.resolve(k, o.at)
		} else if !s.alerts.fire(k, o.ann, o.at) {
			s.tooMany(k)
		}
	}
	now := time.Now()
	cfg := *s.cfg.Load()
	expiry := expiryResends * cfg.Resend
	ds := s.alerts.collect(now, cfg.Resend, cfg.Resend/slackDivisor, expiry)
	if last {
		ds = changedOnly(ds)
	}

	allOK := true
	if len(ds) > 0 && len(cfg.URLs) > 0 {
		timeout := min(maxPostTimeout, cfg.Resend)
		if last {
			timeout = min(timeout, flushTimeout)
		}
		allOK = s.postAll(cfg, ds, now, timeout)
	}

	s.alerts.sent(ds, time.Now(), allOK)
	return s.alerts.next(time.Now(), cfg.Resend)
}

// changedOnly keeps the alerts that changed since they were last posted.
func changedOnly(ds []due) []due {
	out := ds[:0]
	for _, d := range ds {
		if d.entry.dirty {
			out = append(out, d)
		}
	}
	return out
}

// postAll posts alerts to every Alertmanager at once, so a hung one holds
// up no other, and tells whether all of them took all of it.
func (s *Sender) postAll(cfg Config, ds []due, now time.Time, timeout time.Duration) bool {
	var wg sync.WaitGroup
	oks := make([]bool, len(cfg.URLs))
	for i, base := range cfg.URLs {
		wg.Go(func() { oks[i] = s.postOne(cfg, endpoint(base), ds, now, timeout) })
	}
	wg.Wait()
	for _, ok := range oks {
		if !ok {
			return false
		}
	}
	return true
}

// postOne posts alerts to one Alertmanager in batches, each encoded when
// its turn comes and posted under its own timeout; after a failed batch the
// rest wait for the next resend, as a down Alertmanager would only time
// them out one by one.
func (s *Sender) postOne(cfg Config, url string, ds []due, now time.Time, timeout time.Duration) bool {
	expiry := expiryResends * cfg.Resend
	for start := 0; start < len(ds); start += maxBatch {
		batch := encode(ds[start:min(start+maxBatch, len(ds))], cfg, now, expiry)
		ctx, cancel := context.WithTimeout(s.ctx, timeout)
		err := post(ctx, s.client, url, batch)
		cancel()
		if err != nil {
			left := len(ds) - start
			s.sentFailed.Add(uint64(left))
			s.failed(func() []zap.Field {
				return []zap.Field{zap.String("url", url), zap.Int("alerts", left), zap.Error(err)}
			})
			return false
		}
		s.sentOK.Add(uint64(len(batch)))
	}
	return true
}
