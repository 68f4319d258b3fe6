package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/output/warehouse"
)

func testEnv(t *testing.T) *Env {
	t.Helper()
	return &Env{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}
}

// count runs a count query on the closed warehouse of env.
func count(t *testing.T, env *Env, q string, args ...any) int64 {
	t.Helper()
	wh, err := env.OpenReader(context.Background(), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	var n int64
	if err := wh.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// State writes that find the warehouse busy (a run holding it) return at
// once and are written by the holder when it lets go.
func TestQueueStateWritesWaitForBusyWarehouse(t *testing.T) {
	ctx := context.Background()
	env := testEnv(t)
	cfg := &jobs.Config{Jobs: []jobs.Job{{Name: "j", Source: "comtrade-csv"}}}
	r := newScheduleState(env, cfg)
	at := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)

	if err := r.q.acquire(ctx); err != nil { // a run holds the warehouse
		t.Fatal(err)
	}
	if err := r.RecordSkipped(ctx, "j", at, "previous run still running"); err != nil {
		t.Fatal(err)
	}
	if err := r.RecordFailure(ctx, "j", at.Add(time.Minute), errors.New("boom")); err != nil {
		t.Fatal(err)
	}
	if n := r.q.queued(); n != 2 {
		t.Errorf("%d writes queued while the warehouse is held, want 2", n)
	}
	if _, err := os.Stat(filepath.Join(env.Dir, warehouse.FileName)); err == nil {
		t.Fatal("state written while the warehouse was held")
	}
	if err := r.q.release(); err != nil {
		t.Fatal(err)
	}
	if n := r.q.queued(); n != 0 {
		t.Errorf("%d writes still queued after release", n)
	}
	if err := r.RecordScheduled(ctx, "j", at.Add(2*time.Minute)); err != nil { // free: written now
		t.Fatal(err)
	}

	r2 := newScheduleState(env, cfg)
	r2.prefetch(ctx)
	sched, _, err := r2.LastTimes(ctx, "j")
	if err != nil || !sched.Equal(at.Add(2*time.Minute)) {
		t.Errorf("LastTimes: %v, %v; want %v", sched, err, at.Add(2*time.Minute))
	}
	if n := count(t, env, `SELECT count(*) FROM etl_runs WHERE job = 'j' AND status = 'skipped'
		AND source = 'comtrade-csv' AND error = 'previous run still running' AND started_at = ?`, at); n != 1 {
		t.Errorf("skipped trigger: %d etl_runs rows, want 1", n)
	}
	if n := count(t, env, `SELECT count(*) FROM job_state WHERE job = 'j' AND last_error = 'boom' AND last_failure_at = ?`, at.Add(time.Minute)); n != 1 {
		t.Errorf("failure not recorded in job_state")
	}
}

// A write whose warehouse cannot be opened stays queued, ahead of later
// writes, for the next holder.
func TestQueueKeepsWritesWhenTheWarehouseCannotOpen(t *testing.T) {
	ctx := context.Background()
	env := testEnv(t)
	var fail atomic.Bool
	fail.Store(true)
	env.Open = func(ctx context.Context, o warehouse.Options) (*warehouse.Warehouse, error) {
		if fail.Load() {
			return nil, errors.New("disk full")
		}
		return warehouse.Open(ctx, o)
	}
	cfg := &jobs.Config{Jobs: []jobs.Job{{Name: "a", Source: "comtrade-csv"}, {Name: "b", Source: "comtrade-csv"}}}
	r := newScheduleState(env, cfg)
	at := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)

	err := r.RecordScheduled(ctx, "a", at)
	if err == nil || !containsAll(err.Error(), "kept for later", "disk full") {
		t.Fatalf("write on a warehouse that cannot open: %v, want it kept for later", err)
	}
	if n := r.q.queued(); n != 1 {
		t.Fatalf("%d writes queued after the failed open, want 1", n)
	}
	if len(r.q.sem) != 0 {
		t.Fatal("the warehouse is still held after the failed write")
	}
	fail.Store(false)
	if err := r.RecordScheduled(ctx, "b", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := r.q.queued(); n != 0 {
		t.Errorf("%d writes still queued", n)
	}
	for job, want := range map[string]time.Time{"a": at, "b": at.Add(time.Hour)} {
		if n := count(t, env, `SELECT count(*) FROM job_state WHERE job = ? AND last_scheduled_at = ?`, job, want); n != 1 {
			t.Errorf("job %s: trigger at %v not written", job, want)
		}
	}
}

// Writes recorded from many goroutines while runs take and let go of the
// warehouse are each written once, none stranded.
func TestQueueConcurrentWritesAreAllWritten(t *testing.T) {
	ctx := context.Background()
	env := testEnv(t)
	const n = 8
	cfg := &jobs.Config{}
	for i := range n {
		cfg.Jobs = append(cfg.Jobs, jobs.Job{Name: fmt.Sprintf("j%d", i), Source: "comtrade-csv"})
	}
	r := newScheduleState(env, cfg)
	at := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // a run taking and letting go of the warehouse
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := r.q.acquire(ctx); err != nil {
				t.Error(err)
				return
			}
			if err := r.q.release(); err != nil {
				t.Error(err)
			}
		}
	}()
	var writers sync.WaitGroup
	for i := range n {
		writers.Add(1)
		go func() {
			defer writers.Done()
			if err := r.RecordScheduled(ctx, fmt.Sprintf("j%d", i), at.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Error(err)
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	// What a release left behind is written by the next holder: the
	// scheduled run's last one before exit.
	if err := r.q.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.q.release(); err != nil {
		t.Fatal(err)
	}
	if got := count(t, env, `SELECT count(*) FROM job_state WHERE last_scheduled_at IS NOT NULL`); got != n {
		t.Errorf("%d triggers written, want %d", got, n)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
