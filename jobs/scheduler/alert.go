package scheduler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"strings"
	"time"
)

// Alerter is told when a job has failed for good (after its retries, or by panicking).
type Alerter interface {
	JobFailed(ctx context.Context, job string, err error)
}

// WebhookAlerter posts alerts as JSON to URL and/or runs Command with the
// JSON on stdin (e.g. a mail or chat script). Either may be empty.
type WebhookAlerter struct {
	URL     string
	Command []string
	Client  *http.Client // nil: a client with a 30 s timeout
	Logger  *slog.Logger // nil: slog.Default(); where JobFailed reports delivery errors
}

var defaultAlertClient = &http.Client{Timeout: 30 * time.Second}

// JobFailed sends {"event":"job_failed","job":...,"error":...,"at":...}.
// Delivery failures are logged: an alert must never break the scheduler.
func (w WebhookAlerter) JobFailed(ctx context.Context, job string, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	payload := map[string]any{"event": "job_failed", "job": job, "error": msg, "at": time.Now().UTC().Format(time.RFC3339)}
	if derr := w.send(ctx, payload); derr != nil {
		log := w.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Error("sending job-failure alert", "job", job, "err", derr)
	}
}

// Threshold sends {"event":"threshold_crossed","rule":...,"rows":[...],"at":...}
// for a rule evaluated by the caller. The error is returned for the caller to
// log; it should not be treated as fatal.
func (w WebhookAlerter) Threshold(ctx context.Context, rule string, rows []map[string]any) error {
	if rows == nil {
		rows = []map[string]any{}
	}
	return w.send(ctx, map[string]any{"event": "threshold_crossed", "rule": rule, "rows": rows,
		"at": time.Now().UTC().Format(time.RFC3339)})
}

// send delivers to every configured target and joins their errors.
func (w WebhookAlerter) send(ctx context.Context, payload map[string]any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("alert %v: encoding JSON: %w", payload["event"], err)
	}
	if w.URL == "" && len(w.Command) == 0 {
		return errors.New("alert: neither URL nor Command configured")
	}
	var errs []error
	if w.URL != "" {
		errs = append(errs, w.post(ctx, body))
	}
	if len(w.Command) > 0 {
		errs = append(errs, w.run(ctx, body))
	}
	return errors.Join(errs...)
}

func (w WebhookAlerter) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("alert webhook %s: %w", w.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = defaultAlertClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("alert webhook: %w", err) // *url.Error already names the URL
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("alert webhook %s: HTTP %s: %s", w.URL, resp.Status, strings.TrimSpace(string(snippet)))
	}
	_, _ = io.Copy(io.Discard, resp.Body) // let the connection be reused
	return nil
}

func (w WebhookAlerter) run(ctx context.Context, body []byte) error {
	cmd := exec.CommandContext(ctx, w.Command[0], w.Command[1:]...)
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("alert command %q: %w: %s", w.Command[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}
