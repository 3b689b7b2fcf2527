package metrics

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heatd/heatd/check"
)

// A Server serves /metrics until Close, which ends its goroutine and its
// connections (a scraper's kept-alive one included) and frees the port.
func TestServerServesUntilClose(t *testing.T) {
	addr := freeAddr(t)
	m := New(&fakeSource{[]check.Status{{Name: "web", Signals: map[check.SignalKind]uint64{}}}})
	s, err := Listen(addr, m, &beatBoard{})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `heatd_check_up{check="web"} 1`) {
		t.Errorf("scrape: %s\n%s", resp.Status, body)
	}
	// The scraper's connection is still open, kept alive: Close ends it.
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if resp, err := client.Get("http://" + addr + "/metrics"); err == nil {
		resp.Body.Close()
		t.Errorf("a scrape after Close was answered: %s", resp.Status)
	}
	// The port is free again: a reload may bind it anew.
	s, err = Listen(addr, m, &beatBoard{})
	if err != nil {
		t.Fatalf("the port after Close: %v", err)
	}
	s.Close()
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
