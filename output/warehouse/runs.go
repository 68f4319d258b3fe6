package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
	"github.com/tradewh/tradewh/output/warehouse/internal/ingest"
)

// Run statuses in etl_runs.
const (
	StatusRunning = "running"
	// StatusLoaded is a run whose load committed and whose marts (if it
	// rebuilds them) and bookkeeping had not finished yet: its periods
	// wait in mart_pending. FinishRun sets the run's final status.
	StatusLoaded    = "loaded"
	StatusOK        = "ok"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// StartRun records a run as running and returns its id.
func (w *Warehouse) StartRun(ctx context.Context, job, source string) (int64, error) {
	var id int64
	err := w.db.QueryRowContext(ctx, `INSERT INTO etl_runs (run_id, job, source, started_at, status)
		VALUES (nextval('etl_run_id'), ?, ?, ?, ?) RETURNING run_id`,
		job, source, w.now(), StatusRunning).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("start run of job %s: %w", job, err)
	}
	return id, nil
}

// FinishRun records the outcome of a run. It records even when ctx is
// already cancelled (a cancelled run is exactly what must be recorded).
func (w *Warehouse) FinishRun(ctx context.Context, runID int64, st etl.LoadStats, runErr error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	status, errText := StatusOK, any(nil)
	switch {
	case errors.Is(runErr, context.Canceled):
		status, errText = StatusCancelled, runErr.Error()
	case runErr != nil:
		status, errText = StatusFailed, runErr.Error()
	}
	now := w.now()
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		var job string
		err := tx.QueryRowContext(ctx, `UPDATE etl_runs SET finished_at = ?, status = ?, rows_in = ?,
			rows_loaded = ?, rows_unchanged = ?, rows_rejected = ?, error = ?
			WHERE run_id = ? RETURNING job`,
			now, status, st.RowsIn, st.Loaded, st.Unchanged, st.Rejected, errText, runID).Scan(&job)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("no run %d", runID)
		}
		if err != nil || status != StatusOK {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO job_state (job, last_success_at, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (job) DO UPDATE SET last_success_at = excluded.last_success_at, updated_at = excluded.updated_at`,
			job, now, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	return nil
}

// recordLoaded is done in the load's own transaction, just before its
// commit: the run is recorded as loaded with its counts, and the load's
// periods are left in mart_pending until a mart rebuild clears them. A
// process that ends after the commit thus leaves a run that says its rows
// are in, and marts that the next rebuild brings up to date.
func recordLoaded(ctx context.Context, tx *sql.Tx, runID int64, at time.Time, st etl.LoadStats) error {
	scope, err := martScope(st)
	if err != nil {
		return fmt.Errorf("record the load's periods: %w", err)
	}
	if len(scope) > 0 {
		values, args := scopeValues(scope)
		q := `INSERT INTO mart_pending SELECT freq, period, ? FROM (` + values + `) ON CONFLICT DO NOTHING`
		if _, err := tx.ExecContext(ctx, q, append([]any{at}, args...)...); err != nil {
			return fmt.Errorf("record the load's periods: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE etl_runs SET status = ?, rows_in = ?, rows_loaded = ?,
		rows_unchanged = ?, rows_rejected = ? WHERE run_id = ? AND status = ?`,
		StatusLoaded, st.RowsIn, st.Loaded, st.Unchanged, st.Rejected, runID, StatusRunning)
	if err != nil {
		return fmt.Errorf("record run %d as loaded: %w", runID, err)
	}
	return nil
}

// SetConcern sets the country of concern the marts measure dependence on.
func (w *Warehouse) SetConcern(ctx context.Context, iso3 string) error {
	iso3 = strings.ToUpper(strings.TrimSpace(iso3))
	c, ok := etl.CountryByISO3(iso3)
	if !ok || c.IsArea {
		return fmt.Errorf("country of concern %q is not a known country (ISO 3166 alpha-3)", iso3)
	}
	_, err := w.db.ExecContext(ctx, `INSERT OR REPLACE INTO settings VALUES ('concern_iso3', ?)`, iso3)
	if err != nil {
		return fmt.Errorf("set country of concern: %w", err)
	}
	return nil
}

// bookkeeping tables are left out of TableCounts: they are not data.
var bookkeeping = func() map[string]bool {
	m := map[string]bool{
		"schema_migrations": true, "etl_runs": true, "job_state": true, "settings": true, "backfill_chunks": true,
		"countries": true, "commodity_groups": true, "commodity_codes": true, "commodity_usgs": true, "mart_pending": true,
		"alerts_sent": true,
	}
	// trade_flows_history's storage: counted under the view's name
	for _, t := range ingest.StorageTables {
		m[t] = true
	}
	return m
}()

// TableCounts returns the rows of the current fact views, the history and
// rejected_rows tables and every mart table.
func (w *Warehouse) TableCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT table_name FROM duckdb_tables()
		WHERE schema_name = 'main' AND database_name = current_database() AND NOT temporary`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	names := []string{string(etl.TradeFlows), string(etl.MineralStatistics), "trade_flows_history"}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		if !bookkeeping[n] {
			names = append(names, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		from := quoteIdent(n)
		if n == "trade_flows_history" {
			from = idcode.VersionsTable // one row per version: the view's joins add none and drop none
		}
		if err := w.db.QueryRowContext(ctx, "SELECT count(*) FROM "+from).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		out[n] = c
	}
	return out, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// closeInterruptedRuns closes the runs whose process ended (killed, or the
// machine went down) before they finished: DuckDB lets one process write at
// a time, so a writable open means their process is gone. A run still
// 'running' committed nothing and is recorded as failed. A run 'loaded' had
// committed its load, and its periods wait in mart_pending: it stays loaded,
// and says how to build its marts.
func (w *Warehouse) closeInterruptedRuns(ctx context.Context) error {
	now := w.now()
	res, err := w.db.ExecContext(ctx, `UPDATE etl_runs SET status = ?, finished_at = ?,
		error = 'interrupted: the process ended before the run finished; nothing of it was loaded'
		WHERE status = ?`, StatusFailed, now, StatusRunning)
	if err != nil {
		return fmt.Errorf("close interrupted runs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		w.log.Warn("runs interrupted by the end of their process recorded as failed", "runs", n)
	}
	res, err = w.db.ExecContext(ctx, `UPDATE etl_runs SET finished_at = coalesce(finished_at, ?), error = ?
		WHERE status = ? AND error IS NULL`, now, InterruptedAfterLoad(w.dir), StatusLoaded)
	if err != nil {
		return fmt.Errorf("close interrupted runs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		w.log.Warn("runs interrupted after their load committed: their marts are pending", "runs", n,
			"rebuild", "tradewh --warehouse "+shellWord(w.dir)+" marts")
	}
	return nil
}

// InterruptedAfterLoad is the error recorded for a run whose process ended
// after its load committed, in the warehouse folder dir.
func InterruptedAfterLoad(dir string) string {
	return "interrupted after its load committed; marts pending: run `tradewh --warehouse " + shellWord(dir) + " marts`"
}

// shellWord quotes s for a POSIX shell when it needs quoting.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"$`\\*?[]{}()<>|&;#~!") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// RecentRuns returns the last limit runs, newest first, as the columns
// `tradewh status` prints. The caller closes the rows.
func (w *Warehouse) RecentRuns(ctx context.Context, limit int) (*sql.Rows, error) {
	rows, err := w.db.QueryContext(ctx, `
		SELECT run_id, job, source, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,
		       strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished, status,
		       rows_in, rows_loaded AS loaded, rows_unchanged AS unchanged, rows_rejected AS rejected,
		       coalesce(error, '') AS error
		FROM etl_runs ORDER BY run_id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("recent runs: %w", err)
	}
	return rows, nil
}
