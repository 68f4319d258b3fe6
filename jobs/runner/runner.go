// Package runner runs the warehouse's work for the commands: the session
// every writing command opens (the writer lock, then the warehouse), the
// read-only opening of the reading ones, the configured jobs, the Parquet
// export, the resumable backfill and the scheduled run with its state-write
// queue and alert de-duplication.
//
// The warehouse opener and the clock are fields of Env, so each part is
// tested on its own, without the command line and without waiting for the
// wall clock.
package runner

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/runstatus"
	"github.com/tradewh/tradewh/jobs/scheduler"
	"github.com/tradewh/tradewh/output/parquet"
	"github.com/tradewh/tradewh/output/report"
	"github.com/tradewh/tradewh/output/warehouse"
)

// DefaultLockWait is how long a writer waits for another process's lock.
const DefaultLockWait = 30 * time.Second

// Opener opens the warehouse; warehouse.Open is the one of production.
type Opener func(ctx context.Context, o warehouse.Options) (*warehouse.Warehouse, error)

// Env is what every command's work shares: the warehouse folder and how to
// open it, the logger, the landing zone and the clock.
type Env struct {
	Dir      string       // warehouse folder
	Logger   *slog.Logger // nil: slog.Default()
	RawDir   string       // landing zone; "" is <Dir>/raw
	Replay   bool         // sources read the landing zone only
	Progress func(label string, total int64) etl.Progress
	Open     Opener          // nil: warehouse.Open
	Clock    scheduler.Clock // nil: the wall clock
	LockWait time.Duration   // 0: DefaultLockWait
	// ParquetGrace is how long a replaced Parquet export stays readable.
	ParquetGrace time.Duration
}

func (e *Env) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.Default()
	}
	return e.Logger
}

func (e *Env) open(ctx context.Context, o warehouse.Options) (*warehouse.Warehouse, error) {
	if o.Now == nil && e.Clock != nil {
		o.Now = e.Clock.Now
	}
	if e.Open == nil {
		return warehouse.Open(ctx, o)
	}
	return e.Open(ctx, o)
}

func (e *Env) now() time.Time {
	if e.Clock == nil {
		return time.Now()
	}
	return e.Clock.Now()
}

// Session is an open, locked warehouse for a writing command.
type Session struct {
	env  *Env
	lock *jobs.Lock
	WH   *warehouse.Warehouse
}

// OpenWriter takes the writer lock for command and opens the warehouse.
func (e *Env) OpenWriter(ctx context.Context, command string) (*Session, error) {
	wait := e.LockWait
	if wait == 0 {
		wait = DefaultLockWait
	}
	lock, err := jobs.AcquireWriter(ctx, e.Dir, command, wait, e.Logger)
	if err != nil {
		return nil, err
	}
	wh, err := e.open(ctx, warehouse.Options{Dir: e.Dir, Logger: e.Logger})
	if err != nil {
		lock.Release()
		return nil, err
	}
	return &Session{env: e, lock: lock, WH: wh}, nil
}

// DefaultReadWait is how long a reader waits while a writer holds the
// warehouse.
const DefaultReadWait = 10 * time.Second

// ReadOptions say how a reader opens the warehouse.
type ReadOptions struct {
	Wait time.Duration // how long to wait while a writer holds it; 0: DefaultReadWait
	// Sealed keeps the SQL run on it from touching any file outside the
	// database (see warehouse.Options.Sealed).
	Sealed bool
}

// OpenReader opens the warehouse read-only, without the writer lock.
func (e *Env) OpenReader(ctx context.Context, o ReadOptions) (*warehouse.Warehouse, error) {
	wait := o.Wait
	if wait == 0 {
		wait = DefaultReadWait
	}
	return e.open(ctx, warehouse.Options{Dir: e.Dir, ReadOnly: true, Sealed: o.Sealed, Logger: e.Logger, OpenTimeout: wait})
}

// Close closes the warehouse and lets go of the lock.
func (s *Session) Close() {
	s.WH.Close()
	s.lock.Release()
}

// Pipeline runs jobs into this session's warehouse.
func (s *Session) Pipeline() *etl.Pipeline {
	raw := s.env.RawDir
	if raw == "" {
		raw = filepath.Join(s.env.Dir, "raw")
	}
	return &etl.Pipeline{Store: s.WH, Watch: runstatus.New(s.env.Dir, s.lock.Holder.Command, nil, nil), Runtime: etl.Runtime{
		RawDir:   raw,
		Logger:   s.env.Logger,
		Replay:   s.env.Replay,
		Progress: s.env.progress,
	}}
}

func (e *Env) progress(label string, total int64) etl.Progress {
	if e.Progress == nil {
		return etl.QuietProgress{}
	}
	return e.Progress(label, total)
}

// SetConcern sets the config's country of concern, when it names one.
func (s *Session) SetConcern(ctx context.Context, cfg *jobs.Config) error {
	if cfg == nil || cfg.Concern == "" {
		return nil
	}
	return s.WH.SetConcern(ctx, cfg.Concern)
}

// RunJobs runs jobs in order; a failed job does not stop the others, but
// makes the whole fail.
func (s *Session) RunJobs(ctx context.Context, specs []etl.JobSpec) (etl.LoadStats, error) {
	p := s.Pipeline()
	var total etl.LoadStats
	var errs []error
	for _, j := range specs {
		res, err := p.Run(ctx, j)
		total = total.Add(res.LoadStats)
		if err != nil {
			errs = append(errs, err) // Pipeline.Run names the job
			if ctx.Err() != nil {
				break
			}
		}
	}
	return total, errors.Join(errs...)
}

// ExportDir is where the Parquet exports of the warehouse in dir live.
func ExportDir(dir string) string { return filepath.Join(dir, "parquet") }

// Export writes every table to Parquet under <Dir>/parquet.
func (s *Session) Export(ctx context.Context) ([]parquet.Manifest, error) {
	return parquet.ExportWith(ctx, s.WH.DB(), ExportDir(s.env.Dir), parquet.DefaultTables(),
		parquet.Options{Logger: s.env.Logger, Grace: s.env.ParquetGrace, KeepPrevious: parquet.DefaultKeepPrevious})
}

// JobSpec is a configured job as the pipeline runs it: incrementally, from
// its cursor less the revision window.
func JobSpec(j jobs.Job) etl.JobSpec {
	return etl.JobSpec{Name: j.Name, Kind: j.Source, Config: j.Raw, Incremental: true, RevisionWindow: j.RevisionWindow}
}

// JobResult is what one run of a configured job did.
type JobResult struct {
	etl.Result
	// NewRejected counts the rejected rows no earlier run rejected (the
	// same bad rows read again are not new).
	NewRejected int64
}

// RunConfigured runs one configured job on its own: it takes the writer
// lock, opens the warehouse, runs the job, refreshes the exports and closes
// everything again, so readers can open the warehouse between runs. The
// scheduler runs jobs through it.
func (e *Env) RunConfigured(ctx context.Context, cfg *jobs.Config, j jobs.Job) (JobResult, error) {
	s, err := e.OpenWriter(ctx, "tradewh schedule: job "+j.Name)
	if err != nil {
		return JobResult{}, err
	}
	defer s.Close()
	if err := s.SetConcern(ctx, cfg); err != nil {
		return JobResult{}, err
	}
	res, err := s.Pipeline().Run(ctx, JobSpec(j))
	out := JobResult{Result: res, NewRejected: res.Rejected}
	if err != nil {
		return out, err
	}
	if res.Rejected > 0 {
		if out.NewRejected, err = s.WH.NewRejections(ctx, res.RunID); err != nil {
			return out, err
		}
	}
	if _, err := s.Export(ctx); err != nil {
		return out, err
	}
	if cfg.Report != nil {
		if _, _, err := s.Report(ctx, cfg.Report); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Report rebuilds the dependency report a config asks for (an output
// relative to the warehouse folder; default report/index.html) and returns
// the file and its size.
func (s *Session) Report(ctx context.Context, rc *jobs.ReportConfig) (string, int64, error) {
	out := rc.Output
	if out == "" {
		out = report.DefaultPath(s.env.Dir)
	} else if !filepath.IsAbs(out) {
		out = filepath.Join(s.env.Dir, out)
	}
	n, err := report.Write(ctx, s.WH.DB(), report.Options{Reporter: rc.Reporter, Commodity: rc.Commodity}, out)
	if err != nil {
		return out, 0, err
	}
	s.env.logger().Info("report written", "path", out, "bytes", n)
	return out, n, nil
}
