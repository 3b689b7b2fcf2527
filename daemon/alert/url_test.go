package alert

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, ok := range []string{
		"http://127.0.0.1:9093",
		"http://am.example:9093/",
		"https://am.example/alertmanager",
		"http://[::1]:9093",
	} {
		if _, err := ParseURL(ok); err != nil {
			t.Errorf("ParseURL(%q): %v", ok, err)
		}
	}
	for in, want := range map[string]string{
		"":                             `"" is not an Alertmanager URL: it has no scheme (want http://host[:port][/path])`,
		"127.0.0.1:9093":               `"127.0.0.1:9093" is not an Alertmanager URL: it has no scheme (want http://host[:port][/path])`,
		"am.example:9093":              `"am.example:9093" is not an Alertmanager URL: the scheme must be http or https, not am.example`,
		"ftp://am.example":             "the scheme must be http or https, not ftp",
		"http:am.example":              "it has no //host",
		"http://":                      "it has no host",
		"http:///api":                  "it has no host",
		"http://user:pw@am.example":    "it carries a user or password",
		"http://am.example/?x=1":       "it has a query",
		"http://am.example/?":          "it has a query",
		"http://am.example/#top":       "it has a fragment",
		"http://am.example:0":          "the port must be a number from 1 to 65535",
		"http://am.example:70000":      "the port must be a number from 1 to 65535",
		"http://am.example:":           "the port must be a number from 1 to 65535",
		"http://am.example:port":       "invalid port",
		" http://am.example":           "it has spaces around it",
		"http://am example":            "invalid character",
		"http://am.example/api/v2\x7f": "invalid control character",
	} {
		_, err := ParseURL(in)
		if err == nil {
			t.Errorf("ParseURL(%q) took it, want an error", in)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURL(%q) = %q, want it to say %q", in, err, want)
		}
	}
}

func TestCheckLabels(t *testing.T) {
	if err := CheckLabels(map[string]string{"env": "prod", "_dc2": "x"}); err != nil {
		t.Errorf("CheckLabels: %v", err)
	}
	for _, tc := range []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{"2dc": "x"}, `"2dc" is not a label name`},
		{map[string]string{"d-c": "x"}, `"d-c" is not a label name`},
		{map[string]string{"": "x"}, `"" is not a label name`},
		{map[string]string{"instance": "x"}, `label "instance" is set by heatd itself`},
		{map[string]string{"env": ""}, `label "env" has an empty value`},
	} {
		err := CheckLabels(tc.labels)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckLabels(%v) = %v, want %q", tc.labels, err, tc.want)
		}
	}
}
