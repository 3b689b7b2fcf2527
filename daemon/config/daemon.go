package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// daemonKeys are the keys of [daemon], in the order the README lists them.
func daemonKeys() []string {
	return []string{
		"log_dir", "log_level", "log_format", "shutdown_grace", "control_socket",
		"metrics_listen", "include", "splay", "max_parallel", "strict_permissions",
	}
}

// maxSocketPath is the longest path a unix socket address holds on Linux:
// sun_path is 108 bytes, one of them the terminating NUL.
const maxSocketPath = 107

// readDaemon reads [daemon] over the defaults. It also returns the include
// patterns as errors show the files they match: relative to the main
// file's name as given, so heatd -t -c heat.toml names heat.d/web.toml.
func readDaemon(src *source, errs *Errors) (d Daemon, patterns []string) {
	d = defaultDaemon()
	v, ok := src.data["daemon"]
	if !ok {
		return d, nil
	}
	s := &scope{src: src, path: []string{"daemon"}, table: "daemon", errs: errs}
	m, ok := v.(map[string]any)
	if !ok {
		s.add(s.line(), "", "must be a table, not "+typeName(v))
		return d, nil
	}
	for _, key := range s.keys(m) {
		v := m[key]
		var err error
		switch key {
		case "log_dir":
			d.LogDir, err = parsePath(v, src.dir)
		case "log_level":
			d.LogLevel, err = parseChoice(v, "debug", "info", "warn", "error")
		case "log_format":
			d.LogFormat, err = parseChoice(v, "json", "console")
		case "shutdown_grace":
			d.ShutdownGrace, err = parsePositive(v)
		case "control_socket":
			d.ControlSocket, err = parseSocket(v, src.dir)
		case "metrics_listen":
			d.MetricsListen, err = parseListen(v)
		case "include":
			d.Include, patterns, err = parseInclude(v, src)
		case "splay":
			d.Splay, err = parseNonNegative(v)
		case "max_parallel":
			d.MaxParallel, err = parseMaxParallel(v)
		case "strict_permissions":
			d.StrictPermissions, err = parseBool(v)
		default:
			s.unknown(key, daemonKeys(), unknownHint(key, "[daemon] has "+strings.Join(daemonKeys(), ", ")))
			continue
		}
		if err != nil {
			s.keyError(key, err)
		}
	}
	return d, patterns
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

// parseInclude reads the include patterns. It returns them absolute (for
// Daemon.Include) and as globbed (relative to the main file's name as
// given). A pattern matching nothing is fine: /etc/heat.d may be empty.
func parseInclude(v any, src *source) (abs, globs []string, err error) {
	const want = `must be an array of file patterns such as ["/etc/heat.d/*.toml"]`
	list, ok := v.([]any)
	if !ok {
		return nil, nil, fmt.Errorf("%s, not %s", want, typeName(v))
	}
	for _, e := range list {
		p, ok := e.(string)
		if !ok {
			return nil, nil, fmt.Errorf("%s, not an array holding %s", want, typeName(e))
		}
		if p == "" {
			return nil, nil, fmt.Errorf("%s, not an array holding an empty string", want)
		}
		if _, err := filepath.Match(p, ""); err != nil {
			return nil, nil, fmt.Errorf("has %q, which is not a valid pattern (%v); write one such as \"/etc/heat.d/*.toml\"", p, err)
		}
		abs = append(abs, resolve(p, src.dir))
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(src.name), p)
		}
		globs = append(globs, p)
	}
	return abs, globs, nil
}
