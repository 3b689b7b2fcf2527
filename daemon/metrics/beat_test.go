package metrics

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

// beatBoard takes beats for the heartbeat checks it names, as the engine
// hands them on.
type beatBoard struct {
	mu    sync.Mutex
	beats map[string][]check.Beat
}

func (b *beatBoard) Beat(name string, beat check.Beat) error {
	if err := beat.Validate(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.beats[name]; !ok {
		return &check.NoHeartbeatError{Name: name}
	}
	b.beats[name] = append(b.beats[name], beat)
	return nil
}

// POST /beat/NAME on the metrics listener is a beat: 204 when the heartbeat
// check took it, ?fail=CODE with the body as message for a failed job; 404
// for a name that is no heartbeat check's, 405 for another method, 400 for
// a bad code, 413 for a body past the bound.
func TestBeatEndpoint(t *testing.T) {
	addr := freeAddr(t)
	board := &beatBoard{beats: map[string][]check.Beat{"backup": nil}}
	s, err := Listen(addr, New(&fakeSource{}), board)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPost, "/beat/backup", "", http.StatusNoContent},
		{http.MethodPost, "/beat/backup?fail=3", "disk full\n", http.StatusNoContent},
		{http.MethodPost, "/beat/web", "", http.StatusNotFound},
		{http.MethodPost, "/beat/", "", http.StatusNotFound},
		{http.MethodGet, "/beat/backup", "", http.StatusMethodNotAllowed},
		{http.MethodPut, "/beat/backup", "", http.StatusMethodNotAllowed},
		{http.MethodPost, "/beat/backup?fail=0", "", http.StatusBadRequest},
		{http.MethodPost, "/beat/backup?fail=x", "", http.StatusBadRequest},
		{http.MethodPost, "/beat/backup?fail=256", "", http.StatusBadRequest},
		{http.MethodPost, "/beat/backup?fail=1", strings.Repeat("x", maxBeatBody+1), http.StatusRequestEntityTooLarge},
	} {
		req, _ := http.NewRequest(tc.method, "http://"+addr+tc.path, strings.NewReader(tc.body))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s: %s, want %d", tc.method, tc.path, resp.Status, tc.want)
		}
	}
	board.mu.Lock()
	defer board.mu.Unlock()
	if want := []check.Beat{{}, {Code: 3, Message: "disk full"}}; !slices.Equal(board.beats["backup"], want) {
		t.Errorf("beats %+v, want %+v", board.beats["backup"], want)
	}
}
