package alert

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ParseURL checks an entry of [daemon] alertmanager: http or https, a host,
// an optional port and an optional path prefix (Alertmanager served under
// /alertmanager, say), and nothing else. heatd posts to the path plus
// /api/v2/alerts.
func ParseURL(s string) (*url.URL, error) {
	bad := func(why string) error {
		return fmt.Errorf("%q is not an Alertmanager URL: %s (want http://host[:port][/path])", s, why)
	}
	if strings.TrimSpace(s) != s {
		return nil, bad("it has spaces around it")
	}
	u, err := url.Parse(s)
	if err != nil && !strings.Contains(s, "://") {
		// "127.0.0.1:9093" reads to url.Parse as a path with a colon in
		// it; what the writer left out is the scheme.
		return nil, bad("it has no scheme")
	}
	if err != nil {
		// url.Parse's own text repeats the whole URL.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, bad(err.Error())
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		if u.Scheme == "" {
			return nil, bad("it has no scheme")
		}
		return nil, bad("the scheme must be http or https, not " + u.Scheme)
	case u.Opaque != "":
		return nil, bad("it has no //host")
	case u.User != nil:
		// A password in the URL would be written to every event that
		// names the URL.
		return nil, bad("it carries a user or password")
	case u.Hostname() == "":
		return nil, bad("it has no host")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, bad("it has a query")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, bad("it has a fragment")
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad("the port must be a number from 1 to 65535")
		}
	}
	return u, nil
}

// labelName tells a name Alertmanager accepts: [a-zA-Z_][a-zA-Z0-9_]*.
func labelName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// CheckLabels checks [daemon] alert_labels: names Alertmanager accepts, none
// of the labels heatd sets itself, and no empty values (Alertmanager reads an
// empty label as no label).
func CheckLabels(labels map[string]string) error {
	for name, value := range labels {
		switch {
		case !labelName(name):
			return fmt.Errorf("%q is not a label name: letters, digits and _, not starting with a digit", name)
		case reserved(name):
			return fmt.Errorf("label %q is set by heatd itself", name)
		case value == "":
			return fmt.Errorf("label %q has an empty value", name)
		}
	}
	return nil
}

// reserved tells the labels every alert carries from heatd.
func reserved(name string) bool {
	switch name {
	case "alertname", "check", "instance", "severity", "source":
		return true
	}
	return false
}
