package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// Load extracts src, stages its batches and merges them into the history
// tables in one transaction: all of the load lands, or none of it.
func (w *Warehouse) Load(ctx context.Context, runID int64, src etl.Source) (etl.LoadStats, error) {
	if w.readOnly {
		return etl.LoadStats{}, errors.New("load: the warehouse is open read-only")
	}
	start := time.Now()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	defer w.dropStaging(conn)

	ddl := []string{createStage(stageRejected, rejectSchema)}
	for _, f := range facts {
		ddl = append(ddl, f.stageDDL())
	}
	ddl = append(ddl, "USE "+arrowDB)
	for _, q := range ddl {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return etl.LoadStats{}, fmt.Errorf("load: create staging: %w", err)
		}
	}
	sg, err := w.stage(ctx, conn, src)
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "USE "+quoteIdent(w.mainDB)); err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	staging := time.Since(start)
	st, err := w.merge(ctx, conn, runID, sg)
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	w.log.Info("loaded", "run", runID, "rows_in", st.RowsIn, "loaded", st.Loaded, "revised", st.Revised,
		"unchanged", st.Unchanged, "rejected", st.Rejected,
		"staging", staging.Round(time.Millisecond), "total", time.Since(start).Round(time.Millisecond))
	return st, nil
}

// dropStaging removes the load's TEMP tables and returns conn to the pool
// set back to the warehouse; if that fails the connection is discarded so
// no stale staging survives.
func (w *Warehouse) dropStaging(conn *sql.Conn) {
	ctx := context.Background()
	qs := []string{"USE " + quoteIdent(w.mainDB), "DROP TABLE IF EXISTS " + stageRejected, "DROP TABLE IF EXISTS " + dupKeys}
	for _, f := range facts {
		qs = append(qs, "DROP TABLE IF EXISTS "+f.stage)
	}
	for _, q := range qs {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			break
		}
	}
	conn.Close()
}

const dupKeys = "stage_dup_keys"

// merge moves the staged rows into the history tables in one transaction.
func (w *Warehouse) merge(ctx context.Context, conn *sql.Conn, runID int64, sg staged) (etl.LoadStats, error) {
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	st := etl.LoadStats{RowsIn: sg.rejected, Rejected: sg.rejected, Periods: map[string][]string{}}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op once committed

	ts, err := loadTimestamp(ctx, tx)
	if err != nil {
		return st, err
	}
	tsLit := "TIMESTAMP '" + ts.Format("2006-01-02 15:04:05.000000") + "'"
	head := fmt.Sprintf("INSERT INTO rejected_rows SELECT %d, %s, ", runID, tsLit)
	if sg.rejected > 0 {
		q := head + "target, source, source_ref, source_row, source_column, reason, raw FROM " + stageRejected
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return st, fmt.Errorf("write rejected rows: %w", err)
		}
	}
	for _, f := range facts {
		n := sg.rows[f.table]
		if n == 0 {
			continue
		}
		st.RowsIn += n
		fs, err := mergeFact(ctx, tx, f, runID, tsLit, head)
		if err != nil {
			return st, fmt.Errorf("merge %s: %w", f.table, err)
		}
		st.Loaded += fs.Loaded
		st.Revised += fs.Revised
		st.Unchanged += fs.Unchanged
		st.Rejected += fs.Rejected
		for k, v := range fs.Periods {
			st.Periods[k] = v
		}
		st.StatYears = append(st.StatYears, fs.StatYears...)
	}
	if err := st.Reconciles(); err != nil {
		return st, err
	}
	if err := tx.Commit(); err != nil {
		return st, fmt.Errorf("commit: %w", err)
	}
	return st, nil
}

// loadTimestamp is now (UTC, microseconds), pushed past the newest
// valid_from so versions of two quick loads never tie.
func loadTimestamp(ctx context.Context, tx *sql.Tx) (time.Time, error) {
	ts := time.Now().UTC().Truncate(time.Microsecond)
	var last sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT greatest(
		(SELECT max(valid_from) FROM trade_flows_history),
		(SELECT max(valid_from) FROM mineral_statistics_history))`).Scan(&last)
	if err != nil {
		return ts, fmt.Errorf("read last load time: %w", err)
	}
	if last.Valid && !ts.After(last.Time.UTC()) {
		ts = last.Time.UTC().Add(time.Microsecond)
	}
	return ts, nil
}

// mergeFact rejects staged rows with missing required columns and
// duplicate keys, then closes changed current versions and inserts new ones.
// Every statement is set-based; the history side is limited to the
// periods (or years) in staging.
func mergeFact(ctx context.Context, tx *sql.Tx, f fact, runID int64, tsLit, rejectHead string) (etl.LoadStats, error) {
	st := etl.LoadStats{Periods: map[string][]string{}}
	cols := f.columns()
	exec := func(what, q string) (int64, error) {
		res, err := tx.ExecContext(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		return res.RowsAffected()
	}

	// Rows missing a required column: rejected by name.
	req := f.required()
	var missing, anyNull []string
	for _, c := range req {
		missing = append(missing, fmt.Sprintf("WHEN %s IS NULL THEN '%s'", c, c))
		anyNull = append(anyNull, c+" IS NULL")
	}
	n, err := exec("reject incomplete rows", fmt.Sprintf(`%s '%s', coalesce(source, ''), coalesce(source_ref, ''),
		coalesce(source_row, 0), col, 'missing ' || col, raw
		FROM (SELECT *, CASE %s END AS col, %s AS raw FROM %s s) WHERE col IS NOT NULL`,
		rejectHead, f.table, strings.Join(missing, " "), rawOf("s", cols), f.stage))
	if err != nil {
		return st, err
	}
	st.Rejected += n
	if n > 0 {
		if _, err := exec("drop incomplete rows", "DELETE FROM "+f.stage+" WHERE "+strings.Join(anyNull, " OR ")); err != nil {
			return st, err
		}
	}

	// Duplicate keys: the first arrival (batch, then lowest source_row) wins.
	order := "{'b': batch_no, 'r': source_row, 'i': rowid}"
	if _, err := exec("find duplicates", fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
		SELECT %s, min(%s) AS first, arg_min(source_ref, %s) AS first_ref
		FROM %s GROUP BY ALL HAVING count(*) > 1`,
		dupKeys, strings.Join(f.key, ", "), order, order, f.stage)); err != nil {
		return st, err
	}
	n, err = exec("reject duplicates", fmt.Sprintf(`%s '%s', s.source, s.source_ref, s.source_row, '',
		CASE WHEN s.source_ref = d.first_ref THEN 'duplicate of row ' || struct_extract(d.first, 'r')
		     ELSE 'duplicate of ' || d.first_ref || ' row ' || struct_extract(d.first, 'r') END,
		%s
		FROM %s s JOIN %s d ON %s WHERE s.rowid <> struct_extract(d.first, 'i')`,
		rejectHead, f.table, rawOf("s", cols), f.stage, dupKeys, joinOn("s", "d", f.key)))
	if err != nil {
		return st, err
	}
	st.Rejected += n
	if n > 0 {
		if _, err := exec("drop duplicates", fmt.Sprintf(`DELETE FROM %s s USING %s d
			WHERE %s AND s.rowid <> struct_extract(d.first, 'i')`, f.stage, dupKeys, joinOn("s", "d", f.key))); err != nil {
			return st, err
		}
	}
	if _, err := exec("drop duplicate keys", "DROP TABLE "+dupKeys); err != nil {
		return st, err
	}

	var staged int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+f.stage).Scan(&staged); err != nil {
		return st, fmt.Errorf("count staged rows: %w", err)
	}
	if staged == 0 {
		return st, nil
	}
	scope, err := scopeOf(ctx, tx, f, &st)
	if err != nil {
		return st, err
	}

	// Close the current version of every key whose values changed...
	st.Revised, err = exec("close revised rows", fmt.Sprintf(`UPDATE %s h SET valid_to = %s FROM %s s
		WHERE h.valid_to IS NULL AND %s AND %s AND NOT (%s)`,
		f.history, tsLit, f.stage, scope, joinOn("h", "s", f.key), sameValues("h", "s", f.compare)))
	if err != nil {
		return st, err
	}
	// ...then every staged row left without a current version is new or revised.
	st.Loaded, err = exec("insert new versions", fmt.Sprintf(`INSERT INTO %s (%s, run_id, valid_from, valid_to)
		SELECT %s, %d, %s, NULL FROM %s s
		WHERE NOT EXISTS (SELECT 1 FROM %s h WHERE h.valid_to IS NULL AND %s AND %s)`,
		f.history, strings.Join(cols, ", "), qualified("s.", cols), runID, tsLit, f.stage,
		f.history, scope, joinOn("h", "s", f.key)))
	if err != nil {
		return st, err
	}
	if st.Revised > st.Loaded {
		return st, fmt.Errorf("closed %d versions but inserted only %d: history has several current rows for a key", st.Revised, st.Loaded)
	}
	st.Unchanged = staged - st.Loaded
	return st, nil
}

// scopeOf records the periods (or years) in staging and returns a filter
// on the history alias h that keeps only those: a range the scan can prune
// row groups with, and the exact list.
func scopeOf(ctx context.Context, tx *sql.Tx, f fact, st *etl.LoadStats) (string, error) {
	if f.scope == "year" {
		years, err := queryStrings(ctx, tx, "SELECT DISTINCT CAST(year AS VARCHAR) FROM "+f.stage+" ORDER BY 1")
		if err != nil {
			return "", fmt.Errorf("read years: %w", err)
		}
		for _, y := range years {
			v, err := strconv.Atoi(y)
			if err != nil {
				return "", err
			}
			st.StatYears = append(st.StatYears, v)
		}
		return fmt.Sprintf("h.year BETWEEN %s AND %s AND h.year IN (%s)",
			years[0], years[len(years)-1], strings.Join(years, ", ")), nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT freq, strftime(period, '%Y-%m-%d') FROM "+f.stage+" ORDER BY 2, 1")
	if err != nil {
		return "", fmt.Errorf("read periods: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var dates []string
	for rows.Next() {
		var freq, d string
		if err := rows.Scan(&freq, &d); err != nil {
			return "", err
		}
		st.Periods[freq] = append(st.Periods[freq], d)
		if !seen[d] {
			seen[d] = true
			dates = append(dates, "DATE '"+d+"'")
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	sort.Strings(dates)
	return fmt.Sprintf("h.period BETWEEN %s AND %s AND h.period IN (%s)",
		dates[0], dates[len(dates)-1], strings.Join(dates, ", ")), nil
}

func queryStrings(ctx context.Context, tx *sql.Tx, q string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
