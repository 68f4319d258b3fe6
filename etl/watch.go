package etl

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// Watcher hears of each job a Pipeline runs, as it goes: that a run
// began, how many rows its source has produced so far, and how it ended.
// The status file that `tradewh status` reads during a load is one.
type Watcher interface {
	Begin(job, kind string, runID int64)
	Progress(rows int64)
	End(st LoadStats, err error)
}

// watched wraps a source so that its rows are counted on their way to the
// sink; a rereadable source stays rereadable (and counts again from zero
// on each pass).
func watched(src Source, w Watcher) Source {
	if w == nil {
		return src
	}
	c := &counting{Source: src, w: w}
	if _, ok := src.(Rereadable); ok {
		return rereadableCounting{c}
	}
	return c
}

type counting struct {
	Source
	w Watcher
}

func (c *counting) Extract(ctx context.Context, sink Sink) error {
	return c.Source.Extract(ctx, &countingSink{Sink: sink, w: c.w})
}

type rereadableCounting struct{ *counting }

func (r rereadableCounting) Reread() bool { return r.Source.(Rereadable).Reread() }

type countingSink struct {
	Sink
	w    Watcher
	rows atomic.Int64
}

func (s *countingSink) Write(ctx context.Context, t Table, rec arrow.RecordBatch) error {
	s.w.Progress(s.rows.Add(rec.NumRows()))
	return s.Sink.Write(ctx, t, rec)
}
