package etl

import (
	"context"
	"errors"
	"fmt"
)

// LoadStats counts what one load did. They reconcile:
// RowsIn = Loaded + Unchanged + Rejected.
type LoadStats struct {
	RowsIn    int64 // rows the source produced, good or bad
	Loaded    int64 // new rows and revised rows (a new version of a key)
	Revised   int64 // of Loaded, those that replaced an earlier value
	Unchanged int64 // rows identical to the current version
	Rejected  int64 // rows that failed validation (see rejected_rows)
	// Periods touched by the load, per frequency ("A" or "M" -> first days
	// as YYYY-MM-DD); marts are rebuilt for these.
	Periods map[string][]string
	// Years of mineral statistics touched.
	StatYears []int
}

// Reconciles reports whether the counts add up.
func (s LoadStats) Reconciles() error {
	if s.RowsIn != s.Loaded+s.Unchanged+s.Rejected {
		return fmt.Errorf("counts do not reconcile: %d rows in != %d loaded + %d unchanged + %d rejected",
			s.RowsIn, s.Loaded, s.Unchanged, s.Rejected)
	}
	return nil
}

// Add sums two stats (used when a job loads several sources).
func (s LoadStats) Add(o LoadStats) LoadStats {
	s.RowsIn += o.RowsIn
	s.Loaded += o.Loaded
	s.Revised += o.Revised
	s.Unchanged += o.Unchanged
	s.Rejected += o.Rejected
	return s
}

// ErrLocked is wrapped by every error that says another process holds the
// warehouse: taking its writer lock, or opening it while a writer has it.
var ErrLocked = errors.New("warehouse is locked by another process")

// Store is the warehouse as the pipeline sees it. The DuckDB adapter in
// output/warehouse implements it.
type Store interface {
	// StartRun records a run as running and returns its id.
	StartRun(ctx context.Context, job, source string) (runID int64, err error)
	// Load extracts src and merges its rows in one transaction: all of it
	// lands, or none of it (on error or cancellation).
	Load(ctx context.Context, runID int64, src Source) (LoadStats, error)
	// RebuildMarts refreshes the marts; all=false limits the work to the
	// periods in st.
	RebuildMarts(ctx context.Context, st LoadStats, all bool) error
	// FinishRun records the outcome of a run.
	FinishRun(ctx context.Context, runID int64, st LoadStats, runErr error) error
}
