package alert

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// recorder is an HTTP server standing in for Alertmanager's POST
// /api/v2/alerts: it keeps every post, and answers 500 while failing.
type recorder struct {
	srv     *httptest.Server
	failing atomic.Bool

	mu    sync.Mutex
	posts [][]apiAlert
	paths []string
}

// newRecorder starts a recorder, on addr if it is not empty, and stops it
// when the test ends. Start it outside a synctest bubble: its goroutines
// wait on the network, which a bubble's clock cannot wait for.
func newRecorder(t *testing.T, addr string) *recorder {
	t.Helper()
	r := &recorder{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	r.srv = srv
	t.Cleanup(srv.Close)
	return r
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	if r.failing.Load() {
		http.Error(w, "failing on purpose", http.StatusInternalServerError)
		return
	}
	var alerts []apiAlert
	if req.Method != http.MethodPost || json.NewDecoder(req.Body).Decode(&alerts) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.posts = append(r.posts, alerts)
	r.paths = append(r.paths, req.URL.Path)
	r.mu.Unlock()
}

// got returns the posts taken so far.
func (r *recorder) got() [][]apiAlert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]apiAlert(nil), r.posts...)
}

func (r *recorder) url() string { return r.srv.URL }

// path returns the path post i went to.
func (r *recorder) path(i int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paths[i]
}
