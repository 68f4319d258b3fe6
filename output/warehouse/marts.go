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
	whsql "github.com/tradewh/tradewh/sql"
)

// martTables and martScripts are variables so tests can run scripts of
// their own.
var (
	martTables  = whsql.MartTables
	martScripts = whsql.Marts
)

// RebuildMarts runs the mart scripts in one transaction. Each script
// rebuilds the periods listed in the TEMP table mart_scope(freq, period):
// those of st, or with all every period in the warehouse.
func (w *Warehouse) RebuildMarts(ctx context.Context, st etl.LoadStats, all bool) error {
	if w.readOnly {
		return errors.New("rebuild marts: the warehouse is open read-only")
	}
	var scope [][2]string
	if !all {
		var err error
		if scope, err = martScope(st); err != nil {
			return fmt.Errorf("rebuild marts: %w", err)
		}
	}
	start := time.Now()
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("rebuild marts: %w", err)
	}
	defer conn.Close()
	// The scope table is created inside the transaction, so a rollback
	// removes it too; this drop covers a commit that failed half way.
	defer conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS mart_scope") //nolint:errcheck

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rebuild marts: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op once committed
	if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE mart_scope (freq VARCHAR NOT NULL, period DATE NOT NULL)"); err != nil {
		return fmt.Errorf("rebuild marts: create mart_scope: %w", err)
	}
	if err := fillScope(ctx, tx, scope, all); err != nil {
		return fmt.Errorf("rebuild marts: fill mart_scope: %w", err)
	}
	// Periods an earlier load left pending join this rebuild, and are done
	// with once it commits.
	var pending int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM mart_pending`).Scan(&pending); err != nil {
		return fmt.Errorf("rebuild marts: %w", err)
	}
	if pending > 0 {
		for _, q := range []string{`INSERT INTO mart_scope SELECT freq, period FROM mart_pending
			EXCEPT SELECT freq, period FROM mart_scope`, `DELETE FROM mart_pending`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("rebuild marts: pending periods: %w", err)
			}
		}
	}
	for _, t := range martTables() {
		if _, err := tx.ExecContext(ctx, t.SQL); err != nil {
			return fmt.Errorf("rebuild marts: create %s: %w", t.Name, err)
		}
	}
	for _, m := range martScripts() {
		mstart := time.Now()
		_, err := tx.ExecContext(ctx, m.SQL)
		w.log.Debug("mart step", "mart", m.Name, "took", time.Since(mstart).Round(time.Millisecond))
		if err != nil {
			return fmt.Errorf("rebuild marts: %s: %w", m.Name, err)
		}
	}
	// Runs cut short after their load committed said their marts were
	// pending; with this commit they no longer are.
	if _, err := tx.ExecContext(ctx, `UPDATE etl_runs SET error = 'interrupted after its load committed; marts rebuilt since'
		WHERE status = ? AND starts_with(error, 'interrupted after its load committed; marts pending')`, StatusLoaded); err != nil {
		return fmt.Errorf("rebuild marts: runs whose marts were pending: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DROP TABLE mart_scope"); err != nil {
		return fmt.Errorf("rebuild marts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rebuild marts: commit: %w", err)
	}
	w.log.Info("rebuilt marts", "all", all, "periods", len(scope), "pending", pending, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// DeferMarts records the periods of a load whose marts are left for later
// (see etl.MartDeferrer); the next RebuildMarts includes them.
func (w *Warehouse) DeferMarts(ctx context.Context, st etl.LoadStats) error {
	if w.readOnly {
		return errors.New("defer marts: the warehouse is open read-only")
	}
	scope, err := martScope(st)
	if err != nil || len(scope) == 0 {
		return err
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	values, args := scopeValues(scope)
	q := `INSERT INTO mart_pending SELECT freq, period, ? FROM (` + values + `) ON CONFLICT DO NOTHING`
	if _, err := w.db.ExecContext(ctx, q, append([]any{w.now()}, args...)...); err != nil {
		return fmt.Errorf("defer marts: %w", err)
	}
	w.log.Info("marts left for later", "periods", len(scope))
	return nil
}

// PendingMarts counts the periods whose marts wait for a rebuild.
func (w *Warehouse) PendingMarts(ctx context.Context) (int64, error) {
	var n int64
	err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM mart_pending`).Scan(&n)
	return n, err
}

// martScope lists the (freq, period) pairs of a load: its trade periods,
// and for each statistics year that year's annual period and its months.
func martScope(st etl.LoadStats) ([][2]string, error) {
	set := map[[2]string]bool{}
	for freq, dates := range st.Periods {
		if freq != "A" && freq != "M" {
			return nil, fmt.Errorf("period frequency %q is neither A nor M", freq)
		}
		for _, d := range dates {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, fmt.Errorf("period %q is not YYYY-MM-DD", d)
			}
			set[[2]string{freq, d}] = true
		}
	}
	for _, y := range st.StatYears {
		set[[2]string{"A", fmt.Sprintf("%04d-01-01", y)}] = true
		for m := 1; m <= 12; m++ {
			set[[2]string{"M", fmt.Sprintf("%04d-%02d-01", y, m)}] = true
		}
	}
	out := make([][2]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][1] != out[j][1] {
			return out[i][1] < out[j][1]
		}
		return out[i][0] < out[j][0]
	})
	return out, nil
}

func fillScope(ctx context.Context, tx *sql.Tx, scope [][2]string, all bool) error {
	if all {
		_, err := tx.ExecContext(ctx, `INSERT INTO mart_scope
			SELECT DISTINCT freq, period FROM trade_flows
			UNION SELECT 'A', make_date(year, 1, 1) FROM mineral_statistics
			UNION SELECT 'M', make_date(year, m, 1) FROM mineral_statistics, range(1, 13) r(m)`)
		return err
	}
	if len(scope) == 0 {
		return nil
	}
	values, args := scopeValues(scope)
	_, err := tx.ExecContext(ctx, "INSERT INTO mart_scope SELECT freq, period FROM ("+values+")", args...)
	return err
}

// scopeValues is a relation (freq, period) of the pairs of a non-empty
// scope, with its arguments.
func scopeValues(scope [][2]string) (string, []any) {
	args := make([]any, 0, 2*len(scope))
	for _, p := range scope {
		args = append(args, p[0], p[1])
	}
	return "SELECT freq, CAST(period AS DATE) AS period FROM (VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?), ", len(scope)), ", ") + ") v(freq, period)", args
}

// MartsCurrent tells whether a rebuild would find nothing to do (see
// etl.MartChecker): no period is pending, and the measures, statistics,
// trade flow parts and settings are those the last rebuild recorded in
// the state tables of the measure marts and supplier_alternatives.
func (w *Warehouse) MartsCurrent(ctx context.Context) (bool, error) {
	var states int
	if err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE table_name IN ('measure_marts_state', 'supplier_alternatives_state')
		AND database_name = current_database() AND schema_name = current_schema()`).Scan(&states); err != nil {
		return false, fmt.Errorf("marts current: %w", err)
	}
	if states < 2 { // never rebuilt
		return false, nil
	}
	var current bool
	if err := w.db.QueryRowContext(ctx, `WITH now AS (
		SELECT (SELECT max(valid_from) FROM trade_measures_history) AS measures_at,
		       (SELECT max(valid_from) FROM mineral_statistics_history) AS statistics_at,
		       (SELECT max(valid_from) FROM trade_flow_parts) AS flows_at,
		       (SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM settings) AS settings)
		SELECT NOT EXISTS (SELECT 1 FROM mart_pending)
		   AND EXISTS (SELECT 1 FROM measure_marts_state s, now n
		               WHERE s.measures_at IS NOT DISTINCT FROM n.measures_at
		                 AND s.flows_at IS NOT DISTINCT FROM n.flows_at
		                 AND s.settings IS NOT DISTINCT FROM n.settings)
		   AND EXISTS (SELECT 1 FROM supplier_alternatives_state s, now n
		               WHERE s.measures_at IS NOT DISTINCT FROM n.measures_at
		                 AND s.statistics_at IS NOT DISTINCT FROM n.statistics_at
		                 AND s.flows_at IS NOT DISTINCT FROM n.flows_at
		                 AND s.settings IS NOT DISTINCT FROM n.settings)`).Scan(&current); err != nil {
		return false, fmt.Errorf("marts current: %w", err)
	}
	return current, nil
}
