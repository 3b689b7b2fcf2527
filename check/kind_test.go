package check

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// sampleReader reads any value as a valid one of the type asked for, so
// that every kind's key that chooses it can be made in a test.
type sampleReader struct{}

func (sampleReader) TypeName(v any) string { return fmt.Sprintf("a %T", v) }
func (sampleReader) String(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a string, not %T", v)
	}
	return s, nil
}
func (r sampleReader) Text(v any) (string, error)        { return r.String(v) }
func (sampleReader) Positive(any) (time.Duration, error) { return time.Minute, nil }
func (sampleReader) Executable(any) (string, error)      { return "/bin/true", nil }
func (sampleReader) HostPort(any) (string, error)        { return "localhost:1", nil }
func (sampleReader) Bool(any) (bool, error)              { return true, nil }
func (sampleReader) Int(any) (int64, error)              { return 1, nil }
func (sampleReader) Shown(v any) string                  { return fmt.Sprint(v) }
func (sampleReader) Decimal(string) bool                 { return true }
func (sampleReader) Table(any, func(string, string) string) (map[string]string, error) {
	return map[string]string{"A": "1"}, nil
}

// Every kind is whole (a key, a doc line, a form, a value), no key
// belongs to two kinds, and each kind's key makes Probes of its own kind
// that its other keys set.
func TestKindsRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if k.Name == "" || k.Doc == "" || k.Form == "" || k.parse == nil || k.set == nil {
			t.Errorf("kind %q: a key, a doc line, a form and a value are needed", k.Name)
		}
		for _, key := range append([]Key{k.Key}, k.Keys...) {
			if seen[key.Name] {
				t.Errorf("key %q belongs to two kinds", key.Name)
			}
			seen[key.Name] = true
		}
		v, err := k.Parse(sampleReader{}, "http://localhost:1/")
		if err != nil {
			t.Fatalf("kind %q: %v", k.Name, err)
		}
		p := k.Set(nil, v)
		if p.Kind() != k.Name {
			t.Errorf("kind %q makes a probe of kind %q", k.Name, p.Kind())
		}
		for _, key := range k.Keys {
			if key.Doc == "" || key.parse == nil || key.set == nil {
				t.Errorf("key %q: a doc line and a value are needed", key.Name)
			}
			if q := key.Set(p, key.Default()); q == nil || q.Kind() != k.Name {
				t.Errorf("key %q set on a %s probe makes %#v", key.Name, k.Name, q)
			}
		}
	}
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	check(t, names, []string{"command", "script", "http", "tcp", "process", "heartbeat"})
}

// A kind's own key sets its Probe, typed, and leaves a Probe of another
// kind (one whose key had a bad value) alone.
func TestFieldSetsItsKindOnly(t *testing.T) {
	body := Field(Reader.String, "", func(h *HTTPProbe, v string) { h.Body = v })
	got := body.Set(HTTPProbe{URL: "http://localhost/"}, "ok")
	if want := (HTTPProbe{URL: "http://localhost/", Body: "ok"}); !(&Spec{Probe: got}).Equal(&Spec{Probe: want}) {
		t.Errorf("probe %#v, want %#v", got, want)
	}
	if got := body.Set(Command("true"), "ok"); got != Command("true") {
		t.Errorf("an http key changed a command: %#v", got)
	}
	if got := body.Set(nil, "ok"); got != nil {
		t.Errorf("an http key made a probe of nothing: %#v", got)
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
