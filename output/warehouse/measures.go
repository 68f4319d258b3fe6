package warehouse

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/measures"
	"github.com/tradewh/tradewh/output/warehouse/internal/ingest"
)

// loadMeasures merges a measures source into trade_measures_history in one
// transaction: a new or changed measure becomes the current version (the
// old one is closed), an unchanged one is counted as such. A file that
// fails validation writes nothing.
func (w *Warehouse) loadMeasures(ctx context.Context, runID int64, p measures.Provider) (etl.LoadStats, error) {
	ms, err := p.Measures()
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	var st etl.LoadStats
	err = inTx(ctx, w.db, func(tx *sql.Tx) error {
		var err error
		st, err = ingest.MergeMeasures(ctx, tx, ms, sql.NullInt64{Int64: runID, Valid: true}, false, w.now())
		return err
	})
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load measures: %w", err)
	}
	w.log.Info("loaded measures", "run", runID, "rows_in", st.RowsIn, "loaded", st.Loaded, "unchanged", st.Unchanged)
	return st, nil
}

// refreshDefaultMeasures brings the default measures up to this release's
// list: changed ones get a new version, ones no longer listed are closed,
// and a measure a user's file overrides is left alone.
func (w *Warehouse) refreshDefaultMeasures(ctx context.Context) error {
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		_, err := ingest.MergeMeasures(ctx, tx, measures.Default(), sql.NullInt64{}, true, w.now())
		return err
	})
	if err != nil {
		return fmt.Errorf("refresh default measures: %w", err)
	}
	return nil
}
