package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/scheduler"
	"github.com/tradewh/tradewh/output/warehouse"
)

const defaultGrace = 30 * time.Second

func newScheduleCmd(g *globals) *cobra.Command {
	var configPath, listen string
	var grace time.Duration
	cmd := &cobra.Command{
		Use:   "schedule --config FILE [--listen ADDR] [--grace DURATION]",
		Short: "Run the configured jobs on their cron schedules until stopped (the unattended refresh)",
		Long: `Run every job of a config file on its cron schedule until SIGINT or SIGTERM.

Each run takes the warehouse writer lock, loads incrementally, rebuilds the marts, refreshes the
Parquet exports and lets go of the warehouse again, so 'tradewh query' and 'tradewh status' work
between runs. Jobs that trigger together queue; a trigger that finds its own job still running is
skipped and recorded as a 'skipped' run. Failed runs are retried with backoff (retries,
retry_backoff), a run missed while the scheduler was down is caught up once at start (catch_up), and
a job that still fails is recorded in job_state and alerted.

After each successful run the alert rules are checked against the latest period of every
reporter/commodity series of dependency_trends; a crossing is sent once per period and value.
Alerts go to alerts.webhook (JSON POST) or alerts.command (JSON on stdin), and are always logged.

/healthz (200, or 503 naming the failing jobs) and /metrics (Prometheus) are served on http.listen
(loopback only). On shutdown no new run starts; running jobs get --grace to finish before they
are cancelled and rolled back.

--config live selects the built-in config of the real services (unless a file of that name exists).`,
		Example: `  tradewh schedule --config jobs.yaml
  tradewh --warehouse /srv/tradewh --log-format json schedule --config live --listen 127.0.0.1:9464`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadJobConfig(configPath)
			if err != nil {
				return err
			}
			if len(cfg.Jobs) == 0 {
				return usagef("config %s has no jobs to schedule", configPath)
			}
			if grace < 0 {
				return usagef("--grace must not be negative, got %s", grace)
			}
			if cmd.Flags().Changed("listen") {
				cfg.HTTP.Listen = listen
			}
			return g.schedule(cmd.Context(), cfg, grace)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (YAML), or 'live' for the built-in config (required)")
	cmd.Flags().StringVar(&listen, "listen", "", "address of /healthz and /metrics, overriding http.listen (\"\" disables; port 0 picks one)")
	cmd.Flags().DurationVar(&grace, "grace", defaultGrace, "how long running jobs may finish after SIGINT/SIGTERM before they are cancelled")
	return cmd
}

// loadJobConfig reads a config file, or a built-in config named like one
// when no such file exists. An invalid config is a usage error listing every
// problem.
func loadJobConfig(path string) (*jobs.Config, error) {
	if path == "" {
		return nil, usagef("--config is required: a job config file, or 'live' for the built-in config of the real services")
	}
	var cfg *jobs.Config
	var err error
	fi, statErr := os.Stat(path)
	isFile := statErr == nil && !fi.IsDir()
	// A bare name that is not a file (./demo is a folder) may be a built-in config.
	if !isFile && !strings.ContainsAny(path, `/\`) {
		data, embErr := jobs.Embedded(path)
		switch {
		case embErr == nil:
			cfg, err = jobs.Parse("built-in:"+path, data)
		case statErr != nil:
			return nil, usagef("config %s: %v; built-in configs: %s", path, statErr, strings.Join(jobs.EmbeddedNames(), ", "))
		}
	}
	if cfg == nil && err == nil {
		cfg, err = jobs.Load(path)
	}
	var ps jobs.Problems
	switch {
	case errors.As(err, &ps):
		return nil, usageError{fmt.Errorf("%d problem(s) in the job config:\n%w", len(ps), err)}
	case err != nil:
		return nil, usagef("config: %v", err)
	}
	return cfg, nil
}

// schedule runs cfg's jobs until ctx is done.
func (g *globals) schedule(ctx context.Context, cfg *jobs.Config, grace time.Duration) error {
	r := newSchedRunner(g, cfg)
	var sjobs []scheduler.Job
	for _, j := range cfg.Jobs {
		sched, err := jobs.ParseSchedule(j.Schedule, j.Timezone)
		if err != nil { // Load has checked it; kept for configs built in code
			return usagef("job %s: schedule %q: %v", j.Name, j.Schedule, err)
		}
		spec := j.Schedule
		if j.Timezone != "UTC" && !strings.Contains(spec, "TZ=") {
			spec = "CRON_TZ=" + j.Timezone + " " + spec
		}
		sjobs = append(sjobs, scheduler.Job{Name: j.Name, Schedule: sched, Spec: spec,
			Retries: j.Retries, Backoff: j.RetryBackoff, CatchUp: j.CatchUp})
	}
	opts := scheduler.Options{Jobs: sjobs, Run: r.run, State: r, Logger: g.logger,
		Grace: grace, Listen: cfg.HTTP.Listen}
	if r.alerter != nil {
		opts.Alert = r.alerter
	}
	s, err := scheduler.New(opts)
	if err != nil {
		return usageError{err}
	}
	r.prefetch(ctx)
	if err := s.Run(ctx); err != nil {
		return err
	}
	// Bookkeeping deferred while the warehouse was busy is written before exit.
	fctx, cancel := context.WithTimeout(context.Background(), lockWait+10*time.Second)
	defer cancel()
	if err := r.acquire(fctx); err != nil {
		return fmt.Errorf("writing job state before exit: %w", err)
	}
	if err := r.release(); err != nil {
		return fmt.Errorf("writing job state before exit: %w", err)
	}
	return nil
}

// schedRunner runs the scheduled jobs and keeps their state in the
// warehouse. The warehouse has one writer at a time, and a second writer in
// this process would wait on the writer lock and fail after 30 s, so every
// warehouse use goes through sem: runs queue behind each other, and a state
// write that finds the warehouse busy is queued and written by the holder
// when it lets go, so that a trigger never blocks behind an hour-long run.
type schedRunner struct {
	g    *globals
	cfg  *jobs.Config
	jobs map[string]jobs.Job
	sem  chan struct{}

	pendMu  sync.Mutex
	pending []stateOp

	// Job state read once at start, for catch-up.
	prefetched  map[string]warehouse.JobState
	prefetchErr error

	alerter *scheduler.WebhookAlerter // nil: alerts are only logged
	alertMu sync.Mutex
	alerted map[string]bool // threshold crossings already sent
}

// stateOp is one queued write of job state.
type stateOp struct {
	what, job string
	do        func(ctx context.Context, wh *warehouse.Warehouse) error
}

var _ scheduler.StateStore = (*schedRunner)(nil)

func newSchedRunner(g *globals, cfg *jobs.Config) *schedRunner {
	r := &schedRunner{g: g, cfg: cfg, jobs: map[string]jobs.Job{}, sem: make(chan struct{}, 1), alerted: map[string]bool{}}
	for _, j := range cfg.Jobs {
		r.jobs[j.Name] = j
	}
	if a := cfg.Alerts; a.Webhook != "" || len(a.Command) > 0 {
		r.alerter = &scheduler.WebhookAlerter{URL: a.Webhook, Command: a.Command, Logger: g.logger}
	}
	return r
}

// acquire waits for the warehouse, or for ctx.
func (r *schedRunner) acquire(ctx context.Context) error {
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *schedRunner) tryAcquire() bool {
	select {
	case r.sem <- struct{}{}:
		return true
	default:
		return false
	}
}

// release writes the queued state and lets go of the warehouse. The queue
// is checked and the warehouse let go under one lock, so a write queued
// meanwhile is never stranded. After a failed write the rest waits for the
// next holder rather than retrying here without end.
func (r *schedRunner) release() error {
	var errs []error
	for {
		r.pendMu.Lock()
		if len(r.pending) == 0 || len(errs) > 0 {
			<-r.sem
			r.pendMu.Unlock()
			return errors.Join(errs...)
		}
		ops := r.pending
		r.pending = nil
		r.pendMu.Unlock()
		if err := r.write(ops); err != nil {
			errs = append(errs, err)
		}
	}
}

// write applies ops in order on a short-lived writer handle. When the
// warehouse cannot be opened they are queued again.
func (r *schedRunner) write(ops []stateOp) error {
	ctx, cancel := context.WithTimeout(context.Background(), lockWait+30*time.Second)
	defer cancel()
	s, err := r.g.openWriter(ctx, "tradewh schedule: job state")
	if err != nil {
		r.pendMu.Lock()
		r.pending = append(ops, r.pending...)
		r.pendMu.Unlock()
		return fmt.Errorf("writing job state (kept for later): %w", err)
	}
	defer s.Close()
	var errs []error
	for _, op := range ops {
		if err := op.do(ctx, s.wh); err != nil {
			errs = append(errs, fmt.Errorf("%s for job %s: %w", op.what, op.job, err))
		}
	}
	return errors.Join(errs...)
}

// record queues a state write and performs it now if the warehouse is free.
func (r *schedRunner) record(op stateOp) error {
	r.pendMu.Lock()
	r.pending = append(r.pending, op)
	r.pendMu.Unlock()
	if !r.tryAcquire() {
		r.g.logger.Debug("warehouse busy: job state is written when it is free", "job", op.job, "write", op.what)
		return nil
	}
	return r.release()
}

// prefetch reads every job's state in one open, before the scheduler asks.
func (r *schedRunner) prefetch(ctx context.Context) {
	r.prefetched = map[string]warehouse.JobState{}
	if r.prefetchErr = r.acquire(ctx); r.prefetchErr != nil {
		return
	}
	defer r.release()
	s, err := r.g.openWriter(ctx, "tradewh schedule: start")
	if err != nil {
		r.prefetchErr = err
		return
	}
	defer s.Close()
	for name := range r.jobs {
		st, err := s.wh.JobState(ctx, name)
		if err != nil {
			r.prefetchErr = err
			return
		}
		r.prefetched[name] = st
	}
}

// LastTimes implements scheduler.StateStore.
func (r *schedRunner) LastTimes(_ context.Context, job string) (time.Time, time.Time, error) {
	if r.prefetchErr != nil {
		return time.Time{}, time.Time{}, r.prefetchErr
	}
	st := r.prefetched[job]
	return st.LastScheduled, st.LastSuccess, nil
}

// RecordScheduled implements scheduler.StateStore.
func (r *schedRunner) RecordScheduled(_ context.Context, job string, at time.Time) error {
	return r.record(stateOp{"recording the trigger", job, func(ctx context.Context, wh *warehouse.Warehouse) error {
		return wh.RecordScheduled(ctx, job, at)
	}})
}

// RecordSkipped implements scheduler.StateStore: an etl_runs row with status 'skipped'.
func (r *schedRunner) RecordSkipped(_ context.Context, job string, at time.Time, reason string) error {
	source := r.jobs[job].Source
	return r.record(stateOp{"recording a skipped trigger", job, func(ctx context.Context, wh *warehouse.Warehouse) error {
		return wh.RecordSkipped(ctx, job, source, at, reason)
	}})
}

// RecordFailure implements scheduler.StateStore.
func (r *schedRunner) RecordFailure(_ context.Context, job string, at time.Time, runErr error) error {
	return r.record(stateOp{"recording the failure", job, func(ctx context.Context, wh *warehouse.Warehouse) error {
		return wh.RecordFailure(ctx, job, at, runErr)
	}})
}

// run is the scheduler's RunFunc: one attempt of a job, queued behind any
// other use of the warehouse, then the alert rules. A successful run records
// its success in its own load transaction (etl_runs and job_state).
func (r *schedRunner) run(ctx context.Context, name string) (scheduler.RunResult, error) {
	job, ok := r.jobs[name]
	if !ok {
		return scheduler.RunResult{}, fmt.Errorf("no job %q in the config", name)
	}
	if err := r.acquire(ctx); err != nil {
		return scheduler.RunResult{}, fmt.Errorf("waiting for the warehouse: %w", err)
	}
	res, err := r.g.runConfigured(ctx, r.cfg, job)
	var crossings []jobs.Crossing
	if err == nil && len(r.cfg.Alerts.Rules) > 0 {
		crossings = r.evaluate(ctx)
	}
	if rerr := r.release(); rerr != nil {
		r.g.logger.Error("writing job state", "err", rerr)
	}
	out := scheduler.RunResult{RowsIn: res.RowsIn, Loaded: res.Loaded, Rejected: res.Rejected}
	if err != nil {
		return out, err
	}
	r.alert(ctx, crossings)
	return out, nil
}

// evaluate checks the alert rules against the marts just rebuilt. A failure
// is logged: it must not fail a load that succeeded.
func (r *schedRunner) evaluate(ctx context.Context) []jobs.Crossing {
	wh, err := r.g.openReader(ctx)
	if err != nil {
		r.g.logger.Error("checking alert rules", "err", err)
		return nil
	}
	defer wh.Close()
	cs, err := jobs.EvaluateRules(ctx, wh.DB(), r.cfg.Alerts.Rules)
	if err != nil {
		r.g.logger.Error("checking alert rules", "err", err)
	}
	return cs
}

// alert logs and sends the crossings not sent before: a standing crossing
// alerts once per period and value, not after every run. What was sent is
// kept in memory, so a restart alerts once more.
func (r *schedRunner) alert(ctx context.Context, crossings []jobs.Crossing) {
	for _, c := range crossings {
		var rows []map[string]any
		var keys, series []string
		r.alertMu.Lock()
		for _, row := range c.Rows {
			k := fmt.Sprintf("%s|%v|%v|%v|%v|%v|%v", c.Rule, row["source"], row["freq"], row["reporter_iso3"], row["commodity"], row["period"], row["value"])
			if r.alerted[k] {
				continue
			}
			r.alerted[k] = true
			keys = append(keys, k)
			rows = append(rows, row)
			series = append(series, fmt.Sprintf("%v %v %v (%v %v): %v %v", row["reporter_iso3"], row["commodity"],
				row["period"], row["source"], row["freq"], row["metric"], row["value"]))
		}
		r.alertMu.Unlock()
		if len(rows) == 0 {
			continue
		}
		r.g.logger.Warn("alert rule crossed", "rule", c.Rule, "series", strings.Join(series, "; "))
		if r.alerter == nil {
			continue
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := r.alerter.Threshold(actx, c.Rule, rows)
		cancel()
		if err != nil {
			r.g.logger.Error("sending threshold alert (retried after the next run)", "rule", c.Rule, "err", err)
			r.alertMu.Lock()
			for _, k := range keys {
				delete(r.alerted, k)
			}
			r.alertMu.Unlock()
		}
	}
}
