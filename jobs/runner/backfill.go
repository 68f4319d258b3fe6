package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
)

// HasPeriods reports whether job j's source loads periods (from/to), which
// a backfill needs.
func HasPeriods(j jobs.Job) bool {
	if _, ok := j.Raw["from"]; ok {
		return true
	}
	k, ok := etl.LookupKind(j.Source)
	if !ok {
		return false
	}
	for _, f := range k.Spec {
		if f.Name == "from" {
			return true
		}
	}
	return false
}

// Chunk is one transaction of a backfill: a calendar year, or its part
// inside the range.
type Chunk struct{ From, To string }

func (c Chunk) String() string { return c.From + "-" + c.To }

// YearChunks splits FROM..TO into calendar years, in the periods' own format.
func YearChunks(from, to string) ([]Chunk, error) {
	ff, fs, err := etl.PeriodStart(from)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	tf, ts, err := etl.PeriodStart(to)
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	if ff != tf {
		return nil, fmt.Errorf("--from %s and --to %s must both be years or both months", from, to)
	}
	if ts.Before(fs) {
		return nil, fmt.Errorf("--to %s is before --from %s", to, from)
	}
	var out []Chunk
	for y := fs.Year(); y <= ts.Year(); y++ {
		if ff == "A" {
			out = append(out, Chunk{fmt.Sprint(y), fmt.Sprint(y)})
			continue
		}
		a, b := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 1, 0, 0, 0, 0, time.UTC)
		if y == fs.Year() {
			a = fs
		}
		if y == ts.Year() {
			b = ts
		}
		out = append(out, Chunk{a.Format("200601"), b.Format("200601")})
	}
	return out, nil
}

// Backfill is a range of periods of one job, loaded a chunk per transaction.
type Backfill struct {
	Config   *jobs.Config
	Job      jobs.Job
	RangeKey string // FROM-TO, under which done chunks are recorded
	Chunks   []Chunk
	Restart  bool // forget the chunks done before
}

// BackfillResult is what a backfill did.
type BackfillResult struct {
	Loaded, Skipped int // chunks loaded now, chunks done before
	Stats           etl.LoadStats
}

// Backfill loads b's chunks not done yet, recording each one done, and
// exports. An interrupted backfill resumes at its first chunk not done.
func (s *Session) Backfill(ctx context.Context, b Backfill) (BackfillResult, error) {
	j := b.Job
	if b.Restart {
		if err := s.WH.ResetBackfill(ctx, j.Name, b.RangeKey); err != nil {
			return BackfillResult{}, err
		}
	}
	done, err := s.WH.BackfillChunksDone(ctx, j.Name, b.RangeKey)
	if err != nil {
		return BackfillResult{}, err
	}
	if err := s.SetConcern(ctx, b.Config); err != nil {
		return BackfillResult{}, err
	}
	prog := s.env.progress(fmt.Sprintf("backfill %s %s", j.Name, b.RangeKey), int64(len(b.Chunks)))
	defer prog.Done()
	var out BackfillResult
	for _, c := range b.Chunks {
		if done[c.String()] {
			out.Skipped++
			prog.Add(1)
			continue
		}
		spec := JobSpec(j)
		spec.Incremental = false
		spec.Config = WithRange(j.Raw, c.From, c.To)
		res, err := s.Pipeline().Run(ctx, spec)
		out.Stats = out.Stats.Add(res.LoadStats)
		if err != nil {
			return out, fmt.Errorf("backfill stopped at %s (done chunks are kept; run the same command again to resume): %w", c, err)
		}
		if err := s.WH.MarkBackfillChunk(ctx, j.Name, b.RangeKey, c.String(), res.RunID); err != nil {
			return out, err
		}
		out.Loaded++
		prog.Add(1)
	}
	if _, err := s.Export(ctx); err != nil {
		return out, err
	}
	return out, nil
}

// WithRange copies a job's raw config with from/to replaced.
func WithRange(raw map[string]any, from, to string) map[string]any {
	out := make(map[string]any, len(raw)+2)
	for k, v := range raw {
		out[k] = v
	}
	out["from"], out["to"] = from, to
	return out
}
