package config

import (
	"math"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   any
		want time.Duration
		err  string
	}{
		{int64(30), 30 * time.Second, ""},
		{0.5, 500 * time.Millisecond, ""},
		{"30", 30 * time.Second, ""},
		{"0.25", 250 * time.Millisecond, ""},
		{"1m30s", 90 * time.Second, ""},
		{"500ms", 500 * time.Millisecond, ""},
		{" 2s ", 2 * time.Second, ""},
		{"1e3", 0, `must be a duration such as "30s" or a number of seconds, not "1e3"`},
		{"inf", 0, `must be a duration such as "30s" or a number of seconds, not "inf"`},
		{math.Inf(1), 0, `must be a duration such as "30s" or a number of seconds, not +Inf`},
		{int64(math.MaxInt64), 0, `must be at most 9223372037 seconds (about 292 years), not 9.223372036854776e+18`},
		{false, 0, `must be a duration such as "30s" or a number of seconds, not a boolean`},
		{[]any{}, 0, `must be a duration such as "30s" or a number of seconds, not an array`},
	} {
		got, err := parseDuration(c.in)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != c.want || msg != c.err {
			t.Errorf("parseDuration(%#v) = %v, %q; want %v, %q", c.in, got, msg, c.want, c.err)
		}
	}
}

func TestSuggestion(t *testing.T) {
	keys := keyNames(false)
	for in, want := range map[string]string{
		"treshold":        "threshold",
		"intreval":        "interval",
		"Interval":        "interval",
		"fault-signal":    "fault_signal",
		"successSignal":   "success_signal",
		"recovery_timout": "recovery_timeout",
		"htp":             "http",
		"pi":              "pid",
		"colour":          "",
		"tresh":           "",
		"log_level":       "",
	} {
		if got := suggestion(in, keys); got != want {
			t.Errorf("suggestion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameError(t *testing.T) {
	long := make([]byte, maxName)
	for i := range long {
		long[i] = 'a'
	}
	for name, valid := range map[string]bool{
		"web": true, "db.primary": true, "A-b_9": true, string(long): true,
		"": false, ".": false, "..": false, ".web": false, "a/b": false, "a b": false,
		"é": false, string(long) + "a": false,
	} {
		if got := nameError(name) == ""; got != valid {
			t.Errorf("nameError(%q) valid = %v, want %v", name, got, valid)
		}
	}
}
