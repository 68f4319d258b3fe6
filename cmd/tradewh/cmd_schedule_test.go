package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/scheduler"
	"github.com/tradewh/tradewh/output/warehouse"
)

// schedCSV writes US imports of HS 811292 (gallium, germanium): China's
// share is 600/1000 in 2023 and 700/1000 in 2024.
func schedCSV(t *testing.T, dir string) string { return etltest.WriteUSGallium(t, dir) }

func schedConfig(t *testing.T, dir, body string, args ...any) string {
	t.Helper()
	p := filepath.Join(dir, "schedule.yaml")
	if err := os.WriteFile(p, []byte(fmt.Sprintf(body, args...)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// scheduled is a `tradewh schedule` running in the background on a clock
// the test moves.
type scheduled struct {
	t      *testing.T
	clock  *scheduler.ManualClock
	cancel context.CancelFunc
	done   chan struct{} // closed on exit, code then holds the exit code
	code   int
	stderr *etltest.Buffer
	addr   string // bound /healthz and /metrics address
}

var listenRE = regexp.MustCompile(`msg="scheduler started".* listen=(\S+)`)

// scheduleEpoch is where the tests' clocks start: on a full hour, so
// hourly jobs have a whole hour to themselves.
var scheduleEpoch = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func startSchedule(t *testing.T, clock *scheduler.ManualClock, args ...string) *scheduled {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &scheduled{t: t, clock: clock, cancel: cancel, done: make(chan struct{}), stderr: &etltest.Buffer{}}
	g := &globals{stdout: io.Discard, stderr: s.stderr, clock: clock}
	go func() {
		s.code = executeWith(ctx, g, args)
		close(s.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(etltest.Patience):
		}
	})
	waitUntil(t, "the scheduler to start", func() bool {
		if m := listenRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.addr = m[1]
			return true
		}
		select {
		case <-s.done:
			t.Fatalf("schedule exited with %d before starting:\n%s", s.code, s.stderr)
		default:
		}
		return false
	})
	return s
}

// stop sends the shutdown signal and expects exit code 0.
func (s *scheduled) stop() {
	s.t.Helper()
	s.cancel()
	select {
	case <-s.done:
		if s.code != 0 {
			s.t.Fatalf("schedule exited with %d after shutdown:\n%s", s.code, s.stderr)
		}
	case <-time.After(etltest.Patience):
		s.t.Fatalf("schedule did not stop within %s:\n%s", etltest.Patience, s.stderr)
	}
}

// advance moves the scheduler's clock by d once it waits on at least n
// timers (its trigger loop, and a retry's delay).
func (s *scheduled) advance(n int, d time.Duration) {
	s.t.Helper()
	waitUntil(s.t, fmt.Sprintf("the scheduler to wait on %d timers", n), func() bool { return s.clock.Waiters() >= n })
	s.clock.Advance(d)
}

func (s *scheduled) get(path string) (int, string) {
	s.t.Helper()
	resp, err := http.Get("http://" + s.addr + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// runs is tradewh_runs_total for job and status, scraped from /metrics.
func (s *scheduled) runs(job, status string) int {
	s.t.Helper()
	code, body := s.get("/metrics")
	if code != http.StatusOK {
		s.t.Fatalf("/metrics: HTTP %d", code)
	}
	re := regexp.MustCompile(`(?m)^tradewh_runs_total\{job="` + regexp.QuoteMeta(job) + `",status="` + status + `"\} (\d+)$`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		s.t.Fatalf("no tradewh_runs_total for job %s status %s in /metrics", job, status)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	etltest.WaitFor(t, what, cond)
}

// alertSink is a webhook receiver that keeps every event.
type alertSink struct {
	mu     sync.Mutex
	events []map[string]any
}

func (a *alertSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev map[string]any
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	a.events = append(a.events, ev)
	a.mu.Unlock()
}

func (a *alertSink) of(event string) []map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []map[string]any
	for _, ev := range a.events {
		if ev["event"] == event {
			out = append(out, ev)
		}
	}
	return out
}

const okJobs = `http: { listen: "127.0.0.1:0" }
alerts:
  webhook: %s
  rules:
    - { name: china_high, commodity: gallium_germanium, metric: concern_share, above: 0.5 }
    - { name: never, metric: hhi, above: 10000 }
jobs:
  - name: gallium-a
    source: comtrade-csv
    schedule: "*/1 * * * * *"
    config: { paths: [%s] }
  - name: gallium-b
    source: comtrade-csv
    schedule: "*/1 * * * * *"
    config: { paths: [%[2]s] }
`

// Two jobs firing every second queue for the single-writer warehouse
// instead of failing on its lock; runs, health, metrics, threshold alerts
// and a clean shutdown.
func TestScheduleRunsJobsServesHealthAndAlertsThresholds(t *testing.T) {
	dir, wh := t.TempDir(), t.TempDir()
	sink := &alertSink{}
	hook := httptest.NewServer(sink)
	defer hook.Close()
	cfg := schedConfig(t, dir, okJobs, hook.URL, schedCSV(t, dir))

	s := startSchedule(t, scheduler.NewManualClock(scheduleEpoch), "--warehouse", wh, "schedule", "--config", cfg, "--grace", "5s")
	for round := 1; round <= 2; round++ { // each second on the clock triggers both jobs
		s.advance(1, time.Second)
		waitUntil(t, fmt.Sprintf("run %d of each job", round), func() bool {
			return s.runs("gallium-a", "ok") >= round && s.runs("gallium-b", "ok") >= round
		})
	}
	for _, j := range []string{"gallium-a", "gallium-b"} {
		if n := s.runs(j, "failed"); n != 0 {
			t.Errorf("job %s: %d failed runs:\n%s", j, n, s.stderr)
		}
	}
	if code, body := s.get("/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q, want 200 ok", code, body)
	}
	// China's 70 % of 2024 crossed 50 %: alerted once although every run sees it.
	crossed := sink.of("threshold_crossed")
	if len(crossed) != 1 {
		t.Fatalf("want one threshold alert, got %d: %v", len(crossed), crossed)
	}
	if crossed[0]["rule"] != "china_high" {
		t.Errorf("alert rule %v, want china_high", crossed[0]["rule"])
	}
	rows, _ := crossed[0]["rows"].([]any)
	if len(rows) != 1 {
		t.Fatalf("want one crossing series, got %v", crossed[0]["rows"])
	}
	row := rows[0].(map[string]any)
	if row["reporter_iso3"] != "USA" || row["concern_iso3"] != "CHN" || row["period"] != "2024-01-01" ||
		math.Abs(row["value"].(float64)-0.7) > 1e-9 {
		t.Errorf("crossing row %v, want USA/CHN 2024 at 0.7", row)
	}
	s.stop()

	db := queryDB(t, wh)
	for _, j := range []string{"gallium-a", "gallium-b"} {
		if n := count(t, db, `SELECT count(*) FROM etl_runs WHERE job = ? AND status = 'ok' AND rows_in = 6`, j); n < 2 {
			t.Errorf("job %s: %d ok runs recorded in etl_runs, want at least 2", j, n)
		}
		if n := count(t, db, `SELECT count(*) FROM job_state WHERE job = ? AND last_scheduled_at IS NOT NULL
			AND last_success_at IS NOT NULL AND last_failure_at IS NULL`, j); n != 1 {
			t.Errorf("job %s: job_state lacks the trigger or success time", j)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM etl_runs WHERE status NOT IN ('ok', 'skipped')`); n != 0 {
		t.Errorf("%d runs neither ok nor skipped", n)
	}
	db.Close()
	if _, err := os.Stat(filepath.Join(wh, "parquet", "_manifests", "dependency_trends.json")); err != nil {
		t.Errorf("runs did not export Parquet: %v", err)
	}

	out := mustCLI(t, "--warehouse", wh, "status", "--config", cfg, "--limit", "3")
	if !regexp.MustCompile(`(?m)^gallium-a\s+\*/1 \* \* \* \* \*\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+-\s+-$`).MatchString(out) {
		t.Errorf("status --config: no next run and last success for gallium-a:\n%s", out)
	}
	if !strings.Contains(out, "Recent runs (UTC):") {
		t.Errorf("status --config: recent runs missing:\n%s", out)
	}
}

// A restarted scheduler does not send again the alerts sent before it
// stopped: what was sent is kept in the warehouse.
func TestScheduleRestartDoesNotResendAlerts(t *testing.T) {
	dir, wh := t.TempDir(), t.TempDir()
	sink := &alertSink{}
	hook := httptest.NewServer(sink)
	defer hook.Close()
	cfg := schedConfig(t, dir, okJobs, hook.URL, schedCSV(t, dir))
	for start := 1; start <= 2; start++ {
		s := startSchedule(t, scheduler.NewManualClock(scheduleEpoch.AddDate(0, 0, start)), "--warehouse", wh, "schedule", "--config", cfg)
		s.advance(1, time.Second)
		waitUntil(t, fmt.Sprintf("start %d: a run of each job", start), func() bool {
			return s.runs("gallium-a", "ok") >= 1 && s.runs("gallium-b", "ok") >= 1
		})
		s.stop()
		if n := len(sink.of("threshold_crossed")); n != 1 {
			t.Fatalf("after start %d: %d threshold alerts sent, want 1", start, n)
		}
	}
	db := queryDB(t, wh)
	defer db.Close()
	if n := count(t, db, `SELECT count(*) FROM alerts_sent WHERE rule = 'china_high' AND alert_key LIKE '%|USA|gallium_germanium|2024-01-01|0.7'`); n != 1 {
		t.Errorf("alerts_sent: %d rows for the crossing, want 1", n)
	}
}

const failingJob = `http: { listen: "127.0.0.1:0" }
alerts: { webhook: %s }
jobs:
  - name: broken
    source: comtrade-csv
    schedule: "*/1 * * * * *"
    retries: 1
    retry_backoff: 50ms
    config: { paths: [%s] }
`

func TestScheduleFailingJobIsRetriedRecordedAndAlerted(t *testing.T) {
	dir, wh := t.TempDir(), t.TempDir()
	sink := &alertSink{}
	hook := httptest.NewServer(sink)
	defer hook.Close()
	missing := filepath.Join(dir, "missing.csv")
	cfg := schedConfig(t, dir, failingJob, hook.URL, missing)

	s := startSchedule(t, scheduler.NewManualClock(scheduleEpoch), "--warehouse", wh, "schedule", "--config", cfg)
	s.advance(1, time.Second)         // the trigger
	s.advance(2, 50*time.Millisecond) // the retry after the first attempt failed
	waitUntil(t, "a failed run and its alert", func() bool {
		return s.runs("broken", "failed") >= 1 && len(sink.of("job_failed")) >= 1
	})
	code, body := s.get("/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "broken") || !strings.Contains(body, "missing.csv") {
		t.Errorf("/healthz: %d %q, want 503 naming the job and its error", code, body)
	}
	ev := sink.of("job_failed")[0]
	if ev["job"] != "broken" || !strings.Contains(fmt.Sprint(ev["error"]), "missing.csv") {
		t.Errorf("job_failed alert %v, want job broken and the missing file", ev)
	}
	s.stop()

	db := queryDB(t, wh)
	// Each failed run is two attempts (retries: 1), each recorded.
	if n := count(t, db, `SELECT count(*) FROM etl_runs WHERE job = 'broken' AND status = 'failed' AND error LIKE '%missing.csv%'`); n < 2 {
		t.Errorf("%d failed attempts in etl_runs, want at least 2 (one retry)", n)
	}
	var lastErr string
	if err := db.QueryRow(`SELECT last_error FROM job_state WHERE job = 'broken' AND last_failure_at IS NOT NULL AND last_success_at IS NULL`).Scan(&lastErr); err != nil || !strings.Contains(lastErr, "missing.csv") {
		t.Errorf("job_state failure: %q, %v", lastErr, err)
	}
}

const hourlyJobs = `http: { listen: "127.0.0.1:0" }
jobs:
  - { name: missed, source: comtrade-csv, schedule: "0 * * * *", config: { paths: [%s] } }
  - { name: on-time, source: comtrade-csv, schedule: "0 * * * *", config: { paths: [%[1]s] } }
  - { name: no-catch-up, source: comtrade-csv, schedule: "0 * * * *", catch_up: false, config: { paths: [%[1]s] } }
  - { name: never-run, source: comtrade-csv, schedule: "0 * * * *", config: { paths: [%[1]s] } }
`

// A slot missed while the scheduler was down runs once at start; a job
// without a missed slot, with catch_up off, or never triggered waits.
func TestScheduleCatchesUpMissedRunOnce(t *testing.T) {
	dir, wh := t.TempDir(), t.TempDir()
	cfg := schedConfig(t, dir, hourlyJobs, schedCSV(t, dir))
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{Dir: wh})
	if err != nil {
		t.Fatal(err)
	}
	now := scheduleEpoch.Add(30 * time.Minute)
	for job, at := range map[string]time.Time{"missed": now.Add(-2 * time.Hour), "on-time": now, "no-catch-up": now.Add(-2 * time.Hour)} {
		if err := w.RecordScheduled(ctx, job, at); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	// Catch-up runs are triggered before the scheduler says it started, and
	// the clock stands still: no scheduled slot comes.
	s := startSchedule(t, scheduler.NewManualClock(now), "--warehouse", wh, "schedule", "--config", cfg)
	waitUntil(t, "the catch-up run", func() bool { return s.runs("missed", "ok") == 1 })
	for _, j := range []string{"on-time", "no-catch-up", "never-run"} {
		if n := s.runs(j, "ok") + s.runs(j, "failed"); n != 0 {
			t.Errorf("job %s ran %d times, want 0", j, n)
		}
	}
	s.stop()

	db := queryDB(t, wh)
	if n := count(t, db, `SELECT count(*) FROM etl_runs WHERE job = 'missed' AND status = 'ok'`); n != 1 {
		t.Errorf("missed job: %d runs recorded, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM etl_runs WHERE job <> 'missed'`); n != 0 {
		t.Errorf("%d runs of other jobs recorded", n)
	}
	if n := count(t, db, `SELECT count(*) FROM job_state WHERE job = 'missed' AND last_scheduled_at > ?`, now.Add(-time.Minute)); n != 1 {
		t.Errorf("the catch-up trigger was not recorded")
	}
}

func TestScheduleUsageErrors(t *testing.T) {
	dir := t.TempDir()
	csvPath := schedCSV(t, dir)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("jobs:\n  - { name: a, source: nokind, schedule: '* * *' }\n  - { name: b, source: comtrade-csv, schedule: '@daily' }\n"), 0o644)
	good := schedConfig(t, dir, "jobs:\n  - { name: a, source: comtrade-csv, schedule: '@daily', config: { paths: [%s] } }\n", csvPath)
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, []byte("timezone: UTC\njobs: []\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no config", []string{"schedule"}, []string{"--config is required"}},
		{"missing file", []string{"schedule", "--config", filepath.Join(dir, "nope.yaml")}, []string{"nope.yaml", "no such file"}},
		{"unknown built-in", []string{"schedule", "--config", "nightly"}, []string{"nightly", "built-in configs: example, live"}},
		{"every problem", []string{"schedule", "--config", bad}, []string{"3 problem(s)", "bad.yaml:2:", `unknown source "nokind"`,
			"bad cron expression", "bad.yaml:3:", "jobs[1].config.paths: is required"}},
		{"no jobs", []string{"schedule", "--config", empty}, []string{"no jobs to schedule"}},
		{"listen not loopback", []string{"schedule", "--config", good, "--listen", "0.0.0.0:0"}, []string{"not loopback", "--listen-public"}},
		{"negative grace", []string{"schedule", "--config", good, "--grace", "-1s"}, []string{"--grace must not be negative"}},
		{"arguments", []string{"schedule", "--config", good, "extra"}, []string{"unknown command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cli(t, append([]string{"--warehouse", t.TempDir()}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", code, exitUsage, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// --help documents the opt-in for a non-loopback listener.
func TestScheduleHelpDocumentsListenPublic(t *testing.T) {
	out := mustCLI(t, "schedule", "--help")
	for _, want := range []string{"--listen-public", "0.0.0.0:9464 --listen-public", "loopback only unless --listen-public"} {
		if !strings.Contains(out, want) {
			t.Errorf("schedule --help lacks %q:\n%s", want, out)
		}
	}
}

// The built-in live config builds a scheduler: every schedule parses.
func TestScheduleLiveConfigBuildsJobs(t *testing.T) {
	cfg, err := loadJobConfig("live")
	if err != nil {
		t.Fatal(err)
	}
	next := jobs.NextRuns(cfg, time.Date(2025, 1, 1, 0, 30, 0, 0, time.UTC))
	if len(cfg.Jobs) == 0 || len(next) != len(cfg.Jobs) {
		t.Fatalf("live config: %d jobs, %d next runs", len(cfg.Jobs), len(next))
	}
}
