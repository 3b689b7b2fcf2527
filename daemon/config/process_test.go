package config

import (
	"testing"
	"time"

	"github.com/heatd/heatd/action"
	"github.com/heatd/heatd/check"
)

// A process check watches its target with the limits it sets, over those
// of [defaults]; [defaults]' max_* reach no other kind of check.
func TestValidProcess(t *testing.T) {
	dir := testdataDir(t)
	cfg := mustLoad(t, "valid-process.toml")
	checks := checksByName(t, cfg, "bytes", "nginx", "web", "worker")
	base := check.Spec{Interval: 30 * time.Second, Timeout: 30 * time.Second, ScriptTimeout: 5 * time.Minute, Dir: dir}
	for name, want := range map[string]check.Spec{
		"nginx": {Probe: check.ProcessProbe{MaxRSS: 2 << 30, MaxCPU: 80},
			Target: action.Target{Pidfile: dir + "/run/nginx.pid"}, Threshold: 3},
		"worker": {Probe: check.ProcessProbe{MaxRSS: 1536, MaxCPU: 250.5, MaxFDs: 1000},
			Target: action.Target{PID: 4242}},
		"bytes": {Probe: check.ProcessProbe{MaxRSS: 1536 << 10, MaxCPU: 80},
			Target: action.Target{PID: 4243}},
		"web": {Probe: check.Command("true")},
	} {
		spec := base
		spec.Name, spec.Probe, spec.Target, spec.Threshold = name, want.Probe, want.Target, want.Threshold
		spec.HeatLog = "/var/log/heat/" + name + ".log"
		sameSpec(t, checks[name], spec)
	}
}

// max_rss reads a size through the check package's parser and the
// configuration's own readers: binary units only, each mistake said.
func TestParseSize(t *testing.T) {
	maxRSS := checkKeyIndex["max_rss"]
	for _, c := range []struct {
		in   any
		want int64
		err  string
	}{
		{int64(4096), 4096, ""},
		{"2GiB", 2 << 30, ""},
		{"2 GiB", 2 << 30, ""},
		{"2gib", 2 << 30, ""},
		{" 512MiB ", 512 << 20, ""},
		{"1.5KiB", 1536, ""},
		{"100", 100, ""},
		{"100B", 100, ""},
		{"1TiB", 1 << 40, ""},
		{int64(0), 0, `must be more than 0 (a size such as "512MiB" or "2GiB", or a number of bytes), not 0`},
		{"0.1B", 0, `must be more than 0 (a size such as "512MiB" or "2GiB", or a number of bytes), not "0.1B"`},
		{"-1MiB", 0, `must be more than 0 (a size such as "512MiB" or "2GiB", or a number of bytes), not "-1MiB"`},
		{"2G", 0, `"2G" could mean 2×1000³ or 2×1024³ bytes: write "2GiB" for the second, or a number of bytes`},
		{"512 mb", 0, `"512 mb" could mean 512×1000² or 512×1024² bytes: write "512MiB" for the second, or a number of bytes`},
		{"GiB", 0, `must be a size such as "512MiB" or "2GiB", or a number of bytes (units: B, KiB, MiB, GiB, TiB), not "GiB"`},
		{"2 PiB", 0, `must be a size such as "512MiB" or "2GiB", or a number of bytes (units: B, KiB, MiB, GiB, TiB), not "2 PiB"`},
		{"1e3", 0, `must be a size such as "512MiB" or "2GiB", or a number of bytes (units: B, KiB, MiB, GiB, TiB), not "1e3"`},
		{"9000000TiB", 0, `"9000000TiB" is more bytes than there can be`},
		{2.5, 0, `must be a size such as "512MiB" or "2GiB", or a number of bytes, not a float`},
	} {
		got, err := maxRSS.parse(c.in, &source{})
		msg := ""
		if err != nil {
			msg = err.Error()
			got = int64(0)
		}
		if got != c.want || msg != c.err {
			t.Errorf("max_rss = %#v: %v, %q; want %v, %q", c.in, got, msg, c.want, c.err)
		}
	}
}
