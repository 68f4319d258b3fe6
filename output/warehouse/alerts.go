package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AlertsSent returns the keys of the threshold alerts sent so far.
func (w *Warehouse) AlertsSent(ctx context.Context) ([]string, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT alert_key FROM alerts_sent ORDER BY alert_key`)
	if err != nil {
		return nil, fmt.Errorf("read sent alerts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("read sent alerts: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RecordAlertsSent records that the alerts of rule with keys were sent at at.
func (w *Warehouse) RecordAlertsSent(ctx context.Context, rule string, keys []string, at time.Time) error {
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alerts_sent (alert_key, rule, sent_at) VALUES (?, ?, ?)
				ON CONFLICT (alert_key) DO NOTHING`, k, rule, at.UTC()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record sent alerts of rule %s: %w", rule, err)
	}
	return nil
}

// NewRejections counts the rows run rejected that no earlier run rejected
// for the same reason at the same place: the same bad rows of a file read
// again are not new.
func (w *Warehouse) NewRejections(ctx context.Context, runID int64) (int64, error) {
	var n int64
	err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM rejected_rows r WHERE r.run_id = ?
		AND NOT EXISTS (SELECT 1 FROM rejected_rows p WHERE p.run_id < r.run_id AND p.target = r.target
			AND p.source = r.source AND p.source_ref = r.source_ref AND p.source_row = r.source_row
			AND p.source_column = r.source_column AND p.reason = r.reason)`, runID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count new rejections of run %d: %w", runID, err)
	}
	return n, nil
}
