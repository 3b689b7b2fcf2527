package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// kindKeys are the keys of the kinds of check: the key that chooses a kind
// (a check has exactly one), then the keys of that kind alone.
func kindKeys() []checkKey {
	return []checkKey{
		{name: "command", kind: "command", form: `"COMMAND"`,
			doc:   "a shell command, run by `/bin/sh -c`; a check has exactly one of `command`, `script`, `http` and `tcp`",
			value: field(plain(parseText), "", func(b *built, v string) { b.Command = v })},
		{name: "script", kind: "script", form: `"PATH"`, rootSafe: true, doc: "an executable file, run directly",
			value: field(inDir(parseExecutable), "", func(b *built, v string) { b.Script = v })},
		{name: "http", kind: "http", form: `"URL"`, doc: "a URL fetched by heatd itself (see Native probes)",
			value: field(plain(parseURL), "", func(b *built, v string) { b.HTTP.URL = v })},
		{name: "http_method", kind: "http", defaults: true, doc: "the request's method",
			value: field(plain(parseMethod), "GET", func(b *built, v string) { b.HTTP.Method = v })},
		{name: "http_status", kind: "http", defaults: true, shown: "any below 400", doc: "the accepted status codes: one, or an array",
			value: field(plain(parseStatus), nil, func(b *built, v []int) { b.HTTP.Status = slices.Clone(v) })},
		{name: "http_body", kind: "http", defaults: true, doc: "a text the body must contain",
			value: field(plain(parseString), "", func(b *built, v string) { b.HTTP.Body = v })},
		{name: "http_headers", kind: "http", defaults: true, doc: "a table of headers sent with the request",
			value: table(headerEntry, func(b *built, v map[string]string) { b.HTTP.Headers = cloneOrNil(v) })},
		{name: "tcp", kind: "tcp", form: `"HOST:PORT"`, doc: "a `HOST:PORT` that heatd connects to itself",
			value: field(plain(func(v any) (string, error) { return parseHostPort(v, true) }), "", func(b *built, v string) { b.TCP = v })},
	}
}

// The parsers of the native probes' keys.

// parseStatus reads the accepted HTTP status codes: one or an array.
func parseStatus(v any) ([]int, error) {
	const want = "an HTTP status code such as 200, or an array of them such as [200, 204]"
	var list []any
	switch v := v.(type) {
	case int64:
		list = []any{v}
	case []any:
		list = v
	default:
		return nil, fmt.Errorf("must be %s, not %s", want, typeName(v))
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("must be %s, not an empty array", want)
	}
	codes := make([]int, 0, len(list))
	for _, e := range list {
		n, ok := e.(int64)
		if !ok {
			return nil, fmt.Errorf("must be %s, not an array holding %s", want, typeName(e))
		}
		if n < 100 || n > 599 {
			return nil, fmt.Errorf("%d is not an HTTP status code (100 to 599)", n)
		}
		codes = append(codes, int(n))
	}
	return codes, nil
}

// parseURL is an http or https URL with a host, kept as written.
func parseURL(v any) (string, error) {
	s, err := parseString(v)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf(`must be an http or https URL with a host, such as "http://localhost:8000/health", not %q`, s)
	}
	return s, nil
}

// parseHostPort reads HOST:PORT with a numeric port. A host may be left
// out only where it means "every address" (a listener), not where heatd
// connects.
func parseHostPort(v any, needHost bool) (string, error) {
	s, err := parseString(v)
	if err != nil {
		return "", err
	}
	example := `"localhost:5432"`
	if !needHost {
		example = `"127.0.0.1:9797" or ":9797"`
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || (needHost && host == "") {
		return "", fmt.Errorf("must be HOST:PORT such as %s, not %q", example, s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("must have a port from 1 to 65535, as in %s, not %q", example, s)
	}
	return s, nil
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2), the
// syntax of methods and header names.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !isBare(c) && !strings.ContainsRune("!#$%&'*+.^`|~", rune(c)) {
			return false
		}
	}
	return true
}

func parseMethod(v any) (string, error) {
	s, err := parseString(v)
	if err == nil && !isToken(s) {
		err = fmt.Errorf(`must be an HTTP method such as "GET" or "HEAD", not %q`, s)
	}
	return s, err
}
