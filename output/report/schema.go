package report

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	whsql "github.com/tradewh/tradewh/sql"
)

// schema is what the warehouse holds: each table or view with its
// columns. Sections ask it before they query, so a warehouse without a
// mart (or an older one without a column) gets "not available" rather
// than an error.
type schema map[string]map[string]bool

func readSchema(ctx context.Context, conn *sql.Conn) (schema, error) {
	rows, err := conn.QueryContext(ctx, `SELECT DISTINCT table_name, column_name FROM duckdb_columns()
		WHERE database_name <> 'system' AND schema_name IN ('main', 'temp')`)
	if err != nil {
		return nil, fmt.Errorf("reading the warehouse's tables: %w", err)
	}
	defer rows.Close()
	s := schema{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if s[t] == nil {
			s[t] = map[string]bool{}
		}
		s[t][c] = true
	}
	return s, rows.Err()
}

// has reports whether table exists with every column named.
func (s schema) has(table string, cols ...string) bool {
	t, ok := s[table]
	if !ok {
		return false
	}
	for _, c := range cols {
		if !t[c] {
			return false
		}
	}
	return true
}

// col returns the column expression when the table has it, else a typed
// NULL under the same name, so one query serves old and new warehouses.
func (s schema) col(table, col, typ string) string {
	if s.has(table, col) {
		return col
	}
	return fmt.Sprintf("CAST(NULL AS %s) AS %s", typ, col)
}

// qcol is col for a table read under an alias.
func (s schema) qcol(table, alias, col, typ string) string {
	if s.has(table, col) {
		return alias + "." + col + " AS " + col
	}
	return fmt.Sprintf("CAST(NULL AS %s) AS %s", typ, col)
}

// columns lists a table's columns in a stable order.
func (s schema) columns(table string) []string {
	var out []string
	for c := range s[table] {
		out = append(out, `"`+c+`"`)
	}
	sort.Strings(out)
	return out
}

// missing lists the columns of cols that table lacks (all of them when the
// table itself is absent), for "not available" notes.
func (s schema) missing(table string, cols ...string) []string {
	var out []string
	for _, c := range cols {
		if !s.has(table, c) {
			out = append(out, c)
		}
	}
	return out
}

// measuresOn makes the connection read each trade measure's status on the
// report's day, the day its headlines speak of, where the warehouse
// computes statuses from dates (trade_measures_on).
func measuresOn(ctx context.Context, conn *sql.Conn, now time.Time) error {
	var has bool
	if err := conn.QueryRowContext(ctx, `SELECT count(*) > 0 FROM duckdb_functions()
		WHERE function_name = 'trade_measures_on' AND schema_name = 'main'`).Scan(&has); err != nil || !has {
		return err
	}
	_, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP VIEW trade_measures AS SELECT * FROM main.trade_measures_on(DATE '`+
		now.UTC().Format("2006-01-02")+`')`)
	return err
}

// prepareAsOf makes the connection see the warehouse as it was known at
// ts: temporary views named like the current-value views (trade_flows,
// mineral_statistics, mineral_statistics_latest) read the *_as_of macros,
// and the project's own mart scripts run over them, unchanged, into
// temporary tables that shadow the stored marts (sql/marts/README.md
// gives the contract this sets the scripts). Unqualified names resolve to
// temporary objects first, so every section's query reads the past
// unchanged. Works on a read-only connection: temporary objects live in
// memory.
func prepareAsOf(ctx context.Context, conn *sql.Conn, ts time.Time) error {
	lit := "TIMESTAMP '" + ts.UTC().Format("2006-01-02 15:04:05.999999") + "'"
	steps := []string{
		`CREATE OR REPLACE TEMP VIEW trade_flows AS SELECT * FROM main.trade_flows_as_of(` + lit + `)`,
		`CREATE OR REPLACE TEMP VIEW mineral_statistics AS SELECT * FROM main.mineral_statistics_as_of(` + lit + `)`,
		`CREATE OR REPLACE TEMP VIEW mineral_statistics_latest AS SELECT * FROM temp.mineral_statistics
		 QUALIFY row_number() OVER (PARTITION BY commodity, year, country_iso3, measure, product
		                            ORDER BY edition DESC, unit IN ('usd_per_lb', 'usd_per_short_ton'), unit) = 1`,
		`CREATE OR REPLACE TEMP TABLE mart_scope AS SELECT DISTINCT freq, period FROM temp.trade_flows`,
	}
	stored, err := readSchema(ctx, conn)
	if err != nil {
		return err
	}
	// Trade measures as known then, where the warehouse keeps their history.
	if cols := stored.columns("trade_measures"); len(cols) > 0 && stored.has("trade_measures_history", "valid_from", "valid_to") {
		steps = append(steps, `CREATE OR REPLACE TEMP VIEW trade_measures AS SELECT `+strings.Join(cols, ", ")+
			` FROM main.trade_measures_as_of(`+lit+`)`)
		if stored.has("trade_measure_codes") && stored.has("trade_measures_history", "codes") {
			steps = append(steps, `CREATE OR REPLACE TEMP VIEW trade_measure_codes AS
				SELECT measure_id, c.hs_code, c.hs_revision FROM (SELECT measure_id, unnest(codes) AS c FROM main.trade_measures_as_of(`+lit+`))`)
		}
	}
	// Each table the scripts write starts as an empty copy of the stored
	// table, so the recomputed rows have the stored columns, or as a
	// temporary one of its definition where the warehouse has none yet.
	// Their state tables start empty too, so every mart is rebuilt whole.
	for _, t := range whsql.MartTables() {
		if stored.has(t.Name) {
			steps = append(steps, `CREATE OR REPLACE TEMP TABLE "`+t.Name+`" AS SELECT * FROM main."`+t.Name+`" LIMIT 0`)
		} else {
			steps = append(steps, t.Temp())
		}
	}
	for _, q := range steps {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("as of %s: %w", ts.Format(time.RFC3339), err)
		}
	}
	// The scripts read every setting without a fallback, and a warehouse
	// opened read-only may lack rows a writable open would have written:
	// those take their defaults, as that open would write them.
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE settings AS SELECT name, value FROM main.settings
		UNION ALL SELECT name, value FROM (`+whsql.SettingDefaults()+`) WHERE name NOT IN (SELECT name FROM main.settings)`); err != nil {
		return fmt.Errorf("as of %s: settings: %w", ts.Format(time.RFC3339), err)
	}
	for _, m := range whsql.Marts() {
		q := m.SQL
		if strings.Contains(q, "trade_flow_versions") || strings.Contains(q, "trade_flows_history") {
			return fmt.Errorf("as of %s: mart %s reads stored versions directly, so it cannot be recomputed as of a past time", ts.Format(time.RFC3339), m.Name)
		}
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("as of %s: recomputing %s: %w", ts.Format(time.RFC3339), m.Name, err)
		}
	}
	_, err = conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp.mart_scope`)
	return err
}
