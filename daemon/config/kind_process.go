package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/heatd/heatd/check"
)

// processKeys are the keys of a check that watches its target itself:
// `process = true`, and the limits only such a check has.
func processKeys() []checkKey {
	return []checkKey{
		{name: "process", kind: "process", form: "true", needs: needsWatched,
			doc:   "the target (`pid` or `pidfile`) itself, with no process of its own: ok while it runs within its `max_*` limits (see Process checks)",
			value: field(plain(parseProcess), false, func(b *built, v bool) { b.Probe = check.ProcessProbe{} })},
		{name: "max_rss", kind: "process", defaults: true, doc: "the most resident memory, in bytes or such as `\"2GiB\"`; over it fails with code 2",
			value: field(plain(parseSize), 0, func(b *built, v int64) { check.Edit(&b.Spec, func(p *check.ProcessProbe) { p.MaxRSS = v }) })},
		{name: "max_cpu", kind: "process", defaults: true, doc: "the most CPU, in percent of one core, averaged since the previous run; over it fails with code 3",
			value: field(plain(parseCPU), 0.0, func(b *built, v float64) { check.Edit(&b.Spec, func(p *check.ProcessProbe) { p.MaxCPU = v }) })},
		{name: "max_fds", kind: "process", defaults: true, doc: "the most open descriptors; over it fails with code 4",
			value: field(plain(parseMaxFDs), 0, func(b *built, v int) { check.Edit(&b.Spec, func(p *check.ProcessProbe) { p.MaxFDs = v }) })},
	}
}

// needsWatched is the rule of `process`: it watches the target.
var needsWatched = &rule{[]string{"pid", "pidfile"}, `needs a target to watch: set "pid" or "pidfile"`}

// parseProcess is `process = true`. false chooses no kind of check, yet
// would pass for one: it is refused rather than read as "not a process
// check", which the check's other keys would have to say instead.
func parseProcess(v any) (bool, error) {
	b, err := parseBool(v)
	if err == nil && !b {
		err = errors.New("false makes no check: remove the key, or set process = true to watch the target itself")
	}
	return b, err
}

// sizeWords describes a size in every size error.
const sizeWords = `a size such as "512MiB" or "2GiB", or a number of bytes`

// sizeUnit is the bytes of a unit a size may be written with: a power
// of 1024, or none (bytes); false for any other.
// SI units (GB, G) are refused: 2GB would be 2×10⁹ bytes to some
// readers and 2×2³⁰ to others, and a limit must mean one thing.
func sizeUnit(unit string) (int64, bool) {
	switch strings.ToLower(unit) {
	case "", "b":
		return 1, true
	case "kib":
		return 1 << 10, true
	case "mib":
		return 1 << 20, true
	case "gib":
		return 1 << 30, true
	case "tib":
		return 1 << 40, true
	}
	return 0, false
}

// parseSize reads a number of bytes: an integer, or a string of a number
// and a unit ("2GiB", "1.5 GiB", "512MiB"). It must be more than 0.
func parseSize(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		if v <= 0 {
			return 0, fmt.Errorf("must be more than 0 (%s), not %d", sizeWords, v)
		}
		return v, nil
	case string:
		s := strings.TrimSpace(v)
		num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
		unit := s[len(num):]
		num = strings.TrimSpace(num)
		mult, ok := sizeUnit(unit)
		f, err := strconv.ParseFloat(num, 64)
		if si, power := siUnit(unit); si != "" && err == nil && isDecimal(num) {
			return 0, fmt.Errorf("%q could mean %s×1000%s or %s×1024%s bytes: write %q for the second, or a number of bytes",
				v, num, power, num, power, num+si)
		}
		if !ok || err != nil || !isDecimal(num) {
			return 0, fmt.Errorf("must be %s (units: B, KiB, MiB, GiB, TiB), not %q", sizeWords, v)
		}
		bytes := math.Round(f * float64(mult))
		switch {
		case bytes <= 0:
			return 0, fmt.Errorf("must be more than 0 (%s), not %q", sizeWords, v)
		case bytes >= math.MaxInt64:
			return 0, fmt.Errorf("%q is more bytes than there can be", v)
		}
		return int64(bytes), nil
	}
	return 0, fmt.Errorf("must be %s, not %s", sizeWords, typeName(v))
}

// siUnit is the binary unit an SI unit is mistaken for ("GiB" for "G"
// or "GB"), and its power of 1000 or 1024 ("³"); "" when unit is none.
func siUnit(unit string) (binary, power string) {
	u := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(unit, "B"), "b"))
	if i := strings.Index("KMGT", u); len(u) == 1 && i >= 0 {
		return u + "iB", []string{"", "²", "³", "⁴"}[i]
	}
	return "", ""
}

// cpuWords describes max_cpu in every error about it.
const cpuWords = "a percent of one core such as 80, or 250 for two and a half cores"

// parseCPU reads a share of one core in percent: a number more than 0,
// and over 100 for a process that may use more than one core.
func parseCPU(v any) (float64, error) {
	var f float64
	switch v := v.(type) {
	case int64:
		f = float64(v)
	case float64:
		f = v
	case string:
		if n := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%")); isDecimal(n) {
			return 0, fmt.Errorf("must be a number without quotes or %%, as in max_cpu = %s, not the string %q", n, v)
		}
		return 0, fmt.Errorf("must be %s, not a string", cpuWords)
	default:
		return 0, fmt.Errorf("must be %s, not %s", cpuWords, typeName(v))
	}
	if !(f > 0) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("must be more than 0 (%s), not %s", cpuWords, shown(v))
	}
	return f, nil
}

// parseMaxFDs reads a number of open descriptors, 1 or more.
func parseMaxFDs(v any) (int, error) {
	n, err := parseInt(v)
	if err == nil && (n < 1 || n > math.MaxInt32) {
		err = fmt.Errorf("must be a number of open descriptors from 1 to %d, not %d", math.MaxInt32, n)
	}
	return int(n), err
}
