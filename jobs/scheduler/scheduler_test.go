package scheduler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunsAreRecordedAndServed(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	var runs atomic.Int64
	st := start(t, Options{
		Jobs:   []Job{{Name: "comtrade", Schedule: everySecond, Spec: "*/1 * * * * *"}},
		State:  store,
		Listen: "127.0.0.1:0",
		Run: func(ctx context.Context, job string) (RunResult, error) {
			runs.Add(1)
			return RunResult{RowsIn: 10, Loaded: 8, Rejected: 2}, nil
		},
	})
	for n := int64(1); n <= 2; n++ {
		st.tick(t, time.Second)
		waitFor(t, fmt.Sprintf("run %d and its bookkeeping", n), func() bool {
			return runs.Load() >= n && st.idleAfter(t, "comtrade", int(n))
		})
	}

	next := st.s.NextRuns()["comtrade"]
	if want := epoch.Add(3 * time.Second); !next.Equal(want) {
		t.Errorf("NextRuns = %v, want the next second %v", next, want)
	}

	// Real HTTP on the bound port.
	addr := st.s.Addr()
	if addr == "" || strings.HasSuffix(addr, ":0") {
		t.Fatalf("Addr() = %q, want the bound port", addr)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("/healthz = %d %q, want 200 ok", resp.StatusCode, body)
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		"# TYPE tradewh_runs_total counter",
		`tradewh_run_duration_seconds_bucket{job="comtrade",le="1"}`,
		`tradewh_job_running{job="comtrade"}`,
		`tradewh_runs_total{job="comtrade",status="panicked"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	st.stop(t)
	n := float64(runs.Load())
	sched, skipped, failed := store.counts("comtrade")
	ok := st.succeeded(t, "comtrade")
	if sched != int(n) || ok != int(n) || skipped != 0 || failed != 0 {
		t.Errorf("store: scheduled=%d ok=%d skipped=%d failed=%d, want %v runs all ok", sched, ok, skipped, failed, n)
	}
	for series, want := range map[string]float64{
		`tradewh_runs_total{job="comtrade",status="ok"}`:     n,
		`tradewh_rows_loaded_total{job="comtrade"}`:          8 * n,
		`tradewh_rows_rejected_total{job="comtrade"}`:        2 * n,
		`tradewh_run_duration_seconds_count{job="comtrade"}`: n,
		`tradewh_job_running{job="comtrade"}`:                0,
	} {
		if got := metric(t, st.s, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if ts := metric(t, st.s, `tradewh_last_success_timestamp_seconds{job="comtrade"}`); ts != float64(epoch.Add(2*time.Second).Unix()) {
		t.Errorf("last success timestamp %v, want the second run's time %v", ts, epoch.Add(2*time.Second).Unix())
	}
}

func TestNoOverlap(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	var running, maxRunning, runs atomic.Int64
	finish := make(chan struct{})
	st := start(t, Options{
		Jobs:  []Job{{Name: "baci", Schedule: everySecond}},
		State: store,
		Grace: time.Hour,
		Run: func(ctx context.Context, job string) (RunResult, error) {
			n := running.Add(1)
			defer running.Add(-1)
			if n > maxRunning.Load() {
				maxRunning.Store(n)
			}
			runs.Add(1)
			select { // slower than the 1 s schedule: it ends when the test says so
			case <-finish:
				return RunResult{}, nil
			case <-ctx.Done():
				return RunResult{}, ctx.Err()
			}
		},
	})
	st.tick(t, time.Second)
	waitFor(t, "the first run to start", func() bool { return runs.Load() == 1 })
	for i := 1; i <= 2; i++ {
		st.tick(t, time.Second)
		waitFor(t, fmt.Sprintf("skipped trigger %d", i), func() bool { _, sk, _ := store.counts("baci"); return sk >= i })
	}
	if got := st.s.runningJobs(); len(got) != 1 {
		t.Errorf("runningJobs = %v, want [baci]", got)
	}
	if v := metric(t, st.s, `tradewh_job_running{job="baci"}`); v != 1 {
		t.Errorf("tradewh_job_running = %v while running, want 1", v)
	}
	close(finish)
	st.stop(t)

	if maxRunning.Load() != 1 {
		t.Errorf("max concurrent runs = %d, want 1", maxRunning.Load())
	}
	sched, skipped, failed := store.counts("baci")
	if sched != int(runs.Load())+skipped {
		t.Errorf("scheduled=%d, want runs(%d)+skipped(%d): every trigger recorded", sched, runs.Load(), skipped)
	}
	if failed != 0 {
		t.Errorf("failures = %d, want 0: the run finished within Grace", failed)
	}
	if reason := store.skipped["baci"][0]; !strings.Contains(reason, "still running") {
		t.Errorf("skip reason %q does not say why", reason)
	}
	if v := metric(t, st.s, `tradewh_runs_total{job="baci",status="skipped"}`); v != float64(skipped) {
		t.Errorf("skipped metric = %v, want %d", v, skipped)
	}
}

func TestCatchUp(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		catchUp   bool
		lastSched time.Time // zero: never run
		wantRuns  int64
	}{
		{"missed several slots runs once", true, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), 1},
		{"missed slot without catch-up waits", false, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"never run waits for first slot", true, time.Time{}, 0},
		{"nothing missed", true, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"local-zone last time still compared in UTC", true, time.Date(2025, 1, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600)), 1},
	}
	store := newMemStore()
	var jobs []Job
	runs := map[string]*atomic.Int64{}
	for i, tc := range tests {
		name := fmt.Sprintf("job%d", i)
		jobs = append(jobs, Job{Name: name, Schedule: yearly, CatchUp: tc.catchUp})
		runs[name] = &atomic.Int64{}
		if !tc.lastSched.IsZero() {
			store.lastSched[name] = tc.lastSched
		}
	}
	st := start(t, Options{
		Jobs: jobs, State: store, Clock: NewManualClock(now),
		Run: func(ctx context.Context, job string) (RunResult, error) {
			runs[job].Add(1)
			return RunResult{}, nil
		},
	})
	// Catch-up runs are triggered before Run starts its trigger loop, and
	// the clock stands still: once the scheduler waits for its next slot,
	// every catch-up run has been triggered.
	waitFor(t, "the catch-up runs to be triggered", func() bool { return st.clock.Waiters() > 0 })
	waitFor(t, "the catch-up runs", func() bool {
		return st.succeeded(t, "job0") == 1 && st.succeeded(t, "job4") == 1
	})
	st.stop(t)
	for i, tc := range tests {
		name := fmt.Sprintf("job%d", i)
		if got := runs[name].Load(); got != tc.wantRuns {
			t.Errorf("%s: runs = %d, want %d", tc.name, got, tc.wantRuns)
		}
		if tc.wantRuns == 1 {
			if got := store.lastSched[name]; !got.Equal(now) {
				t.Errorf("%s: last_scheduled = %v, want the catch-up time %v", tc.name, got, now)
			}
		}
	}
}

// recordingWebhook is an httptest server that keeps the alert bodies.
func recordingWebhook(t *testing.T, status int) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), bodies...) }
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		failFirst  int // attempts that fail before one succeeds
		retries    int
		wantTries  int
		wantStatus string
		wantHealth int
	}{
		{"retries exhausted then failure", 99, 2, 3, "failed", http.StatusServiceUnavailable},
		{"retry succeeds", 2, 2, 3, "ok", http.StatusOK},
		{"no retries", 99, 0, 1, "failed", http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hook, alerts := recordingWebhook(t, http.StatusOK)
			store := newMemStore()
			store.lastSched["census"] = epoch.AddDate(-2, 0, 0)
			var mu sync.Mutex
			var times []time.Time
			const backoff = 100 * time.Millisecond
			clock := NewManualClock(epoch)
			st := start(t, Options{
				Jobs:  []Job{{Name: "census", Schedule: yearly, CatchUp: true, Retries: tc.retries, Backoff: backoff}},
				State: store,
				Alert: WebhookAlerter{URL: hook.URL},
				Clock: clock,
				Run: func(ctx context.Context, job string) (RunResult, error) {
					mu.Lock()
					defer mu.Unlock()
					times = append(times, clock.Now())
					if len(times) <= tc.failFirst {
						return RunResult{}, fmt.Errorf("census API: HTTP 503 (attempt %d)", len(times))
					}
					return RunResult{Loaded: 5}, nil
				},
			})
			// The trigger loop waits for next year's slot; a second timer is
			// a retry's delay, which the clock passes in steps of 10 ms.
			waitFor(t, "run to finish", func() bool {
				if clock.Waiters() >= 2 {
					clock.Advance(10 * time.Millisecond)
				}
				return metric(t, st.s, fmt.Sprintf(`tradewh_runs_total{job="census",status=%q}`, tc.wantStatus)) == 1
			})
			code, body := get(t, st.s.Handler(), "/healthz")
			st.stop(t)

			mu.Lock()
			defer mu.Unlock()
			if len(times) != tc.wantTries {
				t.Fatalf("attempts = %d, want %d", len(times), tc.wantTries)
			}
			for i := 1; i < len(times); i++ { // 100 ms, then doubled
				if want := backoff << (i - 1); times[i].Sub(times[i-1]) < want {
					t.Errorf("delay before attempt %d = %v, want >= %v", i+1, times[i].Sub(times[i-1]), want)
				}
			}
			if code != tc.wantHealth {
				t.Errorf("/healthz = %d %q, want %d", code, body, tc.wantHealth)
			}
			fails := store.failureErrs("census")
			if tc.wantStatus == "failed" {
				if len(fails) != 1 || !strings.Contains(fails[0].Error(), fmt.Sprintf("attempt %d", tc.wantTries)) {
					t.Errorf("recorded failures = %v, want the last attempt's error once", fails)
				}
				if !strings.Contains(body, "census") || !strings.Contains(body, "HTTP 503") {
					t.Errorf("/healthz body %q does not name the job and error", body)
				}
				a := alerts()
				if len(a) != 1 || !strings.Contains(a[0], `"event":"job_failed"`) || !strings.Contains(a[0], `"job":"census"`) {
					t.Errorf("alerts = %q, want one job_failed for census", a)
				}
			} else if len(fails) != 0 || len(alerts()) != 0 {
				t.Errorf("failures = %v, alerts = %v, want none after a successful retry", fails, alerts())
			}
		})
	}
}

func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	log, logs := testLogger()
	var boomCalls, steadyRuns atomic.Int64
	st := start(t, Options{
		Jobs: []Job{
			{Name: "boom", Schedule: everySecond, Retries: 3, Backoff: time.Millisecond},
			{Name: "steady", Schedule: everySecond},
		},
		State:  store,
		Logger: log,
		Run: func(ctx context.Context, job string) (RunResult, error) {
			if job == "boom" {
				boomCalls.Add(1)
				var m map[string]int
				m["x"] = 1 // nil map write: a real runtime panic
			}
			steadyRuns.Add(1)
			return RunResult{}, nil
		},
	})
	for n := 1; n <= 2; n++ {
		st.tick(t, time.Second)
		waitFor(t, fmt.Sprintf("panic %d and good run %d", n, n), func() bool {
			return metric(t, st.s, `tradewh_runs_total{job="boom",status="panicked"}`) >= float64(n) &&
				metric(t, st.s, `tradewh_runs_total{job="steady",status="ok"}`) >= float64(n)
		})
	}
	code, body := get(t, st.s.Handler(), "/healthz")
	st.stop(t)

	panicked := metric(t, st.s, `tradewh_runs_total{job="boom",status="panicked"}`)
	if float64(boomCalls.Load()) != panicked {
		t.Errorf("boom called %d times for %v panicked runs: panics must not be retried", boomCalls.Load(), panicked)
	}
	if fails := store.failureErrs("boom"); len(fails) != int(panicked) || !strings.Contains(fails[0].Error(), "panic: assignment to entry in nil map") {
		t.Errorf("recorded failures = %v, want one panic per run", fails)
	}
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "boom") || strings.Contains(body, "steady") {
		t.Errorf("/healthz = %d %q, want 503 naming boom only", code, body)
	}
	out := logs.String()
	if !strings.Contains(out, "job panicked") || !strings.Contains(out, "goroutine ") || !strings.Contains(out, "scheduler_test.go") {
		t.Errorf("log lacks the panic with its stack:\n%s", out)
	}
}

// On shutdown a running job gets Grace, measured on the scheduler's clock,
// before its context is cancelled.
func TestShutdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		wantCancel bool // the job outlasts the grace; else it finishes within
	}{
		{"job cancelled after grace", true},
		{"job finishes within grace", false},
	}
	const grace = 30 * time.Second
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hook, alerts := recordingWebhook(t, http.StatusOK)
			store := newMemStore()
			store.lastSched["usgs"] = epoch.AddDate(-2, 0, 0)
			started, finish := make(chan struct{}), make(chan struct{})
			var cancelled, returned atomic.Bool
			st := start(t, Options{
				Jobs:  []Job{{Name: "usgs", Schedule: yearly, CatchUp: true, Retries: 3}},
				State: store,
				Grace: grace,
				Alert: WebhookAlerter{URL: hook.URL},
				Run: func(ctx context.Context, job string) (RunResult, error) {
					close(started)
					defer returned.Store(true)
					select {
					case <-finish:
						return RunResult{Loaded: 1}, nil
					case <-ctx.Done():
						cancelled.Store(true)
						return RunResult{}, ctx.Err()
					}
				},
			})
			<-started
			waitFor(t, "the trigger loop to wait", func() bool { return st.clock.Waiters() > 0 })
			graceStarts := st.clock.WaitersChanged()
			st.cancel()
			select {
			case <-graceStarts:
			case <-time.After(patience):
				t.Fatal("shutdown never started its grace period")
			}
			st.clock.Advance(grace - time.Second)
			if cancelled.Load() {
				t.Fatal("job cancelled before its grace was over")
			}
			if tc.wantCancel {
				st.clock.Advance(time.Second)
			} else {
				close(finish)
			}
			st.wait(t)
			if cancelled.Load() != tc.wantCancel {
				t.Errorf("job cancelled: %v, want %v", cancelled.Load(), tc.wantCancel)
			}
			if !returned.Load() {
				t.Error("Run returned before the job did")
			}
			_, _, failed := store.counts("usgs")
			ok := st.succeeded(t, "usgs")
			if tc.wantCancel {
				// Cancelled, not failed: no failure recorded, no retry.
				if failed != 0 || metric(t, st.s, `tradewh_runs_total{job="usgs",status="cancelled"}`) != 1 {
					t.Errorf("failures = %v, %v runs cancelled; want one cancelled run", store.failureErrs("usgs"),
						metric(t, st.s, `tradewh_runs_total{job="usgs",status="cancelled"}`))
				}
				if code, body := get(t, st.s.Handler(), "/healthz"); code != http.StatusOK {
					t.Errorf("/healthz %d %q after a cancelled run, want 200", code, body)
				}
				if len(alerts()) != 0 {
					t.Errorf("alerts = %q: an operator's shutdown should not page", alerts())
				}
			} else if ok != 1 || failed != 0 {
				t.Errorf("ok=%d failed=%d, want the run to complete", ok, failed)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	run := func(context.Context, string) (RunResult, error) { return RunResult{}, nil }
	good := Job{Name: "a", Schedule: everySecond}
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no run func", Options{Jobs: []Job{good}, State: newMemStore()}, "Run is nil"},
		{"no store", Options{Jobs: []Job{good}, Run: run}, "State is nil"},
		{"no jobs", Options{Run: run, State: newMemStore()}, "no jobs"},
		{"duplicate", Options{Jobs: []Job{good, good}, Run: run, State: newMemStore()}, `"a" configured twice`},
		{"no schedule", Options{Jobs: []Job{{Name: "b"}}, Run: run, State: newMemStore()}, `"b" has no schedule`},
		{"no name", Options{Jobs: []Job{{Schedule: everySecond}}, Run: run, State: newMemStore()}, "job 0 has no name"},
		{"negative retries", Options{Jobs: []Job{{Name: "c", Schedule: everySecond, Retries: -1}}, Run: run, State: newMemStore()}, "negative Retries"},
		{"public listener", Options{Jobs: []Job{good}, Run: run, State: newMemStore(), Listen: "0.0.0.0:9464"}, "not loopback"},
		{"bad listener", Options{Jobs: []Job{good}, Run: run, State: newMemStore(), Listen: "9464"}, "listen address"},
	}
	for _, tc := range tests {
		if _, err := New(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	for _, addr := range []string{"127.0.0.1:9464", "[::1]:0", "localhost:9464"} {
		if _, err := New(Options{Jobs: []Job{good}, Run: run, State: newMemStore(), Listen: addr}); err != nil {
			t.Errorf("Listen %q rejected: %v", addr, err)
		}
	}
	// Another address only when allowed explicitly (New binds nothing).
	for _, addr := range []string{"0.0.0.0:9464", "[::]:9464", "tradewh:9464"} {
		if _, err := New(Options{Jobs: []Job{good}, Run: run, State: newMemStore(), Listen: addr, ListenPublic: true}); err != nil {
			t.Errorf("Listen %q with ListenPublic rejected: %v", addr, err)
		}
	}
	if _, err := New(Options{Jobs: []Job{good}, Run: run, State: newMemStore(), Listen: "9464", ListenPublic: true}); err == nil {
		t.Error("ListenPublic let a malformed address through")
	}
}
