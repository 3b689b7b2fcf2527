package config

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/heatd/heatd/check"
)

// httpKeys are the keys of a native HTTP probe: the URL, then the keys that
// only an http check has.
func httpKeys() []checkKey {
	return []checkKey{
		{name: "http", kind: "http", form: `"URL"`, doc: "a URL fetched by heatd itself (see Native probes)",
			value: field(plain(parseURL), "", func(b *built, v string) { b.Probe = check.HTTPProbe{URL: v} })},
		{name: "http_method", kind: "http", defaults: true, doc: "the request's method",
			value: field(plain(parseMethod), "GET", func(b *built, v string) { check.Edit(&b.Spec, func(h *check.HTTPProbe) { h.Method = v }) })},
		{name: "http_status", kind: "http", defaults: true, shown: "any below 400", doc: "the accepted status codes: one, or an array",
			value: field(plain(parseStatus), nil, func(b *built, v []int) { check.Edit(&b.Spec, func(h *check.HTTPProbe) { h.Status = slices.Clone(v) }) })},
		{name: "http_body", kind: "http", defaults: true, doc: "a text the body must contain",
			value: field(plain(parseString), "", func(b *built, v string) { check.Edit(&b.Spec, func(h *check.HTTPProbe) { h.Body = v }) })},
		{name: "http_headers", kind: "http", defaults: true, doc: "a table of headers sent with the request",
			value: table(headerEntry, func(b *built, v map[string]string) {
				check.Edit(&b.Spec, func(h *check.HTTPProbe) { h.Headers = cloneOrNil(v) })
			})},
	}
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

func parseMethod(v any) (string, error) {
	s, err := parseString(v)
	if err == nil && !isToken(s) {
		err = fmt.Errorf(`must be an HTTP method such as "GET" or "HEAD", not %q`, s)
	}
	return s, err
}
