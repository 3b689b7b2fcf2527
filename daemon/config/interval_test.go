package config

import (
	"testing"
	"time"
)

// An interval under minInterval is refused: "1ns" ran a check eleven
// thousand times a second.
func TestIntervalFloor(t *testing.T) {
	for _, c := range []struct {
		v    any
		want time.Duration
		err  string
	}{
		{"1ns", 0, `must be at least 100ms (a duration such as "30s" or a number of seconds), not "1ns"`},
		{"99ms", 0, `must be at least 100ms (a duration such as "30s" or a number of seconds), not "99ms"`},
		{0.05, 0, `must be at least 100ms (a duration such as "30s" or a number of seconds), not 0.05`},
		{int64(0), 0, `must be more than 0 (a duration such as "30s" or a number of seconds), not 0`},
		{"100ms", 100 * time.Millisecond, ""},
		{0.1, 100 * time.Millisecond, ""},
		{int64(30), 30 * time.Second, ""},
	} {
		d, err := parseInterval(c.v)
		switch {
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("parseInterval(%#v) = %v, %v; want error %q", c.v, d, err, c.err)
		case c.err == "" && (err != nil || d != c.want):
			t.Errorf("parseInterval(%#v) = %v, %v; want %v", c.v, d, err, c.want)
		}
	}
}
