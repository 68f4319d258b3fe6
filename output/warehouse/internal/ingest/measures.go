package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/measures"
)

// stageMeasures keeps a batch of trade measures for the merge. A load
// brings a few hundred at most, and each is compared whole by its content
// hash (measures.Measure.Hash), so they wait in memory, not in staging.
func (l *loader) stageMeasures(rec arrow.RecordBatch) error {
	ms, err := measures.FromBatch(rec)
	if err != nil {
		return err
	}
	l.measures = append(l.measures, ms...)
	return nil
}

// mergeMeasures merges the load's trade measures (MergeMeasures) in its
// transaction and adds their counts to st.
func (l *loader) mergeMeasures(ctx context.Context, st *etl.LoadStats) error {
	if len(l.measures) == 0 {
		return nil
	}
	ms, err := MergeMeasures(ctx, l.tx, l.measures, sql.NullInt64{Int64: l.runID, Valid: true}, false, l.env.At)
	if err != nil {
		return fmt.Errorf("merge %s: %w", etl.TradeMeasures, err)
	}
	*st = st.Add(ms)
	return nil
}

// MergeMeasures writes ms as current versions where they differ from the
// current ones, then rewrites trade_measures_current (which the
// trade_measures view reads, its status computed on reading) and
// trade_measure_codes.
// With defaults, a current version from a user's file wins over ms, and
// current default versions missing from ms are closed.
func MergeMeasures(ctx context.Context, tx *sql.Tx, ms []measures.Measure, runID sql.NullInt64, defaults bool, now time.Time) (etl.LoadStats, error) {
	st := etl.LoadStats{RowsIn: int64(len(ms))}
	type cur struct{ origin, hash string }
	current := map[string]cur{}
	rows, err := tx.QueryContext(ctx, `SELECT measure_id, origin, content_hash FROM trade_measures_history WHERE valid_to IS NULL`)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id string
		var c cur
		if err := rows.Scan(&id, &c.origin, &c.hash); err != nil {
			rows.Close()
			return st, err
		}
		current[id] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	if now, err = stampAfter(ctx, tx, now, `SELECT max(valid_from) FROM trade_measures_history`); err != nil {
		return st, err
	}
	changed := false
	listed := map[string]bool{}
	for _, m := range ms {
		listed[m.ID] = true
		c, ok := current[m.ID]
		if ok && defaults && c.origin != measures.DefaultOrigin {
			st.Unchanged++ // overridden by the user's own version
			continue
		}
		h := m.Hash()
		if ok && c.hash == h {
			st.Unchanged++
			continue
		}
		if ok {
			if _, err := tx.ExecContext(ctx, `UPDATE trade_measures_history SET valid_to = ? WHERE measure_id = ? AND valid_to IS NULL`, now, m.ID); err != nil {
				return st, err
			}
			st.Revised++
		}
		if err := insertMeasure(ctx, tx, m, h, runID, now); err != nil {
			return st, fmt.Errorf("measure %s: %w", m.ID, err)
		}
		st.Loaded++
		changed = true
	}
	if defaults {
		for id, c := range current {
			if c.origin == measures.DefaultOrigin && !listed[id] {
				if _, err := tx.ExecContext(ctx, `UPDATE trade_measures_history SET valid_to = ? WHERE measure_id = ? AND valid_to IS NULL`, now, id); err != nil {
					return st, err
				}
				changed = true
			}
		}
	}
	var empty bool
	if err := tx.QueryRowContext(ctx, `SELECT count(*) = 0 FROM trade_measures_current`).Scan(&empty); err != nil {
		return st, err
	}
	if !changed && !empty {
		return st, nil
	}
	for _, q := range []string{
		`DELETE FROM trade_measure_codes`,
		`DELETE FROM trade_measures_current`,
		`INSERT INTO trade_measures_current BY NAME SELECT * EXCLUDE (status, codes, source_row, content_hash, run_id, valid_to)
			FROM trade_measures_history WHERE valid_to IS NULL`,
		`INSERT INTO trade_measure_codes SELECT measure_id, c.hs_code, c.hs_revision
			FROM (SELECT measure_id, unnest(codes) AS c FROM trade_measures_history WHERE valid_to IS NULL)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return st, fmt.Errorf("rewrite current measures: %w", err)
		}
	}
	return st, nil
}

func insertMeasure(ctx context.Context, tx *sql.Tx, m measures.Measure, hash string, runID sql.NullInt64, ts time.Time) error {
	var targets any
	if len(m.Targets) > 0 {
		targets = join31(m.Targets)
	}
	codes := make([]string, len(m.Codes))
	revs := make([]string, len(m.Codes))
	for i, c := range m.Codes {
		codes[i], revs[i] = c.HS, c.Revision
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO trade_measures_history
		SELECT ?, ?, CASE WHEN ? IS NULL THEN NULL ELSE string_split(?, chr(31)) END, ?, ?, ?,
		       CAST(? AS DATE), CAST(? AS DATE), CAST(? AS DATE), ?, ?, ?, ?,
		       list_transform(list_filter(list_zip(string_split(?, chr(31)), string_split(?, chr(31))), x -> x[1] <> ''),
		           x -> {'hs_code': x[1], 'hs_revision': nullif(x[2], '')}),
		       ?, ?, ?, ?, ?, NULL`,
		m.ID, m.Imposing, targets, targets, m.Type, nullString(m.Commodity), m.Title,
		dateOrNil(m.Announced), dateOrNil(m.Effective), dateOrNil(m.End), m.Status, nullString(m.Suspends),
		m.Citation, nullString(m.Unsourced), join31(codes), join31(revs),
		m.Origin, m.Line, hash, runID, ts)
	return err
}

// join31 joins l with the unit separator (chr(31)), which the insert splits on.
func join31(l []string) string { return strings.Join(l, "\x1f") }

func dateOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
