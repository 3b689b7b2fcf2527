package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// durationWords describes a duration in every duration error.
const durationWords = `a duration such as "30s" or a number of seconds`

// parseDuration reads a Go duration string or a number of seconds. A bare
// number means seconds, as HEAT's -i did: decoded naively into a
// time.Duration, interval = 30 would be 30 nanoseconds.
func parseDuration(v any) (time.Duration, error) {
	switch v := v.(type) {
	case string:
		s := strings.TrimSpace(v)
		if f, err := strconv.ParseFloat(s, 64); err == nil && isDecimal(s) {
			return seconds(f)
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("must be %s, not %q", durationWords, v)
		}
		return d, nil
	case int64:
		return seconds(float64(v))
	case float64:
		return seconds(v)
	}
	return 0, fmt.Errorf("must be %s, not %s", durationWords, typeName(v))
}

// isDecimal accepts what heat's -i accepts as seconds ("30", "0.5"), and
// not what ParseFloat also would ("1e3", "inf", "0x10").
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return s != "" && strings.Trim(s, "0123456789.") == "" && strings.Count(s, ".") <= 1
}

// maxSeconds is the longest duration a time.Duration holds, about 292
// years; beyond it the conversion would wrap around.
const maxSeconds = float64(math.MaxInt64) / float64(time.Second)

func seconds(f float64) (time.Duration, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("must be %s, not %v", durationWords, f)
	}
	if math.Abs(f) >= maxSeconds {
		return 0, fmt.Errorf("must be at most %.0f seconds (about 292 years), not %g", maxSeconds, f)
	}
	return time.Duration(math.Round(f * float64(time.Second))), nil
}

// parsePositive is a duration that must be more than zero: an interval or
// timeout of zero would spin or kill every run.
func parsePositive(v any) (time.Duration, error) {
	d, err := parseDuration(v)
	if err == nil && d <= 0 {
		err = fmt.Errorf("must be more than 0 (%s), not %s", durationWords, shown(v))
	}
	return d, err
}

// parseNonNegative is a duration that may be zero (splay: no spreading).
func parseNonNegative(v any) (time.Duration, error) {
	d, err := parseDuration(v)
	if err == nil && d < 0 {
		err = fmt.Errorf("must be 0 or more (%s), not %s", durationWords, shown(v))
	}
	return d, err
}

// minInterval is the shortest interval: a check that starts a process
// more often than ten times a second spends a core on forks and fills its
// heat log as fast as the disk takes it (interval = "1ns" made eleven
// thousand runs a second), and no service needs watching that closely.
const minInterval = 100 * time.Millisecond

// parseInterval is a check's interval: positive, and at least minInterval.
func parseInterval(v any) (time.Duration, error) {
	d, err := parsePositive(v)
	if err == nil && d < minInterval {
		err = fmt.Errorf("must be at least %v (%s), not %s", minInterval, durationWords, shown(v))
	}
	return d, err
}

// shortDuration writes d as a config would: "5m", not Go's "5m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ParseDuration reads a duration as the configuration writes one: a Go
// duration ("90s", "1h30m") or a number of seconds. heatctl pause --for
// takes the same.
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s) }
