package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBatch bounds the alerts in one post, as Prometheus does: a post of
// thousands of alerts to a slow Alertmanager would time out whole.
const maxBatch = 256

// apiAlert is one alert as Alertmanager's API v2 takes it (postableAlert).
type apiAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// encode turns alerts into the API's form. A firing alert ends expiry from
// now unless it is sent again, so an alert whose heatd died resolves by
// itself; a resolved one ends when it was resolved.
func encode(ds []due, cfg Config, now time.Time, expiry time.Duration) []apiAlert {
	out := make([]apiAlert, 0, len(ds))
	for _, d := range ds {
		labels := make(map[string]string, len(cfg.Labels)+5)
		for k, v := range cfg.Labels {
			labels[k] = v
		}
		labels["alertname"] = d.key.alert.Name()
		labels["check"] = d.key.check
		labels["instance"] = cfg.Instance
		labels["severity"] = d.key.alert.Severity()
		labels["source"] = "heatd"

		ann := map[string]string{"summary": d.entry.ann.Summary}
		if ann["summary"] == "" {
			ann["summary"] = d.key.alert.summary(d.key.check)
		}
		if d.entry.ann.ExitCode != NoExitCode {
			ann["exit_code"] = strconv.Itoa(d.entry.ann.ExitCode)
		}
		if line := firstLine(d.entry.ann.Output); line != "" {
			ann["output"] = line
		}

		ends := now.Add(expiry)
		if !d.entry.resolvedAt.IsZero() {
			ends = d.entry.resolvedAt
		}
		out = append(out, apiAlert{
			Labels:      labels,
			Annotations: ann,
			StartsAt:    d.entry.startsAt.UTC(),
			EndsAt:      ends.UTC(),
		})
	}
	return out
}

// endpoint is where alerts go under an Alertmanager's URL.
func endpoint(base string) string {
	return strings.TrimSuffix(base, "/") + "/api/v2/alerts"
}

// post sends one batch to one Alertmanager. Only a 2xx answer is success.
func post(ctx context.Context, client *http.Client, url string, alerts []apiAlert) error {
	body, err := json.Marshal(alerts)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "heatd")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// A short read of the answer: enough to say why it refused, and the
	// rest is not worth waiting for.
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %s: %s", url, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}
