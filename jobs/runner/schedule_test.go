package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/scheduler"

	_ "github.com/tradewh/tradewh/sources/census"
	_ "github.com/tradewh/tradewh/sources/usgsmcs"
)

func waitFor(t *testing.T, what string, cond func() bool) { t.Helper(); etltest.WaitFor(t, what, cond) }

func get(h http.Handler, path string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// metric reads one series from /metrics; -1 when it is absent.
func metric(h http.Handler, series string) float64 {
	_, body := get(h, "/metrics")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// running is a Schedule running in the background.
type running struct {
	sch   *Schedule
	clock *scheduler.ManualClock
	stop  func()
}

func startSchedule(t *testing.T, env *Env, cfg *jobs.Config, at time.Time) *running {
	t.Helper()
	clock := scheduler.NewManualClock(at)
	env.Clock = clock
	sch, err := NewSchedule(env, cfg, ScheduleOptions{Grace: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sch.Run(ctx) }()
	r := &running{sch: sch, clock: clock}
	stopped := false
	r.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(etltest.Patience):
			t.Fatalf("Run did not return within %s of cancellation", etltest.Patience)
		}
	}
	t.Cleanup(r.stop)
	return r
}

// tick moves the clock by d once the scheduler waits for its next slot.
func (r *running) tick(t *testing.T, d time.Duration) {
	t.Helper()
	waitFor(t, "the scheduler to wait for its next slot", func() bool { return r.clock.Waiters() > 0 })
	r.clock.Advance(d)
}

// liveJob is a job of the built-in live config, its paths moved to paths.
func liveJob(t *testing.T, name string, paths ...string) jobs.Job {
	t.Helper()
	data, err := jobs.Embedded("live")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jobs.Parse("live.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	j, ok := cfg.Job(name)
	if !ok {
		t.Fatalf("no job %s in the live config", name)
	}
	raw := map[string]any{}
	for k, v := range j.Raw {
		raw[k] = v
	}
	var ps []any
	for _, p := range paths {
		ps = append(ps, p)
	}
	raw["paths"] = ps
	j.Raw = raw
	j.Retries = 0 // a failure shows at once, without retries on the clock
	return j
}

// The live config's usgs-mcs job on its first night: the inbox is missing,
// then empty, then holds only other files. Each run is ok with no rows,
// and /healthz stays 200.
func TestLiveUSGSJobWithAnEmptyInbox(t *testing.T) {
	inbox := filepath.Join(t.TempDir(), "inbox", "usgs")
	j := liveJob(t, "usgs-mcs", inbox)
	env := testEnv(t)
	r := startSchedule(t, env, &jobs.Config{Jobs: []jobs.Job{j}}, time.Date(2026, 3, 2, 3, 29, 59, 0, time.UTC))
	h := r.sch.Handler()
	steps := []struct {
		name    string
		prepare func()
	}{
		{"missing inbox", func() {}},
		{"empty inbox", func() {
			if err := os.MkdirAll(inbox, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"inbox without tables", func() {
			if err := os.WriteFile(filepath.Join(inbox, "README.txt"), []byte("drop MCS tables here"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for i, s := range steps {
		s.prepare()
		if i == 0 {
			r.tick(t, time.Second) // 03:30:00, the job's slot
		} else {
			r.tick(t, 24*time.Hour)
		}
		ok := `tradewh_runs_total{job="usgs-mcs",status="ok"}`
		failed := `tradewh_runs_total{job="usgs-mcs",status="failed"}`
		waitFor(t, s.name+": the run to finish", func() bool { return metric(h, ok)+metric(h, failed) == float64(i+1) })
		if metric(h, failed) != 0 {
			t.Fatalf("%s: the run failed", s.name)
		}
		if code, body := get(h, "/healthz"); code != http.StatusOK {
			t.Errorf("%s: /healthz %d %q, want 200", s.name, code, body)
		}
	}
	r.stop()
	if n := count(t, env, `SELECT count(*) FROM etl_runs WHERE job = 'usgs-mcs' AND status = 'ok' AND rows_in = 0 AND error IS NULL`); n != 3 {
		t.Errorf("%d ok runs with no rows recorded, want 3", n)
	}
}

// Without inbox: true a missing folder is still an error.
func TestUSGSMissingFolderFailsOutsideAnInbox(t *testing.T) {
	j := liveJob(t, "usgs-mcs", filepath.Join(t.TempDir(), "nowhere"))
	delete(j.Raw, "inbox")
	env := testEnv(t)
	_, err := env.RunConfigured(context.Background(), &jobs.Config{}, j)
	if err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("run: %v, want an error naming the missing folder", err)
	}
}

// The rejected-rows metric counts new rejections: a file read again on
// every run brings the same bad rows, which count once.
func TestRejectedMetricCountsNewRejectionsOnly(t *testing.T) {
	// A value that is not a number, twice, on rows of their own.
	j := galliumJob(t, etltest.ComtradeRecord(2024, 251, "lots"), etltest.ComtradeRecord(2024, 392, "lots"))
	j.Schedule = "@daily"
	env := testEnv(t)
	r := startSchedule(t, env, &jobs.Config{Jobs: []jobs.Job{j}}, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	h := r.sch.Handler()
	for run := 1; run <= 3; run++ {
		r.tick(t, 24*time.Hour)
		waitFor(t, fmt.Sprintf("run %d", run), func() bool {
			return metric(h, `tradewh_runs_total{job="gallium",status="ok"}`) == float64(run)
		})
		if got := metric(h, `tradewh_rows_rejected_total{job="gallium"}`); got != 2 {
			t.Errorf("after run %d: rejected rows metric %v, want 2", run, got)
		}
	}
	r.stop()
	if n := count(t, env, `SELECT count(*) FROM etl_runs WHERE job = 'gallium' AND rows_rejected = 2`); n != 3 {
		t.Errorf("%d runs recorded 2 rejected rows, want 3: etl_runs keeps every run's own count", n)
	}
}
