// Package scheduler runs the unattended refresh jobs on their cron schedules.
//
// robfig/cron is used only as the trigger: it neither catches up missed runs
// nor records anything, so this package persists trigger times through a
// StateStore, prevents overlapping runs of the same job (recording the skips),
// retries failures with backoff, recovers panics, drains running jobs on
// shutdown and exposes health, metrics and alerts.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one scheduled job.
type Job struct {
	Name     string
	Schedule cron.Schedule // parsed; jobs.ParseSchedule parses one
	Spec     string        // the expression, for display
	Retries  int           // extra attempts after a failed one
	Backoff  time.Duration // delay before the first retry, doubled each time up to maxBackoffFactor×
	// CatchUp runs the job once at start when at least one slot was missed
	// since the last recorded trigger. A job never triggered before has no
	// missed slot: it waits for its first scheduled time.
	CatchUp bool
}

// RunFunc runs one attempt of a job. It must honour ctx: on cancellation it
// stops at a batch boundary, rolls back and returns.
type RunFunc func(ctx context.Context, job string) (RunResult, error)

// RunResult is what one successful attempt loaded. Rejected counts new
// rejections only: rows an earlier run rejected already are not counted.
type RunResult struct{ RowsIn, Loaded, Rejected int64 }

// StateStore persists per-job times across restarts (the warehouse's job_state table).
type StateStore interface {
	LastTimes(ctx context.Context, job string) (lastScheduled, lastSuccess time.Time, err error)
	RecordScheduled(ctx context.Context, job string, at time.Time) error
	RecordSkipped(ctx context.Context, job string, at time.Time, reason string) error
	RecordFailure(ctx context.Context, job string, at time.Time, err error) error
}

// Options configures a Scheduler.
type Options struct {
	Jobs   []Job
	Run    RunFunc
	State  StateStore
	Logger *slog.Logger // nil: slog.Default()
	// Grace is how long running jobs may continue after shutdown starts
	// before their context is cancelled.
	Grace time.Duration
	// Listen is a loopback address for /healthz and /metrics, e.g.
	// "127.0.0.1:9464" ("127.0.0.1:0" picks a port, see Addr); "" serves nothing.
	Listen string
	// ListenPublic allows a Listen address that is not loopback (such as
	// 0.0.0.0:9464, for a Prometheus in another container). Both endpoints
	// only read: they carry no secret and change nothing.
	ListenPublic bool
	Clock        Clock   // nil: the wall clock; tests pass a ManualClock
	Alert        Alerter // nil: no alerts
	// Check, when set, is asked by every /healthz: while it returns an
	// error (the warehouse cannot be written, say) health is 503 naming it,
	// whatever the jobs' last runs did. nil: no check.
	Check func() error
}

const (
	maxBackoffFactor = 10
	// stateTimeout bounds bookkeeping calls, which use their own context so
	// they still happen while shutting down.
	stateTimeout = 30 * time.Second
)

// Scheduler triggers jobs; create it with New and start it with Run.
type Scheduler struct {
	opts    Options
	log     *slog.Logger
	clock   Clock
	jobs    map[string]*jobState
	order   []string
	metrics *metrics
	handler http.Handler

	// jobCtx is the parent of every attempt. It is independent of Run's ctx
	// so running jobs get the grace period before being cancelled.
	jobCtx    context.Context
	cancelJob context.CancelFunc

	mu       sync.Mutex
	closing  bool           // no new runs once set
	stopping chan struct{}  // closed when shutdown begins
	wg       sync.WaitGroup // running jobs
	trigWG   sync.WaitGroup // trigger callbacks
	addr     string
	started  bool
}

// jobState is the in-memory view of one job, guarded by Scheduler.mu.
type jobState struct {
	job          Job
	running      bool
	runningSince time.Time
	lastErr      error // final outcome of the last run; nil when it succeeded
	lastFailedAt time.Time
}

// New validates the options and builds a Scheduler.
func New(o Options) (*Scheduler, error) {
	if o.Run == nil {
		return nil, errors.New("scheduler: Options.Run is nil")
	}
	if o.State == nil {
		return nil, errors.New("scheduler: Options.State is nil")
	}
	if len(o.Jobs) == 0 {
		return nil, errors.New("scheduler: no jobs configured")
	}
	if o.Grace < 0 {
		return nil, fmt.Errorf("scheduler: negative Grace %v", o.Grace)
	}
	if o.Listen != "" {
		if err := checkListen(o.Listen, o.ListenPublic); err != nil {
			return nil, err
		}
	}
	s := &Scheduler{opts: o, log: o.Logger, clock: o.Clock, jobs: map[string]*jobState{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	for i, j := range o.Jobs {
		switch {
		case j.Name == "":
			return nil, fmt.Errorf("scheduler: job %d has no name", i)
		case j.Schedule == nil:
			return nil, fmt.Errorf("scheduler: job %q has no schedule", j.Name)
		case j.Retries < 0:
			return nil, fmt.Errorf("scheduler: job %q: negative Retries %d", j.Name, j.Retries)
		case j.Backoff < 0:
			return nil, fmt.Errorf("scheduler: job %q: negative Backoff %v", j.Name, j.Backoff)
		}
		if _, dup := s.jobs[j.Name]; dup {
			return nil, fmt.Errorf("scheduler: job %q configured twice", j.Name)
		}
		s.jobs[j.Name] = &jobState{job: j}
		s.order = append(s.order, j.Name)
	}
	s.metrics = newMetrics(s.order)
	s.handler = s.newHandler()
	// Jobs get a context of their own, not Run's: a shutdown lets them
	// finish for the grace period before cancelling them (see shutdown).
	s.jobCtx, s.cancelJob = context.WithCancel(context.Background())
	s.stopping = make(chan struct{})
	return s, nil
}

// checkListen checks addr is host:port, and loopback unless public.
func checkListen(addr string, public bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("scheduler: listen address %q: %w", addr, err)
	}
	if public || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("scheduler: listen address %q is not loopback; health and metrics are served on 127.0.0.1 or ::1 unless another address is allowed explicitly (tradewh schedule --listen-public)", addr)
}

// Addr is the bound listener address once Run has started, or "".
func (s *Scheduler) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// NextRuns is each job's next scheduled time (UTC).
func (s *Scheduler) NextRuns() map[string]time.Time {
	now := s.clock.Now().UTC()
	out := make(map[string]time.Time, len(s.order))
	for _, name := range s.order {
		out[name] = s.jobs[name].job.Schedule.Next(now)
	}
	return out
}

// Run starts the listener, catches up missed jobs and triggers jobs on their
// schedules until ctx is done. It then stops new triggers, gives running jobs
// Grace to finish, cancels them, waits for them and returns nil. It returns an
// error only when it cannot start.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("scheduler: Run called twice")
	}
	s.started = true
	s.mu.Unlock()

	srv, err := s.serve()
	if err != nil {
		return err
	}
	s.loadState(ctx)

	loopDone := make(chan struct{})
	go s.triggers(loopDone)
	s.log.Info("scheduler started", "jobs", len(s.order), "listen", s.Addr())
	next := s.NextRuns()
	for _, name := range s.order {
		s.log.Info("job scheduled", "job", name, "spec", s.jobs[name].job.Spec, "next", next[name])
	}

	<-ctx.Done()
	s.shutdown(loopDone)
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
	}
	s.log.Info("scheduler stopped")
	return nil
}

// loadState reads the persisted times: it seeds the last-success metric and
// starts catch-up runs. Errors are logged; a store that cannot be read means
// no catch-up, not a scheduler that refuses to start.
func (s *Scheduler) loadState(ctx context.Context) {
	now := s.clock.Now().UTC()
	for _, name := range s.order {
		job := s.jobs[name].job
		sctx, cancel := context.WithTimeout(ctx, stateTimeout)
		lastSched, lastOK, err := s.opts.State.LastTimes(sctx, name)
		cancel()
		if err != nil {
			s.log.Error("reading job state", "job", name, "err", err)
			continue
		}
		if !lastOK.IsZero() {
			s.metrics.lastSuccess.WithLabelValues(name).Set(float64(lastOK.Unix()))
		}
		if !job.CatchUp || lastSched.IsZero() {
			continue
		}
		if missed := job.Schedule.Next(lastSched.UTC()); missed.Before(now) {
			s.log.Info("catching up missed run", "job", name, "last_scheduled", lastSched.UTC(), "missed_slot", missed)
			s.trigger(name, "catch-up")
		}
	}
}

// triggers fires each job at the times of its schedule on the clock until
// shutdown begins; loopDone is closed when it has stopped. The cron
// schedules only say when a job is next due: triggering happens here, so a
// ManualClock drives the scheduler in tests.
func (s *Scheduler) triggers(loopDone chan<- struct{}) {
	defer close(loopDone)
	now := s.clock.Now().UTC()
	next := make(map[string]time.Time, len(s.order))
	for _, name := range s.order {
		next[name] = s.jobs[name].job.Schedule.Next(now)
	}
	for {
		var first time.Time
		for _, name := range s.order {
			if n := next[name]; !n.IsZero() && (first.IsZero() || n.Before(first)) {
				first = n
			}
		}
		var wake <-chan time.Time // nil when no job is ever due again
		if !first.IsZero() {
			wake = s.clock.After(first.Sub(now))
		}
		select {
		case <-s.stopping:
			return
		case <-wake:
		}
		now = s.clock.Now().UTC()
		for _, name := range s.order {
			if n := next[name]; n.IsZero() || n.After(now) {
				continue
			}
			next[name] = s.jobs[name].job.Schedule.Next(now)
			// As with cron, a trigger's bookkeeping never delays the others.
			s.trigWG.Add(1)
			go func() {
				defer s.trigWG.Done()
				s.trigger(name, "schedule")
			}()
		}
	}
}

// shutdown stops triggers, waits up to Grace, then cancels and waits.
func (s *Scheduler) shutdown(loopDone <-chan struct{}) {
	s.mu.Lock()
	s.closing = true
	close(s.stopping)
	s.mu.Unlock()
	<-loopDone
	s.trigWG.Wait() // trigger callbacks only launch goroutines; this is quick

	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	if running := s.runningJobs(); len(running) > 0 {
		s.log.Info("shutting down: waiting for running jobs", "jobs", running, "grace", s.opts.Grace)
	}
	select {
	case <-done:
	case <-s.clock.After(s.opts.Grace):
		s.log.Warn("grace period over: cancelling running jobs", "jobs", s.runningJobs())
		s.cancelJob()
		<-done
	}
	s.cancelJob()
}

func (s *Scheduler) runningJobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, name := range s.order {
		if s.jobs[name].running {
			out = append(out, name)
		}
	}
	return out
}
