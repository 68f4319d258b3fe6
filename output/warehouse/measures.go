package warehouse

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tradewh/tradewh/etl/measures"
	"github.com/tradewh/tradewh/output/warehouse/internal/ingest"
)

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
