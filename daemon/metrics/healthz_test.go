package metrics

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// wedgeable is an engine whose liveness the test decides.
type wedgeable struct {
	fakeSource
	mu    sync.Mutex
	stuck error
}

func (w *wedgeable) Live(time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stuck
}

// /healthz answers on the metrics listener by the watchdog's rule: 200
// while the engine is live, 503 saying what is wedged otherwise, and 200
// again once it is live again.
func TestHealthzFollowsLiveness(t *testing.T) {
	addr := freeAddr(t)
	src := &wedgeable{}
	s, err := Listen(addr, New(src), &beatBoard{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	get := func(method string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+"/healthz", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("GET"); code != 200 || body != "ok\n" {
		t.Errorf("live: %d %q, want 200 \"ok\\n\"", code, body)
	}
	src.mu.Lock()
	src.stuck = errors.New(`check "web" is stuck running: 12s past its deadline`)
	src.mu.Unlock()
	if code, body := get("GET"); code != 503 || !strings.Contains(body, `check "web" is stuck running`) {
		t.Errorf("wedged: %d %q, want 503 naming the check", code, body)
	}
	if code, _ := get("HEAD"); code != 503 {
		t.Errorf("HEAD while wedged: %d, want 503", code)
	}
	if code, _ := get("POST"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", code)
	}
	src.mu.Lock()
	src.stuck = nil
	src.mu.Unlock()
	if code, _ := get("GET"); code != 200 {
		t.Errorf("live again: %d, want 200", code)
	}
}
