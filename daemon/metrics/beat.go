package metrics

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/heatd/heatd/check"
)

// A job reports to its heartbeat check with POST /beat/NAME on the metrics
// listener, so that a job on another host (or in a container without the
// control socket) needs nothing but HTTP: `curl -fsS -X POST
// http://host:9797/beat/backup`. A failed job adds ?fail=CODE, its body
// being the message. Whoever reaches the listener may beat, as whoever
// reaches it may scrape: it is for a trusted network.

// beatPath heads the path of a beat: /beat/NAME.
const beatPath = "/beat/"

// maxBeatBody bounds a beat's body, the failed job's message: a line or
// two; heatd keeps 1 KiB of it.
const maxBeatBody = 8 << 10

// Beater takes a job's report for its heartbeat check: heatd's engine. It
// returns a *check.NoHeartbeatError for a name that is no heartbeat check's.
type Beater interface {
	Beat(name string, b check.Beat) error
}

// beatHandler answers POST /beat/NAME[?fail=CODE]: 204 when the heartbeat
// check took the report, 404 for a name that is no heartbeat check's, 405
// for another method, 400 for a bad code, 413 for a body past the bound.
func beatHandler(beats Beater) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "a beat is a POST", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, beatPath)
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBeatBody))
		if err != nil {
			http.Error(w, "a beat's body is a message of a few lines at most", http.StatusRequestEntityTooLarge)
			return
		}
		var b check.Beat
		if fail := r.URL.Query().Get("fail"); fail != "" {
			code, err := strconv.Atoi(fail)
			if err != nil || code < 1 {
				http.Error(w, "fail must be the failed job's exit code, from 1 to 255, not "+strconv.Quote(fail), http.StatusBadRequest)
				return
			}
			b = check.Beat{Code: code, Message: strings.TrimSpace(string(body))}
		}
		err = beats.Beat(name, b)
		var nh *check.NoHeartbeatError
		switch {
		case err == nil:
			w.WriteHeader(http.StatusNoContent)
		case errors.As(err, &nh):
			http.Error(w, err.Error(), http.StatusNotFound)
		default:
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
}
