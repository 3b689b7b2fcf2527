package control

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heatd/heatd/check"
)

// A beat reaches the heartbeat check it names, with a failed job's code and
// message; a name that is no heartbeat check's is a 404 that says which.
func TestBeat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	src := &fakeSource{statuses: statuses(), beats: map[string][]check.Beat{"backup": nil}}
	serve(t, path, testLimits(), src)
	c := Dial(path)

	if err := c.Beat(ctx(t), "backup", BeatRequest{}); err != nil {
		t.Fatalf("a beat: %v", err)
	}
	if err := c.Beat(ctx(t), "backup", BeatRequest{FailCode: 3, Message: "disk full"}); err != nil {
		t.Fatalf("a failed job's beat: %v", err)
	}
	src.mu.Lock()
	got := slices.Clone(src.beats["backup"])
	src.mu.Unlock()
	if want := []check.Beat{{}, {Code: 3, Message: "disk full"}}; !slices.Equal(got, want) {
		t.Errorf("beats %+v, want %+v", got, want)
	}

	var ae *AnswerError
	err := c.Beat(ctx(t), "web", BeatRequest{})
	if !errors.As(err, &ae) || ae.Code != http.StatusNotFound || ae.Message != `check "web" is not a heartbeat check` || ae.Unknown != nil {
		t.Errorf("a beat to a command check: %#v", err)
	}
	err = c.Beat(ctx(t), "nope", BeatRequest{})
	if !errors.As(err, &ae) || ae.Code != http.StatusNotFound || ae.Message != `no check named "nope"` ||
		!slices.Equal(ae.Unknown, []string{"nope"}) {
		t.Errorf("a beat to no check: %#v", err)
	}
	err = c.Beat(ctx(t), "backup", BeatRequest{FailCode: 300})
	if !errors.As(err, &ae) || ae.Code != http.StatusBadRequest || !strings.Contains(ae.Message, "from 1 to 255") {
		t.Errorf("a code of 300: %#v", err)
	}
}

// A beat is a POST with a bounded JSON body: another method, a body that is
// not JSON, or one past the bound is refused, and nothing reaches a check.
func TestBeatRequestBounds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heatd.sock")
	src := &fakeSource{beats: map[string][]check.Beat{"backup": nil}}
	serve(t, path, testLimits(), src)
	client := http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}}
	defer client.CloseIdleConnections()
	for _, tc := range []struct {
		method, body string
		want         int
	}{
		{http.MethodGet, "", http.StatusMethodNotAllowed},
		{http.MethodPost, "fail", http.StatusBadRequest},
		{http.MethodPost, `{"message": "` + strings.Repeat("x", maxBeatBody) + `"}`, http.StatusRequestEntityTooLarge},
		{http.MethodPost, "", http.StatusOK},
	} {
		req, _ := http.NewRequestWithContext(ctx(t), tc.method, "http://heatd/v1/beat/backup", bytes.NewReader([]byte(tc.body)))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s with %d bytes: %d, want %d", tc.method, len(tc.body), resp.StatusCode, tc.want)
		}
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	if n := len(src.beats["backup"]); n != 1 {
		t.Errorf("%d beats reached the check, want the one good request's", n)
	}
}
