package config

import (
	"fmt"

	"github.com/heatd/heatd/daemon/alert"
)

// The parsers of [daemon]'s alerting keys: alertmanager, alert_labels and
// alert_resend. Their rules are the alert package's own, so what heatd -t
// accepts is what the alert sender takes.

// parseAlertmanagers is alertmanager's list of URLs, each as alert.ParseURL
// takes it; an empty list turns alerting off.
func parseAlertmanagers(v any) ([]string, error) {
	const want = `must be an array of Alertmanager URLs such as ["http://127.0.0.1:9093"]`
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s, not %s", want, typeName(v))
	}
	urls := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%s, not an array holding %s", want, typeName(e))
		}
		if _, err := alert.ParseURL(s); err != nil {
			return nil, err
		}
		urls = append(urls, s)
	}
	return urls, nil
}

// parseAlertLabels is alert_labels' table of strings, each entry checked
// by alert.CheckLabels and reported at its own line.
func parseAlertLabels(v any) (map[string]string, error) {
	return parseTable(v, func(name, value string) string {
		if err := alert.CheckLabels(map[string]string{name: value}); err != nil {
			return err.Error()
		}
		return ""
	})
}
