package runner

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/output/warehouse"
)

// logBuffer collects log lines from many goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// holdOnMartStep is a warehouse log handler that makes the first marts
// rebuild of the test a long one: it blocks there until released, and
// hands the test the context of the run it holds.
type holdOnMartStep struct {
	slog.Handler
	ctx  context.Context // the context the warehouse was opened with
	hold *held
}

type held struct {
	once    sync.Once
	ctx     chan context.Context
	release chan struct{}
}

func (h holdOnMartStep) Enabled(context.Context, slog.Level) bool { return true }
func (h holdOnMartStep) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "mart step" {
		h.hold.once.Do(func() {
			h.hold.ctx <- h.ctx
			<-h.hold.release
		})
	}
	return nil
}

// On shutdown (SIGTERM cancels Run's context) jobs queued behind a long
// one never start; the long one finishes within the grace period, or is
// cut short after it and recorded as cancelled, not failed; Run returns nil.
func TestShutdownStartsNothingQueued(t *testing.T) {
	tests := []struct {
		name       string
		outlast    bool // the long run outlasts the grace period
		wantStatus string
	}{
		{"long run finishes within the grace", false, warehouse.StatusOK},
		{"long run outlasts the grace", true, warehouse.StatusCancelled},
	}
	const grace = time.Minute // startSchedule's
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t)
			logs := &logBuffer{}
			env.Logger = slog.New(slog.NewTextHandler(logs, nil))
			hold := &held{ctx: make(chan context.Context, 1), release: make(chan struct{})}
			env.Open = func(ctx context.Context, o warehouse.Options) (*warehouse.Warehouse, error) {
				if !o.ReadOnly {
					o.Logger = slog.New(holdOnMartStep{slog.DiscardHandler, ctx, hold})
				}
				return warehouse.Open(ctx, o)
			}
			var cfg jobs.Config
			for _, name := range []string{"a", "b", "c"} {
				j := galliumJob(t)
				j.Name, j.Schedule = name, "0 2 * * *"
				cfg.Jobs = append(cfg.Jobs, j)
			}
			r := startSchedule(t, env, &cfg, time.Date(2026, 3, 2, 1, 59, 59, 0, time.UTC))
			h := r.sch.Handler()
			r.tick(t, time.Second) // 02:00, every job's slot
			runCtx := <-hold.ctx   // one run is in its marts rebuild
			waitFor(t, "every job to be triggered", func() bool {
				return strings.Count(logs.String(), `msg="job attempt started"`) == 3
			})

			graceStarts := r.clock.WaitersChanged()
			stopped := make(chan struct{})
			go func() { r.stop(); close(stopped) }()
			<-graceStarts
			if tc.outlast {
				r.clock.Advance(grace)
				<-runCtx.Done()
			}
			close(hold.release)
			<-stopped

			if n := count(t, env, `SELECT count(*) FROM etl_runs`); n != 1 {
				t.Errorf("%d runs recorded, want the one that was running when shutdown began", n)
			}
			if n := count(t, env, `SELECT count(*) FROM etl_runs WHERE status = ?`, tc.wantStatus); n != 1 {
				t.Errorf("the running job not recorded %s", tc.wantStatus)
			}
			cancelled := 0.0
			for _, j := range cfg.Jobs {
				cancelled += metric(h, `tradewh_runs_total{job="`+j.Name+`",status="cancelled"}`)
				if f := metric(h, `tradewh_runs_total{job="`+j.Name+`",status="failed"}`); f != 0 {
					t.Errorf("job %s: %v failed runs, want none", j.Name, f)
				}
			}
			if want := map[bool]float64{false: 2, true: 3}[tc.outlast]; cancelled != want {
				t.Errorf("%v runs cancelled, want %v", cancelled, want)
			}
			if l := logs.String(); strings.Contains(l, `msg="job failed"`) {
				t.Errorf("a job logged as failed:\n%s", l)
			}
		})
	}
}
