package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/heatd/heatd/daemon/alert"
)

// daemonRead is [daemon] as its keys' rows fill it in.
type daemonRead struct {
	Daemon
	// patterns are the include patterns as errors show the files they
	// match: relative to the main file's name as given, so heatd -t -c
	// heat.toml names heat.d/web.toml.
	patterns []string
}

// daemonKey is one row of the [daemon] key table.
type daemonKey = key[*daemonRead]

// daemonKeyTable is daemonKeys made once, and never changed.
var daemonKeyTable = daemonKeys()

// daemonKeyIndex finds a [daemon] key's row by name.
var daemonKeyIndex = indexKeys(daemonKeyTable)

// daemonKeys are the keys of [daemon], in the order the README lists them
// and messages name them.
func daemonKeys() []daemonKey {
	return []daemonKey{
		{name: "log_dir", doc: "heat logs: `<log_dir>/<name>.log`",
			value: field(inDir(parsePath), "/var/log/heat", func(r *daemonRead, v string) { r.LogDir = v })},
		{name: "log_level", doc: "the least level of events on stderr: `debug`, `info`, `warn` or `error`",
			value: field(plain(func(v any) (string, error) { return parseChoice(v, "debug", "info", "warn", "error") }), "info",
				func(r *daemonRead, v string) { r.LogLevel = v })},
		{name: "log_format", doc: "events as `json` objects or `console` lines",
			value: field(plain(func(v any) (string, error) { return parseChoice(v, "json", "console") }), "json",
				func(r *daemonRead, v string) { r.LogFormat = v })},
		{name: "shutdown_grace", doc: "how long a stop waits for running checks and scripts",
			value: field(plain(parsePositive), 10*time.Second, func(r *daemonRead, v time.Duration) { r.ShutdownGrace = v })},
		{name: "control_socket", doc: "where `heatctl` asks",
			value: field(inDir(parseSocket), DefaultControlSocket, func(r *daemonRead, v string) { r.ControlSocket = v })},
		{name: "state_file", doc: "what operators and heatd decided (pauses, giving up, recent recovery attempts), kept across restarts; `\"\"`: none",
			value: field(inDir(parseStateFile), DefaultStateFile, func(r *daemonRead, v string) { r.StateFile = v })},
		{name: "metrics_listen", shown: "off", doc: "`HOST:PORT` for Prometheus' `/metrics`",
			value: field(plain(parseListen), "", func(r *daemonRead, v string) { r.MetricsListen = v })},
		{name: "include", shown: "none", doc: "globs of more files of `[check.NAME]` tables",
			value: field(parseInclude, includes{}, func(r *daemonRead, v includes) { r.Include, r.patterns = v.abs, v.globs })},
		{name: "splay", shown: "`0s`", doc: "spread first runs over `min(interval, splay)`, at an offset fixed by the check's name",
			value: field(plain(parseNonNegative), 0, func(r *daemonRead, v time.Duration) { r.Splay = v })},
		{name: "max_parallel", shown: "`0` (automatic)",
			doc:   "most check and script processes at once; automatic: a quarter of the descriptor limit, half of the process limit, and at most 1024",
			value: field(plain(parseMaxParallel), 0, func(r *daemonRead, v int) { r.MaxParallel = v })},
		{name: "strict_permissions", doc: "as root, refuse files others could write",
			value: field(plain(parseBool), true, func(r *daemonRead, v bool) { r.StrictPermissions = v })},
		{name: "alertmanager", shown: "off", doc: "Alertmanager URLs (`http://HOST:PORT[/PATH]`) heatd posts its alerts to (see Watching a fleet)",
			value: field(plain(parseAlertmanagers), nil, func(r *daemonRead, v []string) { r.Alertmanager = v })},
		{name: "alert_labels", shown: "none", doc: "labels every alert carries, such as `{ env = \"prod\" }`",
			value: field(plain(parseAlertLabels), nil, func(r *daemonRead, v map[string]string) { r.AlertLabels = v })},
		{name: "alert_resend", doc: "how often a firing alert is posted again",
			value: field(plain(parsePositive), alert.DefaultResend, func(r *daemonRead, v time.Duration) { r.AlertResend = v })},
	}
}

// daemonKeyNames are the names of [daemon]'s keys.
func daemonKeyNames() []string {
	names := make([]string, len(daemonKeyTable))
	for i, k := range daemonKeyTable {
		names[i] = k.name
	}
	return names
}

// maxSocketPath is the longest path a unix socket address holds on Linux:
// sun_path is 108 bytes, one of them the terminating NUL.
const maxSocketPath = 107

// readDaemon reads [daemon]: each key as given, or else its default. It
// also returns the include patterns as errors show the files they match.
func readDaemon(src *source, errs *Errors) (d Daemon, patterns []string) {
	var r daemonRead
	var given map[string]any
	s := &scope{src: src, path: []string{"daemon"}, table: "daemon", errs: errs}
	if v, ok := src.data["daemon"]; ok {
		if given, ok = v.(map[string]any); !ok {
			s.add(s.line(), "", "must be a table, not "+typeName(v))
		}
	}
	var text detacher
	text.reserve(given, 0)
	for _, name := range s.keys(given) {
		k, known := daemonKeyIndex[name]
		if !known {
			s.unknown(name, daemonKeyNames(), unknownHint(name, "[daemon] has "+strings.Join(daemonKeyNames(), ", ")))
			continue
		}
		// A bad value leaves the zero value, as for a check's keys.
		if v, err := k.parse(text.value(given[name]), src); err != nil {
			s.keyError(name, err)
		} else {
			k.set(&r, v)
		}
	}
	for i := range daemonKeyTable {
		if k := &daemonKeyTable[i]; !hasAny(given, k.name) {
			k.setDefault(&r)
		}
	}
	return r.Daemon, r.patterns
}

func hasAny(m map[string]any, name string) bool {
	_, ok := m[name]
	return ok
}

// parseChoice is one of a few words, written exactly.
func parseChoice(v any, choices ...string) (string, error) {
	s, err := parseString(v)
	if err != nil {
		return "", err
	}
	for _, c := range choices {
		if s == c {
			return s, nil
		}
	}
	last := len(choices) - 1
	return "", fmt.Errorf("must be %s or %s, not %q", strings.Join(choices[:last], ", "), choices[last], s)
}

func parseSocket(v any, dir string) (string, error) {
	p, err := parsePath(v, dir)
	if err == nil && len(p) > maxSocketPath {
		err = fmt.Errorf("%q is %d bytes long; a unix socket path holds at most %d, so choose a shorter one", p, len(p), maxSocketPath)
	}
	return p, err
}

// parseListen is HOST:PORT, or empty for no metrics endpoint.
func parseListen(v any) (string, error) {
	if s, ok := v.(string); ok && s == "" {
		return "", nil
	}
	return parseHostPort(v, false)
}

func parseMaxParallel(v any) (int, error) {
	n, err := parseInt(v)
	if err == nil && n < 0 {
		err = fmt.Errorf("must be 0 (automatic) or more, not %d", n)
	}
	return int(n), err
}

// includes are the include patterns: absolute (for Daemon.Include) and as
// globbed (relative to the main file's name as given).
type includes struct{ abs, globs []string }

// parseInclude reads the include patterns. A pattern matching nothing is
// fine: /etc/heat.d may be empty.
func parseInclude(v any, src *source) (includes, error) {
	const want = `must be an array of file patterns such as ["/etc/heat.d/*.toml"]`
	var in includes
	list, ok := v.([]any)
	if !ok {
		return in, fmt.Errorf("%s, not %s", want, typeName(v))
	}
	for _, e := range list {
		p, ok := e.(string)
		if !ok {
			return includes{}, fmt.Errorf("%s, not an array holding %s", want, typeName(e))
		}
		if p == "" {
			return includes{}, fmt.Errorf("%s, not an array holding an empty string", want)
		}
		if _, err := filepath.Match(p, ""); err != nil {
			return includes{}, fmt.Errorf("has %q, which is not a valid pattern (%v); write one such as \"/etc/heat.d/*.toml\"", p, err)
		}
		in.abs = append(in.abs, resolve(p, src.dir))
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(src.name), p)
		}
		in.globs = append(in.globs, p)
	}
	return in, nil
}
