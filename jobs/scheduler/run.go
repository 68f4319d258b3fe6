package scheduler

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// Run outcomes, also the status label of tradewh_runs_total.
const (
	statusOK       = "ok"
	statusFailed   = "failed"
	statusSkipped  = "skipped"
	statusPanicked = "panicked"
	// statusCancelled is a run cut short by shutdown, or one queued that
	// shutdown kept from starting: an operator's stop, not a failure.
	statusCancelled = "cancelled"
)

// ErrInterrupted marks a run cut short by shutdown. A RunFunc returns an
// error wrapping it when it gives up because Stopping is closed.
var ErrInterrupted = errors.New("interrupted by scheduler shutdown")

// Stopping is closed when shutdown begins. A RunFunc still waiting for
// something (the warehouse, behind another run) must not start its work
// once it is closed: only runs already going get the grace period.
func (s *Scheduler) Stopping() <-chan struct{} { return s.stopping }

// trigger starts a run of the job unless one is still going, in which case
// the trigger is recorded as skipped: overlapping runs would load the same
// data twice and fight over the warehouse.
func (s *Scheduler) trigger(name, reason string) {
	at := s.clock.Now().UTC()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	js := s.jobs[name]
	if js.running {
		since := js.runningSince
		s.mu.Unlock()
		why := fmt.Sprintf("previous run still running (started %s)", since.Format(time.RFC3339))
		s.metrics.runs.WithLabelValues(name, statusSkipped).Inc()
		s.log.Warn("job trigger skipped", "job", name, "trigger", reason, "reason", why)
		s.record("recording trigger", name, func(ctx context.Context) error {
			return s.opts.State.RecordScheduled(ctx, name, at)
		})
		s.record("recording skip", name, func(ctx context.Context) error {
			return s.opts.State.RecordSkipped(ctx, name, at, why)
		})
		return
	}
	js.running, js.runningSince = true, at
	s.wg.Add(1)
	s.mu.Unlock()
	s.log.Info("job triggered", "job", name, "trigger", reason, "at", at)
	go s.execute(js.job, at)
}

// outcome is the result of one attempt or of a whole run.
type outcome struct {
	res      RunResult
	err      error
	panicked bool
}

// execute performs one run (all attempts) and its bookkeeping.
func (s *Scheduler) execute(job Job, at time.Time) {
	name := job.Name
	running := s.metrics.running.WithLabelValues(name)
	running.Set(1)
	defer func() {
		// Bookkeeping (store, alerter) must not take the process down either.
		if r := recover(); r != nil {
			s.log.Error("panic in job bookkeeping", "job", name, "panic", r, "stack", string(debug.Stack()))
		}
		s.mu.Lock()
		s.jobs[name].running = false
		s.mu.Unlock()
		running.Set(0)
		s.wg.Done()
	}()

	s.record("recording trigger", name, func(ctx context.Context) error {
		return s.opts.State.RecordScheduled(ctx, name, at)
	})
	start := time.Now()
	out := s.attempts(job)
	dur := time.Since(start)
	s.metrics.duration.WithLabelValues(name).Observe(dur.Seconds())
	s.finish(job, out, dur)
}

// attempts runs the job, retrying failures with doubling backoff. A panic is
// not retried: it is a bug, not a transient fault.
func (s *Scheduler) attempts(job Job) outcome {
	delay := job.Backoff
	for n := 1; ; n++ {
		out := s.attempt(job.Name, n)
		if out.err == nil || out.panicked || errors.Is(out.err, ErrInterrupted) {
			return out
		}
		if s.jobCtx.Err() != nil {
			out.err = fmt.Errorf("%w: %w", ErrInterrupted, out.err)
			return out
		}
		if n > job.Retries {
			return out
		}
		s.log.Warn("job attempt failed, retrying", "job", job.Name, "attempt", n, "retry_in", delay, "err", out.err)
		if !s.sleep(delay) {
			// The attempt did fail: it stays a failure, only its retry is dropped.
			out.err = fmt.Errorf("%w (not retried: the scheduler is shutting down)", out.err)
			return out
		}
		delay = min(delay*2, job.Backoff*maxBackoffFactor)
	}
}

// sleep waits d unless shutdown begins first: no retry starts during the grace period.
func (s *Scheduler) sleep(d time.Duration) bool {
	select {
	case <-s.clock.After(d):
		return true
	case <-s.stopping:
		return false
	}
}

// attempt runs the RunFunc once, turning a panic into an error.
func (s *Scheduler) attempt(name string, n int) (out outcome) {
	start := time.Now()
	s.log.Info("job attempt started", "job", name, "attempt", n)
	defer func() {
		if r := recover(); r != nil {
			out = outcome{err: fmt.Errorf("panic: %v", r), panicked: true}
			s.log.Error("job panicked", "job", name, "attempt", n, "duration", time.Since(start),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			return
		}
		l := s.log.With("job", name, "attempt", n, "rows_in", out.res.RowsIn, "loaded", out.res.Loaded,
			"rejected", out.res.Rejected, "duration", time.Since(start))
		switch {
		case out.err != nil && (errors.Is(out.err, ErrInterrupted) || s.jobCtx.Err() != nil):
			l.Warn("job attempt cancelled", "err", out.err)
		case out.err != nil:
			l.Warn("job attempt failed", "err", out.err)
		default:
			l.Info("job attempt finished")
		}
	}()
	res, err := s.opts.Run(s.jobCtx, name)
	return outcome{res: res, err: err}
}

// finish records the final outcome of a run.
func (s *Scheduler) finish(job Job, out outcome, dur time.Duration) {
	name := job.Name
	at := s.clock.Now().UTC()
	if out.err == nil {
		s.metrics.runs.WithLabelValues(name, statusOK).Inc()
		s.metrics.loaded.WithLabelValues(name).Add(float64(out.res.Loaded))
		s.metrics.rejected.WithLabelValues(name).Add(float64(out.res.Rejected))
		s.metrics.lastSuccess.WithLabelValues(name).Set(float64(at.Unix()))
		s.setLastErr(name, nil, at)
		s.log.Info("job succeeded", "job", name, "rows_in", out.res.RowsIn, "loaded", out.res.Loaded,
			"rejected", out.res.Rejected, "duration", dur)
		return
	}

	// A run cut short by an operator's shutdown is not a failure: it is
	// neither recorded as one nor alerted, and health keeps the job's last
	// real outcome. The run's own etl_runs row says cancelled.
	if errors.Is(out.err, ErrInterrupted) {
		s.metrics.runs.WithLabelValues(name, statusCancelled).Inc()
		s.log.Warn("job cancelled", "job", name, "status", statusCancelled, "duration", dur, "err", out.err)
		return
	}
	status := statusFailed
	if out.panicked {
		status = statusPanicked
	}
	s.metrics.runs.WithLabelValues(name, status).Inc()
	s.setLastErr(name, out.err, at)
	s.log.Error("job failed", "job", name, "status", status, "attempts_allowed", job.Retries+1,
		"duration", dur, "err", out.err)
	s.record("recording failure", name, func(ctx context.Context) error {
		return s.opts.State.RecordFailure(ctx, name, at, out.err)
	})
	// The alert has its own timeout, as the bookkeeping above: it is sent
	// even while the scheduler shuts down.
	if s.opts.Alert != nil {
		ctx, cancel := context.WithTimeout(context.Background(), stateTimeout)
		defer cancel()
		s.opts.Alert.JobFailed(ctx, name, out.err)
	}
}

func (s *Scheduler) setLastErr(name string, err error, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	js := s.jobs[name]
	js.lastErr = err
	if err != nil {
		js.lastFailedAt = at
	}
}

// record runs a state-store write with its own timeout; failures are logged
// because bookkeeping must never stop the jobs themselves.
func (s *Scheduler) record(what, job string, f func(ctx context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), stateTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		s.log.Error(what, "job", job, "err", err)
	}
}
