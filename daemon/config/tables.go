package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// entryError is a problem with one entry of a table-valued key; it is
// reported at the entry's own line.
type entryError struct {
	entry string
	msg   string
}

func (e *entryError) Error() string { return e.msg }

// parseTable reads a table of strings, checking each entry with check (nil:
// anything goes). Every bad entry is reported, each at its line.
func parseTable(v any, check func(name, value string) string) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf(`must be a table of strings such as { NAME = "value" }, not %s`, typeName(v))
	}
	out := make(map[string]string, len(m))
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(m)) {
		s, ok := m[name].(string)
		msg := ""
		switch {
		case !ok:
			msg = fmt.Sprintf("%q must be a string, not %s", name, typeName(m[name]))
		case check != nil:
			msg = check(name, s)
		}
		if msg != "" {
			errs = append(errs, &entryError{entry: name, msg: msg})
			continue
		}
		out[name] = s
	}
	return out, errors.Join(errs...)
}

// envEntry checks one environment variable: execve cannot pass a name with
// "=" or a NUL anywhere.
func envEntry(name, value string) string {
	switch {
	case name == "":
		return "names an empty variable; a name is like PATH or LANG"
	case strings.ContainsAny(name, "=\x00"):
		return fmt.Sprintf(`%q is not a variable name: it cannot hold "=" or NUL`, name)
	case strings.Contains(value, "\x00"):
		return fmt.Sprintf("%q cannot hold a NUL byte", name)
	}
	return ""
}
