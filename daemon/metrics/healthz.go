package metrics

import (
	"net/http"
	"time"
)

// healthz answers GET /healthz by the watchdog's rule: 200 while every
// check's loop is live, 503 with what is wedged otherwise. A load balancer
// or a fleet's prober learns from it what systemd's watchdog learns, with
// no access to the control socket.
func (m *Metrics) healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, r.Method+" /healthz: use GET", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := m.src.Live(time.Now()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not live: " + err.Error() + "\n")) //nolint:errcheck // a client gone is no concern of ours
			return
		}
		w.Write([]byte("ok\n")) //nolint:errcheck // as above
	})
}
