package etl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// JobSpec is one configured job as the pipeline needs it: which kind of
// source and its raw config (validated here against the kind's spec).
type JobSpec struct {
	Name   string
	Kind   string
	Config map[string]any
	// Incremental runs start from the job's cursor less RevisionWindow
	// months instead of the configured start (sources with from/to only).
	Incremental    bool
	RevisionWindow int
}

// CursorStore is an optional capability of a Store: it remembers the
// latest period each job loaded, for incremental runs.
type CursorStore interface {
	Cursor(ctx context.Context, job string) (string, error)
	SetCursor(ctx context.Context, job, cursor string) error
}

// Committer is an optional capability of a Source: told after its load
// committed, it may record what it loaded (e.g. hashes of files not to
// load again). It is never called when the load failed.
type Committer interface {
	Committed(ctx context.Context) error
}

// MartDeferrer is an optional capability of a Store: it records a load's
// periods for a later mart rebuild instead of rebuilding now (bulk loads
// that time or batch their mart work). A Store without it rebuilds.
type MartDeferrer interface {
	DeferMarts(ctx context.Context, st LoadStats) error
}

// MartChecker is an optional capability of a Store: it tells whether the
// marts already hold what a rebuild would write after a load that changed
// nothing (no period pending, no settings, measures or statistics newer
// than the last rebuild). A Store without it rebuilds.
type MartChecker interface {
	MartsCurrent(ctx context.Context) (bool, error)
}

// Result is the outcome of one job run.
type Result struct {
	LoadStats
	RunID int64
	// MartsSkipped says the load changed nothing and the marts were
	// current, so they were not rebuilt: nothing an export reads changed.
	MartsSkipped bool
}

// Pipeline runs jobs: extract, load (one transaction), rebuild marts and
// record the run. Exports are left to the caller so several jobs can share
// one export.
type Pipeline struct {
	Store   Store
	Runtime Runtime
	// DeferMarts leaves the marts for later when the Store can record the
	// periods (MartDeferrer): the next rebuild includes them.
	DeferMarts bool
	// Watch, when set, hears of each run as it goes.
	Watch Watcher
}

// BuildSource validates a job's config against its kind and builds the
// source. Its errors leave naming the job to the caller.
func BuildSource(job JobSpec, rt Runtime) (Source, Kind, error) {
	kind, ok := LookupKind(job.Kind)
	if !ok {
		return nil, Kind{}, fmt.Errorf("unknown source kind %q", job.Kind)
	}
	cfg, probs := kind.Configure(job.Config)
	if len(probs) > 0 {
		return nil, kind, fmt.Errorf("config: %w", errors.Join(problemErrs(probs)...))
	}
	rt.JobName = job.Name
	src, err := kind.New(cfg, rt)
	if err != nil {
		return nil, kind, err
	}
	return src, kind, nil
}

func problemErrs(ps []Problem) []error {
	out := make([]error, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// Run runs one job end to end and records it in etl_runs, whatever happens.
// Its error names the job ("job NAME: ..."); the one recorded in etl_runs,
// whose row names the job, does not.
func (p *Pipeline) Run(ctx context.Context, job JobSpec) (Result, error) {
	log := p.Runtime.Logger
	if log == nil {
		log = slog.Default()
	}
	runID, err := p.Store.StartRun(ctx, job.Name, job.Kind)
	if err != nil {
		return Result{}, fmt.Errorf("job %s: %w", job.Name, err)
	}
	start := time.Now()
	if p.Watch != nil {
		p.Watch.Begin(job.Name, job.Kind, runID)
	}
	log.Info("job started", "job", job.Name, "source", job.Kind, "run_id", runID)
	st, skipped, err := p.run(ctx, runID, job)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		// Cut short by the context (SIGINT, SIGTERM, a shutdown's grace
		// over), whatever the step said (sql.ErrTxDone, a driver's own
		// message): the run is recorded as cancelled, not failed.
		err = fmt.Errorf("%w (%w)", err, ctx.Err())
	}
	// Record the outcome even when ctx was cancelled.
	if ferr := p.Store.FinishRun(context.WithoutCancel(ctx), runID, st, err); ferr != nil && err == nil {
		err = ferr
	}
	if p.Watch != nil {
		p.Watch.End(st, err)
	}
	attrs := []any{"job", job.Name, "run_id", runID, "rows_in", st.RowsIn, "loaded", st.Loaded,
		"unchanged", st.Unchanged, "rejected", st.Rejected, "duration", time.Since(start).Round(time.Millisecond)}
	if err != nil && ctx.Err() != nil {
		log.Warn("job cancelled", append(attrs, "error", err)...)
		return Result{st, runID, false}, fmt.Errorf("job %s: %w", job.Name, err)
	}
	if err != nil {
		log.Error("job failed", append(attrs, "error", err)...)
		return Result{st, runID, false}, fmt.Errorf("job %s: %w", job.Name, err)
	}
	log.Info("job finished", append(attrs, "marts_skipped", skipped)...)
	return Result{st, runID, skipped}, nil
}

func (p *Pipeline) run(ctx context.Context, runID int64, job JobSpec) (LoadStats, bool, error) {
	cs, hasCursor := p.Store.(CursorStore)
	var cursor Cursor
	if hasCursor {
		s, err := cs.Cursor(ctx, job.Name)
		if err != nil {
			return LoadStats{}, false, err
		}
		if cursor, err = ParseCursor(s); err != nil {
			return LoadStats{}, false, err
		}
	}
	start := Cursor{} // a full or backfill run starts where configured
	if job.Incremental {
		start = cursor
	}
	job.Config = PeriodRange(job.Config, start, job.RevisionWindow, time.Now())
	src, _, err := BuildSource(job, p.Runtime)
	if err != nil {
		return LoadStats{}, false, err
	}
	st, err := p.Store.Load(ctx, runID, watched(src, p.Watch))
	if err != nil {
		return st, false, err
	}
	if c, ok := src.(Committer); ok {
		if err := c.Committed(ctx); err != nil {
			return st, false, fmt.Errorf("recording what was loaded: %w", err)
		}
	}
	if hasCursor {
		if next := CursorOf(st, cursor); next != cursor {
			if err := cs.SetCursor(ctx, job.Name, next.String()); err != nil {
				return st, false, err
			}
		}
	}
	// A load that changed nothing leaves the marts as they are, unless an
	// earlier change still waits for its rebuild.
	if mc, ok := p.Store.(MartChecker); ok && st.Loaded == 0 {
		current, err := mc.MartsCurrent(ctx)
		if err != nil {
			return st, false, err
		}
		if current {
			return st, true, nil
		}
	}
	if d, ok := p.Store.(MartDeferrer); ok && p.DeferMarts {
		if err := d.DeferMarts(ctx, st); err != nil {
			return st, false, err
		}
		return st, false, nil
	}
	if err := p.Store.RebuildMarts(ctx, st, false); err != nil {
		return st, false, err
	}
	return st, false, nil
}
