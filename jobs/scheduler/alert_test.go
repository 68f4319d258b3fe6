package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWebhookAlerterPayloads(t *testing.T) {
	t.Parallel()
	hook, bodies := recordingWebhook(t, http.StatusOK)
	out := filepath.Join(t.TempDir(), "alert.json")
	w := WebhookAlerter{URL: hook.URL, Command: []string{"sh", "-c", `cat > "$0"`, out}}
	ctx := context.Background()

	w.JobFailed(ctx, "comtrade", errors.New("HTTP 429 after 4 attempts"))
	rows := []map[string]any{{"mineral": "cobalt", "importer": "USA", "share": 0.71}}
	if err := w.Threshold(ctx, "single-supplier share > 0.6", rows); err != nil {
		t.Fatal(err)
	}

	got := bodies()
	if len(got) != 2 {
		t.Fatalf("webhook got %d posts, want 2", len(got))
	}
	var failed struct{ Event, Job, Error, At string }
	if err := json.Unmarshal([]byte(got[0]), &failed); err != nil {
		t.Fatal(err)
	}
	if failed.Event != "job_failed" || failed.Job != "comtrade" || failed.Error != "HTTP 429 after 4 attempts" {
		t.Errorf("job_failed payload = %+v", failed)
	}
	if at, err := time.Parse(time.RFC3339, failed.At); err != nil || time.Since(at) > time.Minute {
		t.Errorf("at = %q (%v), want a current RFC 3339 time", failed.At, err)
	}
	var thr struct {
		Event, Rule string
		Rows        []map[string]any
	}
	if err := json.Unmarshal([]byte(got[1]), &thr); err != nil {
		t.Fatal(err)
	}
	if thr.Event != "threshold_crossed" || thr.Rule != "single-supplier share > 0.6" ||
		len(thr.Rows) != 1 || thr.Rows[0]["mineral"] != "cobalt" || thr.Rows[0]["share"] != 0.71 {
		t.Errorf("threshold payload = %+v", thr)
	}
	// The command got the same JSON on stdin (the last one written).
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != got[1] {
		t.Errorf("command stdin = %s, want %s", b, got[1])
	}
}

func TestWebhookAlerterFailures(t *testing.T) {
	t.Parallel()
	hook, _ := recordingWebhook(t, http.StatusBadGateway)
	ctx := context.Background()
	tests := []struct {
		name string
		w    WebhookAlerter
		want string
	}{
		{"non-2xx", WebhookAlerter{URL: hook.URL}, "HTTP 502"},
		{"unreachable", WebhookAlerter{URL: "http://127.0.0.1:1/hook"}, "alert webhook"},
		{"command fails", WebhookAlerter{Command: []string{"sh", "-c", "echo mailer down >&2; exit 3"}}, "mailer down"},
		{"nothing configured", WebhookAlerter{}, "neither URL nor Command"},
	}
	for _, tc := range tests {
		err := tc.w.Threshold(ctx, "r", nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Threshold err = %v, want one containing %q", tc.name, err, tc.want)
		}
		// JobFailed has no error to return: it logs, and must not panic.
		log, buf := testLogger()
		tc.w.Logger = log
		tc.w.JobFailed(ctx, "baci", errors.New("boom"))
		if !strings.Contains(buf.String(), "sending job-failure alert") || !strings.Contains(buf.String(), tc.want) {
			t.Errorf("%s: JobFailed log = %q, want the delivery error", tc.name, buf.String())
		}
	}
}
