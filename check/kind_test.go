package check

import (
	"context"
	"testing"
	"time"
)

// Every kind is found by its key, and makes Probes of its own kind.
func TestKindsRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if k.Key == "" || k.Doc == "" || k.New == nil {
			t.Errorf("kind %+v: a key, a doc line and New are needed", k)
		}
		for _, key := range append([]string{k.Key}, k.Keys...) {
			if seen[key] {
				t.Errorf("key %q belongs to two kinds", key)
			}
			seen[key] = true
		}
		if got, ok := KindOf(k.Key); !ok || got.Key != k.Key {
			t.Errorf("KindOf(%q) = %v, %v", k.Key, got.Key, ok)
		}
		if p := k.New("x"); p.Kind() != k.Key {
			t.Errorf("kind %q makes a probe of kind %q", k.Key, p.Kind())
		}
	}
	if _, ok := KindOf("interval"); ok {
		t.Error("interval is not a kind")
	}
	var keys []string
	for _, k := range Kinds() {
		keys = append(keys, k.Key)
	}
	check(t, keys, []string{"command", "script", "http", "tcp", "process"})
}

// Edit sets a kind's own keys on a probe of that kind, and leaves any
// other alone.
func TestEdit(t *testing.T) {
	http, _ := KindOf("http")
	spec := Spec{Probe: http.New("http://localhost/")}
	if !Edit(&spec, func(h *HTTPProbe) { h.Body = "ok" }) {
		t.Fatal("Edit did not find the HTTPProbe")
	}
	if want := (HTTPProbe{URL: "http://localhost/", Method: "GET", Body: "ok"}); !spec.Equal(&Spec{Probe: want}) {
		t.Errorf("probe %#v, want %#v", spec.Probe, want)
	}
	spec = Spec{Probe: Command("true")}
	if Edit(&spec, func(h *HTTPProbe) { h.Body = "ok" }) || spec.Probe != Command("true") {
		t.Errorf("Edit changed a command: %#v", spec.Probe)
	}
}

// Reload compares Specs: the kind counts, not only its settings' text, and
// equal settings of any kind are equal.
func TestSpecEqualComparesProbes(t *testing.T) {
	a, b := Spec{Probe: Command("/bin/check")}, Spec{Probe: Script("/bin/check")}
	if a.Equal(&b) {
		t.Error("a command and a script of one text are equal")
	}
	h1 := Spec{Probe: HTTPProbe{URL: "http://x/", Status: []int{200}, Headers: map[string]string{"A": "1"}}}
	h2 := Spec{Probe: HTTPProbe{URL: "http://x/", Status: []int{200}, Headers: map[string]string{"A": "1"}}}
	if !h1.Equal(&h2) {
		t.Error("equal http probes differ")
	}
	h2.Probe = HTTPProbe{URL: "http://x/", Status: []int{200}, Headers: map[string]string{"A": "2"}}
	if h1.Equal(&h2) {
		t.Error("http probes with other headers are equal")
	}
}

// A script check runs its file directly, through the registry's Prober.
func TestScriptKindRuns(t *testing.T) {
	spec := Spec{Name: "s", Probe: Script("/bin/false"), Timeout: 5 * time.Second, Dir: t.TempDir()}
	r, _ := NewRunner(&spec, nil, nil)
	defer r.Close()
	if res := r.Check(context.Background()); res.Err != nil || res.Code != 1 || res.PID == 0 {
		t.Errorf("result %+v; want code 1 from a process", res)
	}
}
