package warehouse

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/tradewh/tradewh/etl"
	whsql "github.com/tradewh/tradewh/sql"
)

// A warehouse written before trade flows were stored id-coded keeps every
// version, current and closed, with the same values, and loads on.
func TestCompactMigrationKeepsVersions(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("duckdb", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{createMigrations}
	for _, m := range whsql.Migrations() {
		if m.Name >= "004" {
			break
		}
		stmts = append(stmts, m.SQL, "INSERT INTO schema_migrations VALUES ('"+m.Name+"', now())")
	}
	stmts = append(stmts, `INSERT INTO trade_flows_history VALUES
		('A', '2021-01-01', 'USA', 'CHN', 'import', '811292', 'H5', 'gallium_germanium', 10, 1, NULL, NULL, false, 'test-trade', 'flows.csv', 1, 1, '2024-01-01', '2024-02-01', 11),
		('A', '2021-01-01', 'USA', 'CHN', 'import', '811292', 'H5', 'gallium_germanium', 12, 1, NULL, NULL, false, 'test-trade', 'flows.csv', 1, 2, '2024-02-01', NULL, 12),
		('A', '2021-01-01', 'USA', 'WLD', 'import', '2846', NULL, NULL, 30, NULL, 4, 'kg', true, 'test-trade', 'flows.csv', 2, 1, '2024-01-01', NULL, NULL)`)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%.60s: %v", s, err)
		}
	}
	const all = `SELECT string_agg(CAST(h AS VARCHAR), '; ' ORDER BY h.valid_from, h.source_row) FROM trade_flows_history h`
	var before string
	if err := db.QueryRow(all).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	w := openTest(t, dir)
	if after := queryString(t, w, all); after != before {
		t.Errorf("history after the migration:\n%s\nbefore:\n%s", after, before)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM trade_flows"); n != 2 {
		t.Errorf("%d current rows, want 2", n)
	}
	// A later load revises a migrated version and leaves the other.
	f := flow(year(2021), "811292", 13, 1)
	st := mustLoad(t, w, &testSource{flows: []etl.TradeFlow{f}})
	if st.Loaded != 1 || st.Revised != 1 {
		t.Errorf("load after the migration: %+v", st)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM trade_flows_history"); n != 4 {
		t.Errorf("%d versions, want 4", n)
	}
	if v := queryString(t, w, "SELECT CAST(value_usd AS VARCHAR) FROM trade_flows WHERE hs_code = '811292'"); v != "13.0" {
		t.Errorf("current 811292 value %s, want 13.0", v)
	}
}
