package scheduler

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tradewh/tradewh/etl/etltest"
)

// memStore is an in-memory StateStore that keeps every call for assertions.
type memStore struct {
	mu        sync.Mutex
	lastSched map[string]time.Time
	lastOK    map[string]time.Time
	scheduled map[string][]time.Time
	skipped   map[string][]string
	failures  map[string][]error
}

func newMemStore() *memStore {
	return &memStore{lastSched: map[string]time.Time{}, lastOK: map[string]time.Time{},
		scheduled: map[string][]time.Time{}, skipped: map[string][]string{},
		failures: map[string][]error{}}
}

func (m *memStore) LastTimes(_ context.Context, job string) (time.Time, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lastSched[job], m.lastOK[job], nil
}

func (m *memStore) RecordScheduled(_ context.Context, job string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastSched[job] = at
	m.scheduled[job] = append(m.scheduled[job], at)
	return nil
}

func (m *memStore) RecordSkipped(_ context.Context, job string, _ time.Time, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.skipped[job] = append(m.skipped[job], reason)
	return nil
}

func (m *memStore) RecordFailure(_ context.Context, job string, _ time.Time, err error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failures[job] = append(m.failures[job], err)
	return nil
}

// counts returns the number of triggers, skips and failures of job.
func (m *memStore) counts(job string) (sched, skipped, failed int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.scheduled[job]), len(m.skipped[job]), len(m.failures[job])
}

func (m *memStore) failureErrs(job string) []error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]error(nil), m.failures[job]...)
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

var (
	everySecond = mustSpec("*/1 * * * * *")
	// yearly never fires during a test; such jobs run only through catch-up.
	yearly = mustSpec("0 0 0 1 1 *")
)

// specParser reads the specs of these tests as jobs.ParseSchedule does.
var specParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func mustSpec(spec string) cron.Schedule {
	s, err := specParser.Parse(spec)
	if err != nil {
		panic(err)
	}
	return s
}

// epoch is where the tests' clocks start.
var epoch = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// patience bounds every wait of these tests; time moves only when a test
// moves its ManualClock (see etltest.Patience).
const patience = etltest.Patience

// started is a Scheduler running in the background on a ManualClock.
type started struct {
	s      *Scheduler
	clock  *ManualClock
	cancel context.CancelFunc
	done   chan error
}

// start runs a Scheduler; its clock is o.Clock, or a ManualClock at epoch.
func start(t *testing.T, o Options) *started {
	t.Helper()
	if o.Logger == nil {
		o.Logger, _ = testLogger()
	}
	if o.Clock == nil {
		o.Clock = NewManualClock(epoch)
	}
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st := &started{s: s, clock: o.Clock.(*ManualClock), cancel: cancel, done: make(chan error, 1)}
	go func() { st.done <- s.Run(ctx) }()
	t.Cleanup(func() { st.stop(t) })
	return st
}

// succeeded is how many runs of job ended in success, as /metrics counts
// them (the store's job_state success is the RunFunc's to write).
func (st *started) succeeded(t *testing.T, job string) int {
	return int(metric(t, st.s, `tradewh_runs_total{job="`+job+`",status="ok"}`))
}

// idleAfter reports whether n runs of job succeeded and the job is no
// longer running, so the next trigger starts it again.
func (st *started) idleAfter(t *testing.T, job string, n int) bool {
	return st.succeeded(t, job) >= n && metric(t, st.s, `tradewh_job_running{job="`+job+`"}`) == 0
}

// stop cancels Run and waits for it to return.
func (st *started) stop(t *testing.T) {
	t.Helper()
	st.cancel()
	st.wait(t)
}

// wait waits for Run to return after a cancellation.
func (st *started) wait(t *testing.T) {
	t.Helper()
	select {
	case err, ok := <-st.done:
		if ok && err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
		if ok {
			close(st.done)
		}
	case <-time.After(patience):
		t.Fatalf("Run did not return within %v of cancellation", patience)
	}
}

// tick moves the clock by d once the scheduler waits for its next slot.
func (st *started) tick(t *testing.T, d time.Duration) {
	t.Helper()
	waitFor(t, "the scheduler to wait for its next slot", func() bool { return st.clock.Waiters() > 0 })
	st.clock.Advance(d)
}

func waitFor(t *testing.T, what string, cond func() bool) { t.Helper(); etltest.WaitFor(t, what, cond) }

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// metric returns the value of one series (e.g. `tradewh_runs_total{job="a",status="ok"}`)
// from /metrics, failing the test when it is absent.
func metric(t *testing.T, s *Scheduler, series string) float64 {
	t.Helper()
	_, body := get(t, s.Handler(), "/metrics")
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("series %s: value %q: %v", series, v, err)
			}
			return f
		}
	}
	t.Fatalf("series %s not in /metrics:\n%s", series, body)
	return 0
}
