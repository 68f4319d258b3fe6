package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/scheduler"
	"github.com/tradewh/tradewh/output/warehouse"
)

// ScheduleOptions configure a scheduled run.
type ScheduleOptions struct {
	Grace        time.Duration // how long running jobs may finish after shutdown begins
	Listen       string        // address of /healthz and /metrics; "" serves nothing
	ListenPublic bool          // allow a non-loopback Listen
}

// Schedule runs a config's jobs on their cron schedules and keeps their
// state in the warehouse (see queue).
type Schedule struct {
	env   *Env
	cfg   *jobs.Config
	jobs  map[string]jobs.Job
	q     *queue
	sched *scheduler.Scheduler

	// Job state read once at start, for catch-up.
	prefetched  map[string]warehouse.JobState
	prefetchErr error

	alerter *scheduler.WebhookAlerter // nil: alerts are only logged
	alerts  *alertLog
}

var _ scheduler.StateStore = (*Schedule)(nil)

// NewSchedule builds the scheduled run of cfg's jobs. Its errors are
// mistakes of the config or the options.
func NewSchedule(env *Env, cfg *jobs.Config, o ScheduleOptions) (*Schedule, error) {
	r := newScheduleState(env, cfg)
	var sjobs []scheduler.Job
	for _, j := range cfg.Jobs {
		sched, err := jobs.ParseSchedule(j.Schedule, j.Timezone)
		if err != nil { // Load has checked it; kept for configs built in code
			return nil, fmt.Errorf("job %s: schedule %q: %v", j.Name, j.Schedule, err)
		}
		spec := j.Schedule
		if j.Timezone != "UTC" && !strings.Contains(spec, "TZ=") {
			spec = "CRON_TZ=" + j.Timezone + " " + spec
		}
		sjobs = append(sjobs, scheduler.Job{Name: j.Name, Schedule: sched, Spec: spec,
			Retries: j.Retries, Backoff: j.RetryBackoff, CatchUp: j.CatchUp})
	}
	opts := scheduler.Options{Jobs: sjobs, Run: r.run, State: r, Logger: env.Logger,
		Grace: o.Grace, Listen: o.Listen, ListenPublic: o.ListenPublic, Clock: env.Clock, Check: env.Writable}
	if r.alerter != nil {
		opts.Alert = r.alerter
	}
	s, err := scheduler.New(opts)
	if err != nil {
		return nil, err
	}
	r.sched = s
	return r, nil
}

func newScheduleState(env *Env, cfg *jobs.Config) *Schedule {
	r := &Schedule{env: env, cfg: cfg, jobs: map[string]jobs.Job{}, q: newQueue(env), alerts: newAlertLog()}
	for _, j := range cfg.Jobs {
		r.jobs[j.Name] = j
	}
	if a := cfg.Alerts; a.Webhook != "" || len(a.Command) > 0 {
		r.alerter = &scheduler.WebhookAlerter{URL: a.Webhook, Command: a.Command, Logger: env.Logger}
	}
	return r
}

// Handler serves /healthz and /metrics.
func (r *Schedule) Handler() http.Handler { return r.sched.Handler() }

// Run runs the jobs until ctx is done and running jobs have finished or
// been cancelled, then writes the job state still queued.
func (r *Schedule) Run(ctx context.Context) error {
	if err := r.env.Writable(); err != nil {
		attrs := []any{"err", err}
		if uid := os.Getuid(); uid >= 0 && errors.Is(err, fs.ErrPermission) { // uid -1 on Windows
			dir, _ := filepath.Abs(r.env.Dir)
			attrs = append(attrs, "hint", fmt.Sprintf("give the folder to the user this process runs as, as root: chown -R %d:%d %s", uid, os.Getgid(), dir))
		}
		r.env.logger().Error("the scheduler cannot write the warehouse: /healthz reports unhealthy until it can", attrs...)
	}
	r.prefetch(ctx)
	if err := r.sched.Run(ctx); err != nil {
		return err
	}
	// Bookkeeping deferred while the warehouse was busy is written before exit.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultLockWait+10*time.Second)
	defer cancel()
	if err := r.q.acquire(fctx); err != nil {
		return fmt.Errorf("writing job state before exit: %w", err)
	}
	if err := r.q.release(); err != nil {
		return fmt.Errorf("writing job state before exit: %w", err)
	}
	return nil
}

// prefetch reads every job's state and the alerts sent in one open, before
// the scheduler asks.
func (r *Schedule) prefetch(ctx context.Context) {
	r.prefetched = map[string]warehouse.JobState{}
	if r.prefetchErr = r.q.acquire(ctx); r.prefetchErr != nil {
		return
	}
	defer r.q.release()
	s, err := r.env.OpenWriter(ctx, "tradewh schedule: start")
	if err != nil {
		r.prefetchErr = err
		return
	}
	defer s.Close()
	for name := range r.jobs {
		st, err := s.WH.JobState(ctx, name)
		if err != nil {
			r.prefetchErr = err
			return
		}
		r.prefetched[name] = st
	}
	sent, err := s.WH.AlertsSent(ctx)
	if err != nil {
		r.env.logger().Error("reading the alerts sent before (they may be sent again)", "err", err)
		return
	}
	r.alerts.seed(sent)
}

// LastTimes implements scheduler.StateStore.
func (r *Schedule) LastTimes(_ context.Context, job string) (time.Time, time.Time, error) {
	if r.prefetchErr != nil {
		return time.Time{}, time.Time{}, r.prefetchErr
	}
	st := r.prefetched[job]
	return st.LastScheduled, st.LastSuccess, nil
}

// RecordScheduled implements scheduler.StateStore.
func (r *Schedule) RecordScheduled(_ context.Context, job string, at time.Time) error {
	return r.q.record(stateOp{"recording the trigger", job, func(ctx context.Context, wh *warehouse.Warehouse) error {
		return wh.RecordScheduled(ctx, job, at)
	}})
}

// RecordSkipped implements scheduler.StateStore: an etl_runs row with status 'skipped'.
func (r *Schedule) RecordSkipped(_ context.Context, job string, at time.Time, reason string) error {
	source := r.jobs[job].Source
	return r.q.record(stateOp{"recording a skipped trigger", job, func(ctx context.Context, wh *warehouse.Warehouse) error {
		return wh.RecordSkipped(ctx, job, source, at, reason)
	}})
}

// RecordFailure implements scheduler.StateStore.
func (r *Schedule) RecordFailure(_ context.Context, job string, at time.Time, runErr error) error {
	return r.q.record(stateOp{"recording the failure", job, func(ctx context.Context, wh *warehouse.Warehouse) error {
		return wh.RecordFailure(ctx, job, at, runErr)
	}})
}

// run is the scheduler's RunFunc: one attempt of a job, queued behind any
// other use of the warehouse, then the alert rules. A successful run records
// its success in its own load transaction (etl_runs and job_state).
func (r *Schedule) run(ctx context.Context, name string) (scheduler.RunResult, error) {
	job, ok := r.jobs[name]
	if !ok {
		return scheduler.RunResult{}, fmt.Errorf("no job %q in the config", name)
	}
	if err := r.q.acquireToStart(ctx, r.sched.Stopping()); err != nil {
		return scheduler.RunResult{}, fmt.Errorf("waiting for the warehouse: %w", err)
	}
	res, err := r.env.RunConfigured(ctx, r.cfg, job)
	var crossings []jobs.Crossing
	if err == nil && len(r.cfg.Alerts.Rules) > 0 {
		crossings = r.evaluate(ctx)
	}
	if rerr := r.q.release(); rerr != nil {
		r.env.logger().Error("writing job state", "err", rerr)
	}
	out := scheduler.RunResult{RowsIn: res.RowsIn, Loaded: res.Loaded, Rejected: res.NewRejected}
	if err != nil {
		return out, err
	}
	r.alert(ctx, crossings)
	return out, nil
}

// evaluate checks the alert rules against the marts just rebuilt. A failure
// is logged: it must not fail a load that succeeded.
func (r *Schedule) evaluate(ctx context.Context) []jobs.Crossing {
	wh, err := r.env.OpenReader(ctx, ReadOptions{})
	if err != nil {
		r.env.logger().Error("checking alert rules", "err", err)
		return nil
	}
	defer wh.Close()
	trends, err := wh.LatestTrends(ctx)
	if err != nil {
		r.env.logger().Error("checking alert rules", "err", err)
		return nil
	}
	cs, err := jobs.EvaluateRules(r.cfg.Alerts.Rules, trends)
	if err != nil {
		r.env.logger().Error("checking alert rules", "err", err)
	}
	return cs
}

// alert logs and sends the crossings not sent before: a standing crossing
// alerts once per period and value, not after every run nor after a
// restart. What was sent is recorded in the warehouse.
func (r *Schedule) alert(ctx context.Context, crossings []jobs.Crossing) {
	log := r.env.logger()
	for _, c := range crossings {
		rows, keys, series := r.alerts.claim(c)
		if len(rows) == 0 {
			continue
		}
		log.Warn("alert rule crossed", "rule", c.Rule, "series", strings.Join(series, "; "))
		if r.alerter != nil {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			err := r.alerter.Threshold(actx, c.Rule, rows)
			cancel()
			if err != nil {
				log.Error("sending threshold alert (retried after the next run)", "rule", c.Rule, "err", err)
				r.alerts.forget(keys)
				continue
			}
		}
		rule, at := c.Rule, r.env.now().UTC()
		if err := r.q.record(stateOp{"recording the alerts sent", "", func(ctx context.Context, wh *warehouse.Warehouse) error {
			return wh.RecordAlertsSent(ctx, rule, keys, at)
		}}); err != nil {
			log.Error("recording the alerts sent (they may be sent again after a restart)", "rule", rule, "err", err)
		}
	}
}
