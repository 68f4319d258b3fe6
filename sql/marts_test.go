package sql_test

import (
	"context"
	gosql "database/sql"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/output/warehouse"
	"github.com/tradewh/tradewh/sources/comtrade"
	"github.com/tradewh/tradewh/sources/usgsmcs"
	"github.com/tradewh/tradewh/sql"
)

// flow is one fixture row of trade_flows; value < 0 stands for NULL.
type flow struct {
	source, freq, period, reporter, partner, flow, hs, commodity string
	value                                                        float64
}

// fixtureFlows are small, hand-checkable cases; the expected figures in the
// tests below are worked out from them.
var fixtureFlows = []flow{
	// USA 811292, annual, with a World row. 2022: CHN 400 + DEU 400 of a
	// World 800 -> 0.5/0.5, hhi 50^2+50^2 = 5000. 2023: 600, 200, 100 of
	// World 1000 (partners add up to 900 only) -> 0.6, 0.2, 0.1.
	{"comtrade", "A", "2022-01-01", "USA", "WLD", "import", "811292", "gallium_germanium", 800},
	{"comtrade", "A", "2022-01-01", "USA", "CHN", "import", "811292", "gallium_germanium", 400},
	{"comtrade", "A", "2022-01-01", "USA", "DEU", "import", "811292", "gallium_germanium", 400},
	{"comtrade", "A", "2023-01-01", "USA", "WLD", "import", "811292", "gallium_germanium", 1000},
	{"comtrade", "A", "2023-01-01", "USA", "CHN", "import", "811292", "gallium_germanium", 600},
	{"comtrade", "A", "2023-01-01", "USA", "DEU", "import", "811292", "gallium_germanium", 200},
	{"comtrade", "A", "2023-01-01", "USA", "JPN", "import", "811292", "gallium_germanium", 100},
	// The other side: CHN reports 450 to USA (gap 600-450 = 150, 25% of
	// the import), 80 to JPN (which reports nothing), 30 to an area.
	{"comtrade", "A", "2023-01-01", "CHN", "USA", "export", "811292", "gallium_germanium", 450},
	{"comtrade", "A", "2023-01-01", "CHN", "JPN", "export", "811292", "gallium_germanium", 80},
	{"comtrade", "A", "2023-01-01", "CHN", "S19", "export", "811292", "gallium_germanium", 30},
	{"comtrade", "A", "2023-01-01", "CHN", "WLD", "export", "811292", "gallium_germanium", 560},
	// Another source for the same trade: never mixed with comtrade.
	{"census", "A", "2023-01-01", "USA", "CHN", "import", "811292", "gallium_germanium", 610},
	// CAN 2611 without a World row: total = 300 + 100 = 400.
	{"comtrade", "A", "2023-01-01", "CAN", "CHN", "import", "2611", "tungsten", 300},
	{"comtrade", "A", "2023-01-01", "CAN", "USA", "import", "2611", "tungsten", 100},
	// JPN rare earths: 2846 holds 284610 and 284690. Per partner only the
	// most aggregate code counts: CHN 500, VNM 100, MYS 50 (it reported
	// 284610 only); World 2846 = 800 is the denominator -> 0.625, 0.125, 0.0625.
	{"comtrade", "A", "2023-01-01", "JPN", "WLD", "import", "2846", "rare_earths", 800},
	{"comtrade", "A", "2023-01-01", "JPN", "WLD", "import", "284610", "rare_earths", 300},
	{"comtrade", "A", "2023-01-01", "JPN", "WLD", "import", "284690", "rare_earths", 500},
	{"comtrade", "A", "2023-01-01", "JPN", "CHN", "import", "2846", "rare_earths", 500},
	{"comtrade", "A", "2023-01-01", "JPN", "CHN", "import", "284610", "rare_earths", 200},
	{"comtrade", "A", "2023-01-01", "JPN", "CHN", "import", "284690", "rare_earths", 300},
	{"comtrade", "A", "2023-01-01", "JPN", "VNM", "import", "2846", "rare_earths", 100},
	{"comtrade", "A", "2023-01-01", "JPN", "VNM", "import", "284690", "rare_earths", 100},
	{"comtrade", "A", "2023-01-01", "JPN", "MYS", "import", "284610", "rare_earths", 50},
	// A code outside every group: per-code rows only. S19 is an area: shown, not ranked.
	{"comtrade", "A", "2023-01-01", "JPN", "CHE", "import", "7108", "", 10},
	{"comtrade", "A", "2023-01-01", "JPN", "S19", "import", "7108", "", 5},
	// Antimony: 8110 holds 811010; a partner value of NULL stays a row.
	{"comtrade", "A", "2023-01-01", "KOR", "CHN", "import", "8110", "antimony", 90},
	{"comtrade", "A", "2023-01-01", "KOR", "CHN", "import", "811010", "antimony", 60},
	{"comtrade", "A", "2023-01-01", "KOR", "VNM", "import", "811010", "antimony", 30},
	{"comtrade", "A", "2023-01-01", "KOR", "BOL", "import", "811010", "antimony", -1},
}

// coverageFlows are the cases of partial partner detail, areas and World
// totals without partners; the expected figures in TestCoverage are worked
// out from them.
var coverageFlows = []flow{
	// USA refined copper 7402 (no group): World totals only in 2020 and
	// 2021 (none of the pulled partners supplied it), then CHN 100 and JPN
	// 850 of 1000 in 2022 (coverage 0.95).
	{"comtrade", "A", "2020-01-01", "USA", "WLD", "import", "7402", "", 800},
	{"comtrade", "A", "2021-01-01", "USA", "WLD", "import", "7402", "", 900},
	{"comtrade", "A", "2022-01-01", "USA", "WLD", "import", "7402", "", 1000},
	{"comtrade", "A", "2022-01-01", "USA", "CHN", "import", "7402", "", 100},
	{"comtrade", "A", "2022-01-01", "USA", "JPN", "import", "7402", "", 850},
	// AUS lithium oxide 282520 (no group): one partner pulled, no World row.
	{"comtrade", "A", "2023-01-01", "AUS", "CHN", "import", "282520", "", 120},
	// GBR gallium and germanium, only CHN and World pulled: CHN 460 of
	// 811292's World 750; 282560 has a World total of 91.5 and no CHN row.
	// The group's World total is 750 + 91.5 = 841.5: CHN 460/841.5.
	{"comtrade", "A", "2023-01-01", "GBR", "WLD", "import", "811292", "gallium_germanium", 750},
	{"comtrade", "A", "2023-01-01", "GBR", "CHN", "import", "811292", "gallium_germanium", 460},
	{"comtrade", "A", "2023-01-01", "GBR", "WLD", "import", "282560", "gallium_germanium", 91.5},
	// GBR tungsten: 8101 has a World total, 2611 partner rows without one,
	// so the group has no World total: CHN 300 + 40 is the whole.
	{"comtrade", "A", "2023-01-01", "GBR", "WLD", "import", "8101", "tungsten", 500},
	{"comtrade", "A", "2023-01-01", "GBR", "CHN", "import", "8101", "tungsten", 300},
	{"comtrade", "A", "2023-01-01", "GBR", "CHN", "import", "2611", "tungsten", 40},
	// IND rare earths 2846: CHN 700, MYS 150 and the areas EU (97) 100 and
	// Other Asia, nes (490) 50 of World 1000. Countries cover 850/1000.
	{"comtrade", "A", "2023-01-01", "IND", "WLD", "import", "2846", "rare_earths", 1000},
	{"comtrade", "A", "2023-01-01", "IND", "CHN", "import", "2846", "rare_earths", 700},
	{"comtrade", "A", "2023-01-01", "IND", "MYS", "import", "2846", "rare_earths", 150},
	{"comtrade", "A", "2023-01-01", "IND", "EUR", "import", "2846", "rare_earths", 100},
	{"comtrade", "A", "2023-01-01", "IND", "S19", "import", "2846", "rare_earths", 50},
}

// monthlyFlows: KOR 810194, 13 months. 2023-01 CHN 70 of 80; 2023-02..12
// CHN 10 of 20; 2024-01 VNM 30 only. Trailing 12 months at 2023-12:
// (70+110)/(80+220) = 0.6; at 2024-01 (2023-02..2024-01): 110/250 = 0.44.
func monthlyFlows() []flow {
	var out []flow
	add := func(period, partner string, v float64) {
		out = append(out, flow{"comtrade", "M", period, "KOR", partner, "import", "810194", "tungsten", v})
	}
	add("2023-01-01", "CHN", 70)
	add("2023-01-01", "VNM", 10)
	for m := 2; m <= 12; m++ {
		p := fmt.Sprintf("2023-%02d-01", m)
		add(p, "CHN", 10)
		add(p, "VNM", 10)
	}
	add("2024-01-01", "VNM", 30)
	return out
}

// referenceSQL adds the USGS figures the fixtures need; the reference
// tables themselves are the program's own lists (referenceTables).
const referenceSQL = `
INSERT INTO mineral_statistics_history
    (edition, commodity, year, country_iso3, measure, product, value, unit, qualifier,
     source, source_ref, source_row, source_column, run_id, valid_from)
VALUES
    -- '>95' is stored as 95 with '>'; the max over gallium/germanium wins.
    ('MCS2024', 'gallium',   2023, 'USA', 'net_import_reliance', '', 95,   'pct', '>',  'usgs', 'f', 1, 'c', 1, now()),
    ('MCS2024', 'germanium', 2023, 'USA', 'net_import_reliance', '', 50,   'pct', NULL, 'usgs', 'f', 2, 'c', 1, now()),
    -- Not a reliance figure: ignored although larger.
    ('MCS2024', 'gallium',   2023, 'USA', 'imports',             '', 1000, 't',   NULL, 'usgs', 'f', 3, 'c', 1, now()),
    -- 2022: the newer edition revised 100 to net exporter.
    ('MCS2023', 'gallium',   2022, 'USA', 'net_import_reliance', '', 100,  'pct', NULL, 'usgs', 'f', 4, 'c', 1, now()),
    ('MCS2024', 'gallium',   2022, 'USA', 'net_import_reliance', '', NULL, 'pct', 'E',  'usgs', 'f', 5, 'c', 1, now());
`

func openWarehouse(t *testing.T) *gosql.DB {
	t.Helper()
	db, err := gosql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// One connection: mart_scope is a TEMP table, private to its connection.
	db.SetMaxOpenConns(1)
	applyMigrations(t, db, "", "")
	referenceTables(t, db)
	if _, err := db.Exec(referenceSQL); err != nil {
		t.Fatalf("reference data: %v", err)
	}
	insertFlows(t, db, append(append(fixtureFlows, coverageFlows...), monthlyFlows()...))
	return db
}

// referenceTables fills countries, commodity_groups, commodity_codes and
// commodity_usgs from the program's lists, as the warehouse does on open.
func referenceTables(t *testing.T, db *gosql.DB) {
	t.Helper()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("reference data: %s: %v", q, err)
		}
	}
	for _, c := range etl.Countries() {
		exec(`INSERT INTO countries VALUES (?, nullif(?, ''), ?, nullif(?, ''), ?, ?)`, c.ISO3, c.ISO2, c.M49, c.Census, c.Name, c.IsArea)
	}
	for _, g := range etl.CommodityGroups {
		exec(`INSERT INTO commodity_groups VALUES (?, ?)`, g.Slug, g.Name)
		for _, c := range g.Codes {
			exec(`INSERT INTO commodity_codes VALUES (?, ?, ?, ?, nullif(?, ''))`, g.Slug, c.HSCode, c.Description, c.Revisions, c.Note)
		}
		for _, u := range g.USGS {
			exec(`INSERT INTO commodity_usgs VALUES (?, ?)`, g.Slug, u)
		}
	}
}

func insertFlows(t *testing.T, db *gosql.DB, flows []flow) {
	t.Helper()
	for i, f := range flows {
		var commodity, value any
		if f.commodity != "" {
			commodity = f.commodity
		}
		if f.value >= 0 {
			value = f.value
		}
		// History is stored id-coded (migration 004): codes, a part, the row.
		stmts := [][]any{}
		for _, c := range []any{f.reporter, f.partner, f.hs, commodity} {
			if c != nil {
				stmts = append(stmts, []any{`INSERT INTO trade_codes SELECT coalesce(max(id), 0) + 1, ?
					FROM trade_codes HAVING NOT bool_or(code = ?) OR count(*) = 0`, c, c})
			}
		}
		stmts = append(stmts,
			[]any{`INSERT INTO trade_flow_parts SELECT coalesce(max(part_id), 0) + 1, ?, 'fixture', ?, ?, NULL, 1, now()
				FROM trade_flow_parts`, f.source, f.freq, f.flow},
			[]any{`INSERT INTO trade_flow_versions (part_id, period, reporter_id, partner_id, hs_id, commodity_id,
				value_usd, is_aggregate, source_row)
				SELECT (SELECT max(part_id) FROM trade_flow_parts), CAST(? AS DATE),
				(SELECT id FROM trade_codes WHERE code = ?), (SELECT id FROM trade_codes WHERE code = ?),
				(SELECT id FROM trade_codes WHERE code = ?), (SELECT id FROM trade_codes WHERE code = ?), ?, false, ?`,
				f.period, f.reporter, f.partner, f.hs, commodity, value, i + 1})
		for _, st := range stmts {
			if _, err := db.Exec(st[0].(string), st[1:]...); err != nil {
				t.Fatalf("insert flow %d: %v", i, err)
			}
		}
	}
}

// rebuild runs the marts the way the loader does: in one transaction, after
// filling mart_scope. A nil scope rebuilds every period.
func rebuild(t *testing.T, db *gosql.DB, scope [][2]string) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE mart_scope (freq VARCHAR, period DATE)`); err != nil {
		t.Fatal(err)
	}
	if scope == nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO mart_scope SELECT DISTINCT freq, period FROM trade_flows`)
	}
	for _, s := range scope {
		if err != nil {
			break
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO mart_scope VALUES (?, CAST(? AS DATE))`, s[0], s[1])
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range sql.MartTables() {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			t.Fatalf("mart table %s: %v", m.Name, err)
		}
	}
	for _, m := range sql.Marts() {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			t.Fatalf("mart %s: %v", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE mart_scope`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// rows returns each result row as its values joined by spaces: NULL for
// nulls, dates as YYYY-MM-DD, floats rounded to 9 decimals.
func rows(t *testing.T, db *gosql.DB, query string) []string {
	t.Helper()
	return etltest.Lines(t, db, query, 9)
}

func checkRows(t *testing.T, db *gosql.DB, query string, want []string) {
	t.Helper()
	etltest.CheckLines(t, db, query, 9, want)
}

func TestMarts(t *testing.T) {
	db := openWarehouse(t)
	rebuild(t, db, nil)

	const shares = `SELECT partner_iso3, value_usd, total_value_usd, total_basis, share, rank FROM import_shares `
	const trends = `SELECT period, total_value_usd, n_partners, top_partner_iso3, top_share, concern_iso3,
		concern_share, share_change_pp, concern_share_12m, hhi, net_import_reliance_pct, nir_qualifier
		FROM dependency_trends `
	const mirror = `SELECT source, importer_iso3, exporter_iso3, import_value_usd, export_value_usd, gap_usd, gap_pct
		FROM mirror_flows `

	cases := []struct {
		name  string
		query string
		want  []string
	}{
		{"code shares over the reported World total (partners add up to 900 of 1000)",
			shares + `WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND year = 2023 AND hs_code = '811292' ORDER BY rank`,
			[]string{"CHN 600 1000 reported_world 0.6 1", "DEU 200 1000 reported_world 0.2 2", "JPN 100 1000 reported_world 0.1 3"}},
		{"code shares without a World row: 300/400, 100/400",
			shares + `WHERE reporter_iso3 = 'CAN' AND hs_code = '2611' ORDER BY rank`,
			[]string{"CHN 300 400 sum_of_partners 0.75 1", "USA 100 400 sum_of_partners 0.25 2"}},
		{"the group of a single code without World is the code",
			shares + `WHERE reporter_iso3 = 'CAN' AND hs_code IS NULL ORDER BY rank`,
			[]string{"CHN 300 400 sum_of_partners 0.75 1", "USA 100 400 sum_of_partners 0.25 2"}},
		{"World is never a partner",
			`SELECT count(*) FROM import_shares WHERE partner_iso3 = 'WLD'`,
			[]string{"0"}},
		{"ties rank by partner code (CHN and DEU 400 each)",
			shares + `WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND year = 2022 AND hs_code IS NULL ORDER BY rank`,
			[]string{"CHN 400 800 reported_world 0.5 1", "DEU 400 800 reported_world 0.5 2"}},
		{"2846 + 284610 + 284690: the group counts 2846 only, per partner",
			shares + `WHERE reporter_iso3 = 'JPN' AND commodity = 'rare_earths' AND hs_code IS NULL ORDER BY rank`,
			[]string{"CHN 500 800 reported_world 0.625 1", "VNM 100 800 reported_world 0.125 2", "MYS 50 800 reported_world 0.0625 3"}},
		{"sub-code rows keep their own World totals",
			shares + `WHERE reporter_iso3 = 'JPN' AND hs_code = '284610' ORDER BY rank`,
			[]string{"CHN 200 300 reported_world 0.666666667 1", "MYS 50 300 reported_world 0.166666667 2"}},
		{"8110 + 811010: CHN counts 90 not 150; a NULL value stays a row, ranked last",
			shares + `WHERE reporter_iso3 = 'KOR' AND commodity = 'antimony' AND hs_code IS NULL ORDER BY rank`,
			[]string{"CHN 90 120 sum_of_partners 0.75 1", "VNM 30 120 sum_of_partners 0.25 2", "BOL NULL 120 sum_of_partners NULL 3"}},
		{"codes outside every group have code rows and no group row",
			`SELECT commodity, hs_code, partner_iso3, share FROM import_shares WHERE reporter_iso3 = 'JPN' AND commodity IS DISTINCT FROM 'rare_earths' ORDER BY rank`,
			[]string{"NULL 7108 CHE 0.666666667", "NULL 7108 S19 0.333333333"}},
		{"sources are not mixed",
			shares + `WHERE source = 'census' ORDER BY hs_code NULLS LAST`,
			[]string{"CHN 610 610 sum_of_partners 1 1", "CHN 610 610 sum_of_partners 1 1"}},
		{"annual trend: change 0.6-0.5 = +10 pp, hhi 5000 for 50/50 and 3600+400+100 = 4100; NIR '>95' and a revised 'E'",
			trends + `WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND hs_code = '811292' ORDER BY period`,
			[]string{
				"2022-01-01 800 2 CHN 0.5 CHN 0.5 NULL NULL 5000 NULL E",
				"2023-01-01 1000 3 CHN 0.6 CHN 0.6 10 NULL 4100 95 >",
			}},
		{"group rows carry NIR too; other reporters do not",
			`SELECT reporter_iso3, commodity, net_import_reliance_pct, nir_qualifier FROM dependency_trends
			 WHERE hs_code IS NULL AND year = 2023 AND freq = 'A' ORDER BY source, reporter_iso3, commodity`,
			[]string{"USA gallium_germanium 95 >", "CAN tungsten NULL NULL", "GBR gallium_germanium NULL NULL",
				"GBR tungsten NULL NULL", "IND rare_earths NULL NULL", "JPN rare_earths NULL NULL",
				"KOR antimony NULL NULL", "USA gallium_germanium 95 >"}},
		{"monthly: trailing 12 months, and 0 for a concern country without a row",
			trends + `WHERE freq = 'M' AND hs_code IS NULL AND period IN ('2023-01-01', '2023-02-01', '2023-12-01', '2024-01-01') ORDER BY period`,
			[]string{
				"2023-01-01 80 2 CHN 0.875 CHN 0.875 NULL 0.875 7812.5 NULL NULL",
				"2023-02-01 20 2 CHN 0.5 CHN 0.5 -37.5 0.8 5000 NULL NULL",
				"2023-12-01 20 2 CHN 0.5 CHN 0.5 0 0.6 5000 NULL NULL",
				"2024-01-01 30 1 VNM 1 CHN 0 -50 0.44 10000 NULL NULL",
			}},
		{"one trend row per key and period",
			`SELECT count(*) - count(DISTINCT (source, freq, period, reporter_iso3, commodity, hs_code)) FROM dependency_trends`,
			[]string{"0"}},
		{"mirror: gap 600-450 = 150 = 25% of the import; one-sided flows kept; World and areas left out",
			mirror + `WHERE hs_code = '811292' AND year = 2023 ORDER BY source, importer_iso3, exporter_iso3`,
			[]string{
				"census USA CHN 610 NULL NULL NULL",
				"comtrade GBR CHN 460 NULL NULL NULL",
				"comtrade JPN CHN NULL 80 NULL NULL",
				"comtrade USA CHN 600 450 150 0.25",
				"comtrade USA DEU 200 NULL NULL NULL",
				"comtrade USA JPN 100 NULL NULL NULL",
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkRows(t, db, c.query, c.want) })
	}
}

var martTables = []string{"import_shares", "dependency_trends", "mirror_flows"}

// markerColumns fill a mart's other NOT NULL columns for a marker row.
var markerColumns = map[string]string{
	"import_shares":     `'ZZZ' AS reporter_iso3, 'ZZZ' AS partner_iso3, 'sum_of_partners' AS total_basis, 1 AS rank`,
	"dependency_trends": `'ZZZ' AS reporter_iso3, 0 AS n_partners, 'CHN' AS concern_iso3`,
	"mirror_flows":      `'x' AS hs_code, 'ZZZ' AS importer_iso3, 'ZZZ' AS exporter_iso3`,
}

// TestIncremental revises facts of two periods and a USGS figure, rebuilds
// only their scope, and expects exactly what a full rebuild gives.
func TestIncremental(t *testing.T) {
	db := openWarehouse(t)
	rebuild(t, db, nil)

	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Rows of a period outside the scope must survive untouched; stale rows
	// of a scoped period must go.
	for _, tbl := range martTables {
		exec(`CREATE TABLE before_` + tbl + ` AS SELECT * FROM ` + tbl)
		for _, marker := range []string{"'sentinel', DATE '2000-01-01', 2000", "'stale', DATE '2023-01-01', 2023"} {
			exec(`INSERT INTO ` + tbl + ` BY NAME SELECT 'A' AS freq, ` + markerColumns[tbl] +
				`, s AS source, p AS period, y AS year FROM (SELECT ` + marker + `) m(s, p, y)`)
		}
	}

	// Revisions: USA's CHN import 2023 600 -> 700; KOR's CHN import
	// 2023-06 10 -> 30 (reaches the trailing windows up to 2024-01, not
	// 2023-05); a new USGS edition puts gallium 2023 at 90. New rows: USA's
	// copper 7402 from CHN in 2021 (90 of its World 900: the 0 written for
	// the World total alone goes, and 2022's change is read against 0.1),
	// and IND's rare earths from the EU 100 -> 300 (an area: no rank).
	exec(`UPDATE trade_flow_versions SET valid_to = now() WHERE rowid IN (SELECT rid FROM trade_flow_rows
		WHERE source = 'comtrade' AND flow = 'import'
		  AND ((reporter_iso3 IN ('USA', 'KOR') AND partner_iso3 = 'CHN'
		        AND ((freq = 'A' AND period = DATE '2023-01-01' AND hs_code = '811292')
		          OR (freq = 'M' AND period = DATE '2023-06-01')))
		    OR (reporter_iso3 = 'IND' AND partner_iso3 = 'EUR')))`)
	insertFlows(t, db, []flow{
		{"comtrade", "A", "2023-01-01", "USA", "CHN", "import", "811292", "gallium_germanium", 700},
		{"comtrade", "M", "2023-06-01", "KOR", "CHN", "import", "810194", "tungsten", 30},
		{"comtrade", "A", "2021-01-01", "USA", "CHN", "import", "7402", "", 90},
		{"comtrade", "A", "2023-01-01", "IND", "EUR", "import", "2846", "rare_earths", 300},
	})
	exec(`INSERT INTO mineral_statistics_history VALUES ('MCS2025', 'gallium', 2023, 'USA',
		'net_import_reliance', '', 90, 'pct', NULL, 'usgs', 'f', 1, 'c', 2, now(), NULL, NULL)`)

	scope := [][2]string{{"A", "2021-01-01"}, {"A", "2023-01-01"}, {"M", "2023-06-01"}}
	for m := 1; m <= 12; m++ { // the loader adds a changed USGS year's months
		scope = append(scope, [2]string{"M", fmt.Sprintf("2023-%02d-01", m)})
	}
	rebuild(t, db, scope)

	// The revisions took effect.
	checkRows(t, db, `SELECT share FROM import_shares WHERE source = 'comtrade' AND reporter_iso3 = 'USA'
		AND year = 2023 AND hs_code = '811292' AND partner_iso3 = 'CHN'`, []string{"0.7"})
	checkRows(t, db, `SELECT period, concern_share_12m FROM dependency_trends WHERE freq = 'M' AND hs_code IS NULL
		AND period IN ('2023-05-01', '2024-01-01') ORDER BY period`,
		// 2023-05: untouched by the June revision (70+40)/(80+80).
		// 2024-01: CHN 110+20 = 130 of 250+20 = 270.
		[]string{"2023-05-01 0.6875", "2024-01-01 0.481481481"})
	checkRows(t, db, `SELECT net_import_reliance_pct, nir_qualifier FROM dependency_trends
		WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND year = 2023 AND hs_code IS NULL`, []string{"90 NULL"})
	checkRows(t, db, `SELECT year, partner_iso3, share, rank, no_partner_rows FROM import_shares
		WHERE reporter_iso3 = 'USA' AND hs_code = '7402' AND year = 2021`, []string{"2021 CHN 0.1 1 false"})
	checkRows(t, db, `SELECT year, concern_share, share_change_pp, coverage_flag FROM dependency_trends
		WHERE reporter_iso3 = 'USA' AND hs_code = '7402' ORDER BY year`,
		[]string{"2020 0 NULL partial", "2021 0.1 10 partial", "2022 0.1 0 full"})
	checkRows(t, db, `SELECT partner_iso3, share, rank, hhi FROM import_shares JOIN dependency_trends USING (source, freq, period, reporter_iso3, hs_code)
		WHERE reporter_iso3 = 'IND' AND hs_code = '2846' ORDER BY partner_iso3`,
		[]string{"CHN 0.7 1 5125", "EUR 0.3 NULL 5125", "MYS 0.15 2 5125", "S19 0.05 NULL 5125"})

	for _, tbl := range martTables {
		checkRows(t, db, `SELECT source FROM `+tbl+` WHERE source IN ('sentinel', 'stale')`, []string{"sentinel"})
		// 2022 was not in scope: identical to before, but for the trend of
		// copper, whose change reads 2021.
		untouched := ` WHERE year = 2022 AND NOT (source = 'comtrade' AND '` + tbl + `' = 'dependency_trends' AND coalesce(hs_code, '') = '7402')`
		checkRows(t, db, `SELECT count(*) FROM (
			(SELECT * FROM before_`+tbl+untouched+` EXCEPT ALL SELECT * FROM `+tbl+untouched+`)
			UNION ALL
			(SELECT * FROM `+tbl+untouched+` AND source <> 'sentinel' EXCEPT ALL SELECT * FROM before_`+tbl+untouched+`))`,
			[]string{"0"})
		exec(`DELETE FROM ` + tbl + ` WHERE source = 'sentinel'`)
		exec(`CREATE TABLE incremental_` + tbl + ` AS SELECT * FROM ` + tbl)
		exec(`DROP TABLE ` + tbl)
	}

	rebuild(t, db, nil)
	for _, tbl := range martTables {
		checkRows(t, db, `SELECT count(*) FROM `+tbl, rows(t, db, `SELECT count(*) FROM incremental_`+tbl))
		checkRows(t, db, `SELECT count(*) FROM (
			(SELECT * FROM incremental_`+tbl+` EXCEPT ALL SELECT * FROM `+tbl+`)
			UNION ALL
			(SELECT * FROM `+tbl+` EXCEPT ALL SELECT * FROM incremental_`+tbl+`))`,
			[]string{"0"})
	}
}

// TestConcernSetting checks that the country of concern comes from settings.
func TestConcernSetting(t *testing.T) {
	db := openWarehouse(t)
	if _, err := db.Exec(`UPDATE settings SET value = 'DEU' WHERE name = 'concern_iso3'`); err != nil {
		t.Fatal(err)
	}
	rebuild(t, db, nil)
	checkRows(t, db, `SELECT concern_iso3, concern_share FROM dependency_trends
		WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND hs_code = '811292' ORDER BY period`,
		[]string{"DEU 0.5", "DEU 0.2"})
}

// TestCoverage checks what each figure rests on: coverage of the reported
// World total by the partner detail, areas kept apart from countries, the
// group denominator rule, World totals without partners, HS revision notes
// and the concentration flags, each against coverageFlows worked by hand.
func TestCoverage(t *testing.T) {
	db := openWarehouse(t)
	rebuild(t, db, nil)

	const shares = `SELECT partner_iso3, value_usd, total_value_usd, share, rank, coverage_ratio, coverage_basis,
		is_area, no_partner_rows FROM import_shares `
	const trends = `SELECT year, concern_share, share_change_pp, coverage_ratio, coverage_basis, coverage_flag,
		n_partners, top_partner_iso3, top_share, hhi, hhi_band, single_supplier FROM dependency_trends `

	cases := []struct {
		name  string
		query string
		want  []string
	}{
		{"a World total without partner rows: CHN at 0 and coverage 0, the next share change 0 and then +10 pp",
			shares + `WHERE reporter_iso3 = 'USA' AND hs_code = '7402' ORDER BY year, rank`,
			[]string{
				"CHN 0 800 0 NULL 0 world_total false true",
				"CHN 0 900 0 NULL 0 world_total false true",
				"JPN 850 1000 0.85 1 0.95 world_total false false",
				"CHN 100 1000 0.1 2 0.95 world_total false false",
			}},
		{"... and in dependency_trends: partial (0 < 0.8) hides count, top and HHI; 2022 is full: 7225 + 100 = 7325",
			trends + `WHERE reporter_iso3 = 'USA' AND hs_code = '7402' ORDER BY year`,
			[]string{
				"2020 0 NULL 0 world_total partial NULL NULL NULL NULL NULL NULL",
				"2021 0 0 0 world_total partial NULL NULL NULL NULL NULL NULL",
				"2022 0.1 10 0.95 world_total full 2 JPN 0.85 7325 highly_concentrated true",
			}},
		{"one partner and no World total: flagged no_world_total, coverage unknown",
			trends + `WHERE reporter_iso3 = 'AUS' AND hs_code = '282520'`,
			[]string{"2023 1 NULL NULL partner_sum no_world_total 1 CHN 1 10000 highly_concentrated true"}},
		{"group World total = every reported top code's World: 750 + 91.5; 282560 has no CHN row",
			shares + `WHERE reporter_iso3 = 'GBR' AND commodity = 'gallium_germanium' ORDER BY hs_code NULLS FIRST`,
			[]string{
				// 460 / 841.5
				"CHN 460 841.5 0.5466429 1 0.5466429 world_total false false",
				"CHN 0 91.5 0 NULL 0 world_total false true",
				// 460 / 750
				"CHN 460 750 0.613333333 1 0.613333333 world_total false false",
			}},
		{"partial group: CHN's 54.7 % exceeds the 45.3 % not covered, so it is the top partner; no one can hold > 65 %",
			trends + `WHERE reporter_iso3 = 'GBR' AND commodity = 'gallium_germanium' AND hs_code IS NULL`,
			[]string{"2023 0.5466429 NULL 0.5466429 world_total partial NULL CHN 0.5466429 NULL NULL false"}},
		{"a group code with partners under no World total: the group's denominator is the partners' sum 340",
			shares + `WHERE reporter_iso3 = 'GBR' AND commodity = 'tungsten' ORDER BY hs_code NULLS FIRST`,
			[]string{
				"CHN 340 340 1 1 NULL partner_sum false false",
				"CHN 40 40 1 1 NULL partner_sum false false",
				"CHN 300 500 0.6 1 0.6 world_total false false",
			}},
		{"areas are shown, not ranked; coverage counts countries only: (700 + 150) / 1000",
			shares + `WHERE reporter_iso3 = 'IND' AND hs_code = '2846' ORDER BY rank, partner_iso3`,
			[]string{
				"CHN 700 1000 0.7 1 0.85 world_total false false",
				"MYS 150 1000 0.15 2 0.85 world_total false false",
				"EUR 100 1000 0.1 NULL 0.85 world_total true false",
				"S19 50 1000 0.05 NULL 0.85 world_total true false",
			}},
		{"areas are not partners: n 2, HHI 4900 + 225 = 5125 (not 5250); 70 % > 65 % is a single supplier",
			trends + `WHERE reporter_iso3 = 'IND' ORDER BY hs_code NULLS FIRST`,
			[]string{
				"2023 0.7 NULL 0.85 world_total full 2 CHN 0.7 5125 highly_concentrated true",
				"2023 0.7 NULL 0.85 world_total full 2 CHN 0.7 5125 highly_concentrated true",
			}},
		{"bands: 5000 and 4100 are highly concentrated; 60 % is no single supplier; coverage 1 and 0.9 are full",
			trends + `WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND hs_code = '811292' ORDER BY year`,
			[]string{
				"2022 0.5 NULL 1 world_total full 2 CHN 0.5 5000 highly_concentrated false",
				"2023 0.6 10 0.9 world_total full 3 CHN 0.6 4100 highly_concentrated false",
			}},
		{"every import_shares row of a key carries the key's coverage",
			`SELECT count(*) FROM (SELECT source, freq, period, reporter_iso3, commodity, hs_code FROM import_shares
			 GROUP BY ALL HAVING count(DISTINCT coverage_ratio) > 1 OR count(DISTINCT coverage_basis) <> 1)`,
			[]string{"0"}},
		{"only codes whose meaning changed between HS revisions carry a note (811292; 282560's note is of another kind)",
			`SELECT DISTINCT reporter_iso3, commodity, hs_code,
			        hs_revision_note = (SELECT '811292: ' || note FROM commodity_codes WHERE hs_code = '811292')
			 FROM import_shares WHERE hs_revision_note IS NOT NULL OR commodity = 'gallium_germanium'
			 ORDER BY ALL`,
			[]string{
				"GBR gallium_germanium 282560 NULL",
				"GBR gallium_germanium 811292 true",
				"GBR gallium_germanium NULL true",
				"USA gallium_germanium 811292 true",
				"USA gallium_germanium NULL true",
			}},
		{"dependency_trends carries the same notes",
			`SELECT count(*) FILTER (WHERE t.hs_revision_note IS NOT DISTINCT FROM i.hs_revision_note), count(*)
			 FROM dependency_trends t JOIN (SELECT DISTINCT source, freq, period, reporter_iso3, commodity, hs_code,
			                                       hs_revision_note FROM import_shares) i
			   ON (t.source, t.freq, t.period, t.reporter_iso3) = (i.source, i.freq, i.period, i.reporter_iso3)
			  AND t.commodity IS NOT DISTINCT FROM i.commodity AND t.hs_code IS NOT DISTINCT FROM i.hs_code`,
			rows(t, db, `SELECT count(*), count(*) FROM dependency_trends`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkRows(t, db, c.query, c.want) })
	}
}

// TestThresholdSettings checks that coverage, band and single-supplier
// thresholds come from settings, and that a bad setting stops the rebuild
// with its name.
func TestThresholdSettings(t *testing.T) {
	db := openWarehouse(t)
	checkRows(t, db, `SELECT name, value FROM settings WHERE name IN ('hhi_highly_concentrated', 'hhi_moderately_concentrated',
		'min_coverage', 'single_supplier_share') ORDER BY name`, []string{
		"hhi_highly_concentrated 1800", "hhi_moderately_concentrated 1000", "min_coverage 0.8", "single_supplier_share 0.65"})
	for _, q := range []string{
		`UPDATE settings SET value = '0.5' WHERE name = 'min_coverage'`,
		`UPDATE settings SET value = '5000' WHERE name = 'hhi_highly_concentrated'`,
		`UPDATE settings SET value = '4100' WHERE name = 'hhi_moderately_concentrated'`,
		`UPDATE settings SET value = '0.6' WHERE name = 'single_supplier_share'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	rebuild(t, db, nil)
	// GBR's 0.547 is now full coverage; 5000 is not above 5000, 4100 is
	// at the moderate bound; 60 % is not above 0.6, 61.3 % is.
	checkRows(t, db, `SELECT reporter_iso3, year, coverage_flag, n_partners, hhi, hhi_band, single_supplier
		FROM dependency_trends WHERE source = 'comtrade' AND hs_code = '811292' ORDER BY reporter_iso3, year`,
		[]string{
			"GBR 2023 full 1 3761.777777778 unconcentrated true",
			"USA 2022 full 2 5000 moderately_concentrated false",
			"USA 2023 full 3 4100 moderately_concentrated false",
		})

	if _, err := db.Exec(`UPDATE settings SET value = '80%' WHERE name = 'min_coverage'`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.Exec(`CREATE TEMP TABLE mart_scope AS SELECT DISTINCT freq, period FROM trade_flows`)
	for _, m := range sql.MartTables() {
		if err != nil {
			break
		}
		_, err = tx.Exec(m.SQL)
	}
	for _, m := range sql.Marts() {
		if err != nil {
			break
		}
		_, err = tx.Exec(m.SQL)
	}
	if err == nil || !strings.Contains(err.Error(), "min_coverage = '80%' is not a number") {
		t.Errorf("rebuild with min_coverage = '80%%': %v, want an error naming the setting", err)
	}
}

// applyMigrations applies, in order, the migrations whose names sort
// before upTo ("" applies them all), then writes the default of every
// mart setting without a row, as opening a warehouse for writing does.
func applyMigrations(t *testing.T, db *gosql.DB, from, upTo string) {
	t.Helper()
	for _, m := range sql.Migrations() {
		if m.Name < from || (upTo != "" && m.Name >= upTo) {
			continue
		}
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("migration %s: %v", m.Name, err)
		}
	}
	if _, err := db.Exec(sql.SeedSettings()); err != nil {
		t.Fatalf("seed settings: %v", err)
	}
}

func memoryDB(t *testing.T) *gosql.DB {
	t.Helper()
	db, err := gosql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	return db
}

const martColumns = `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
	WHERE table_name IN ('import_shares', 'dependency_trends', 'mirror_flows')
	ORDER BY table_name, ordinal_position`

// TestMartTablesFromMigrations: a new warehouse has the mart tables before
// any rebuild (a load with --no-marts leaves them empty, not missing), with
// the very columns the mart scripts would create.
func TestMartTablesFromMigrations(t *testing.T) {
	migrated := memoryDB(t)
	applyMigrations(t, migrated, "", "")
	for _, tbl := range martTables {
		checkRows(t, migrated, `SELECT count(*) FROM `+tbl, []string{"0"})
	}

	// The tables as a rebuild makes them, on a database whose migrations
	// stop before 006.
	scripted := memoryDB(t)
	applyMigrations(t, scripted, "", "006")
	if _, err := scripted.Exec(`CREATE TEMP TABLE mart_scope (freq VARCHAR, period DATE)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range sql.MartTables() {
		if _, err := scripted.Exec(m.SQL); err != nil {
			t.Fatalf("mart table %s: %v", m.Name, err)
		}
	}
	for _, m := range sql.Marts() {
		if m.Name == "10_import_shares.sql" || m.Name == "20_dependency_trends.sql" || m.Name == "30_mirror_flows.sql" {
			if _, err := scripted.Exec(m.SQL); err != nil {
				t.Fatalf("mart %s: %v", m.Name, err)
			}
		}
	}
	want := rows(t, scripted, martColumns)
	if len(want) < 50 {
		t.Fatalf("the mart scripts created %d columns", len(want))
	}
	checkRows(t, migrated, martColumns, want)
}

// preMigrationMarts are the mart tables as the mart scripts created them
// before migration 006.
const preMigrationMarts = `
CREATE TABLE import_shares (
    source VARCHAR NOT NULL, freq VARCHAR NOT NULL, period DATE NOT NULL, year INTEGER NOT NULL,
    reporter_iso3 VARCHAR NOT NULL, commodity VARCHAR, hs_code VARCHAR, partner_iso3 VARCHAR NOT NULL,
    value_usd DOUBLE, total_value_usd DOUBLE, total_basis VARCHAR NOT NULL, share DOUBLE, rank INTEGER NOT NULL);
CREATE TABLE dependency_trends (
    source VARCHAR NOT NULL, freq VARCHAR NOT NULL, period DATE NOT NULL, year INTEGER NOT NULL,
    reporter_iso3 VARCHAR NOT NULL, commodity VARCHAR, hs_code VARCHAR, total_value_usd DOUBLE,
    n_partners INTEGER NOT NULL, top_partner_iso3 VARCHAR, top_share DOUBLE, concern_iso3 VARCHAR NOT NULL,
    concern_share DOUBLE, share_change_pp DOUBLE, concern_share_12m DOUBLE, hhi DOUBLE,
    net_import_reliance_pct DOUBLE, nir_qualifier VARCHAR);
CREATE TABLE mirror_flows (
    source VARCHAR NOT NULL, freq VARCHAR NOT NULL, period DATE NOT NULL, year INTEGER NOT NULL,
    commodity VARCHAR, hs_code VARCHAR NOT NULL, importer_iso3 VARCHAR NOT NULL, exporter_iso3 VARCHAR NOT NULL,
    import_value_usd DOUBLE, export_value_usd DOUBLE, gap_usd DOUBLE, gap_pct DOUBLE);
INSERT INTO import_shares VALUES ('comtrade', 'A', '2023-01-01', 2023, 'USA', NULL, '7108', 'CHE', 10, 10, 'sum_of_partners', 1, 1);
INSERT INTO dependency_trends (source, freq, period, year, reporter_iso3, n_partners, concern_iso3)
    VALUES ('comtrade', 'M', '2023-06-01', 2023, 'USA', 1, 'CHN');
INSERT INTO mirror_flows (source, freq, period, year, hs_code, importer_iso3, exporter_iso3)
    VALUES ('comtrade', 'A', '2021-01-01', 2021, '7108', 'USA', 'CHE');
`

// TestUpgradeOlderWarehouse: a warehouse whose mart tables the scripts
// created before migration 006 gets the new columns (in the order a new
// warehouse has them), may hold NULL ranks, and has every period of its
// old mart rows pending for the next rebuild, which fills the new columns.
func TestUpgradeOlderWarehouse(t *testing.T) {
	db := memoryDB(t)
	applyMigrations(t, db, "", "006")
	if _, err := db.Exec(preMigrationMarts); err != nil {
		t.Fatal(err)
	}
	applyMigrations(t, db, "006", "")

	fresh := memoryDB(t)
	applyMigrations(t, fresh, "", "")
	checkRows(t, db, martColumns, rows(t, fresh, martColumns))
	checkRows(t, db, `SELECT freq, period FROM mart_pending ORDER BY period`,
		[]string{"A 2021-01-01", "A 2023-01-01", "M 2023-06-01"})
	checkRows(t, db, `SELECT partner_iso3, rank, coverage_ratio, is_area FROM import_shares`, []string{"CHE 1 NULL NULL"})
	if _, err := db.Exec(`UPDATE import_shares SET rank = NULL`); err != nil {
		t.Errorf("rank stays NOT NULL: %v", err)
	}
}

// TestRealUSGallium loads the real Comtrade records of US imports of HS
// 811292 (only China and World were pulled) with --no-marts semantics into
// a new warehouse, then the real MCS 2024 gallium and germanium tables, and
// checks the marts against the raw rows: China's share of the World total
// is right, and so is saying that China is all the partner detail there is
// (7 to 19 % of the total), so no top partner, count, HHI or band stands.
func TestRealUSGallium(t *testing.T) {
	data := etltest.SharedData(t)
	csvPath := filepath.Join(data, "comtrade", "comtrade_gallium_usa_chn_2020_2024.csv")
	want := etltest.RawUSGalliumShares(t, csvPath)
	if len(want) != 5 {
		t.Fatalf("want 5 years of US imports in the raw file, got %v", want)
	}
	ctx := context.Background()
	dir := t.TempDir()
	wh, err := warehouse.Open(ctx, warehouse.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	p := &etl.Pipeline{Store: wh, Runtime: etl.Runtime{RawDir: filepath.Join(dir, "raw"), Logger: slog.New(slog.DiscardHandler)}, DeferMarts: true}
	if _, err := p.Run(ctx, etl.JobSpec{Name: "load-comtrade-csv", Kind: comtrade.KindCSV,
		Config: map[string]any{"paths": []any{csvPath}}}); err != nil {
		t.Fatal(err)
	}
	db := wh.DB()
	// Marts left for later: the tables are there, empty, their periods pending.
	for _, tbl := range martTables {
		checkRows(t, db, `SELECT count(*) FROM `+tbl, []string{"0"})
	}
	checkRows(t, db, `SELECT count(*) FROM mart_pending`, []string{"5"})

	// The next load rebuilds the pending periods with its own.
	p.DeferMarts = false
	salient := filepath.Join(data, "usgs", "mcs2024", "salient")
	if _, err := p.Run(ctx, etl.JobSpec{Name: "load-usgs-mcs", Kind: usgsmcs.Kind, Config: map[string]any{"paths": []any{
		filepath.Join(salient, "mcs2024-galli_salient.csv"), filepath.Join(salient, "mcs2024-germa_salient.csv")}}}); err != nil {
		t.Fatal(err)
	}
	checkRows(t, db, `SELECT count(*) FROM mart_pending`, []string{"0"})

	var wantRows []string
	prev := math.NaN()
	for y := 2020; y <= 2024; y++ {
		s := want[y]
		change := "NULL"
		if !math.IsNaN(prev) {
			change = strconv.FormatFloat(math.Round((s-prev)*100*1e9)/1e9, 'f', -1, 64)
		}
		prev = s
		rev, changed, nir := "HS2017", "false", "100"
		if y >= 2022 {
			rev = "HS2022"
		}
		switch y {
		case 2020:
			changed = "NULL"
		case 2022:
			changed = "true"
		case 2024: // MCS 2024 reports up to 2023
			nir = "NULL"
		}
		f := strconv.FormatFloat(math.Round(s*1e9)/1e9, 'f', -1, 64)
		wantRows = append(wantRows, fmt.Sprintf("%d CHN %s %s %s world_total partial NULL NULL NULL NULL NULL NULL %s %s true %s",
			y, f, change, f, rev, changed, nir))
	}
	checkRows(t, db, `SELECT year, concern_iso3, concern_share, share_change_pp, coverage_ratio, coverage_basis, coverage_flag,
		n_partners, top_partner_iso3, top_share, hhi, hhi_band, single_supplier, hs_revision, hs_revision_changed,
		starts_with(hs_revision_note, '811292: HS 2022 gave hafnium'), net_import_reliance_pct
		FROM dependency_trends WHERE reporter_iso3 = 'USA' AND freq = 'A' AND hs_code = '811292' ORDER BY year`, wantRows)
	// The coverage bounds: China is 7 to 19 % of the World total.
	checkRows(t, db, `SELECT round(min(coverage_ratio), 2), round(max(coverage_ratio), 2) FROM import_shares
		WHERE reporter_iso3 = 'USA' AND freq = 'A'`, []string{"0.07 0.19"})
	// The group row of gallium_germanium says the same: 811292 is its only code here.
	checkRows(t, db, `SELECT count(*) FROM dependency_trends d JOIN dependency_trends g
		USING (source, freq, period, reporter_iso3, commodity)
		WHERE d.hs_code = '811292' AND g.hs_code IS NULL AND d.reporter_iso3 = 'USA'
		  AND (d.concern_share, d.coverage_ratio, d.coverage_flag, d.hs_revision_note, d.net_import_reliance_pct)
		      IS NOT DISTINCT FROM (g.concern_share, g.coverage_ratio, g.coverage_flag, g.hs_revision_note, g.net_import_reliance_pct)`,
		[]string{"5"})
}

// TestRevisionColumns: the HS revision a period was reported in, both when
// its World row and partner rows differ, and the change from one period to
// the next.
func TestRevisionColumns(t *testing.T) {
	db := openWarehouse(t)
	// USA's comtrade imports of 811292: 2022 all in HS2017; 2023 partners
	// in HS2022 but the World row still in HS2017.
	if _, err := db.Exec(`UPDATE trade_flow_parts p SET hs_revision = CASE
			WHEN r.period = DATE '2022-01-01' OR r.partner_iso3 = 'WLD' THEN 'HS2017' ELSE 'HS2022' END
		FROM trade_flow_rows r
		WHERE r.part_id = p.part_id AND r.source = 'comtrade' AND r.reporter_iso3 = 'USA' AND r.hs_code = '811292'`); err != nil {
		t.Fatal(err)
	}
	rebuild(t, db, nil)
	checkRows(t, db, `SELECT DISTINCT year, hs_code, hs_revision FROM import_shares
		WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND commodity = 'gallium_germanium' ORDER BY ALL`,
		[]string{"2022 811292 HS2017", "2022 NULL HS2017", "2023 811292 HS2017,HS2022", "2023 NULL HS2017,HS2022"})
	checkRows(t, db, `SELECT year, hs_code, hs_revision, hs_revision_changed FROM dependency_trends
		WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND commodity = 'gallium_germanium' ORDER BY ALL`,
		[]string{"2022 811292 HS2017 NULL", "2022 NULL HS2017 NULL", "2023 811292 HS2017,HS2022 true", "2023 NULL HS2017,HS2022 true"})
}

// TestFirstPeriodInForce: t = 0 is the first month or year a measure is in
// force for at least half of, as 40_event_windows.sql defines it.
func TestFirstPeriodInForce(t *testing.T) {
	var script string
	for _, m := range sql.Marts() {
		if m.Name == "40_event_windows.sql" {
			script = m.SQL
		}
	}
	start := strings.Index(script, "CREATE OR REPLACE TEMP MACRO t0_period")
	if start < 0 {
		t.Fatal("40_event_windows.sql defines no t0_period")
	}
	end := strings.Index(script[start:], ";\n")
	db := memoryDB(t)
	if _, err := db.Exec(script[start : start+end]); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ date, month, year string }{
		{"2024-01-01", "2024-01-01", "2024-01-01"},
		{"2024-12-03", "2024-12-01", "2025-01-01"}, // the US ban: December, then 2025
		{"2023-08-01", "2023-08-01", "2024-01-01"}, // 153 of 365 days in 2023
		{"2023-07-02", "2023-07-01", "2023-01-01"}, // 183 of 365 days
		{"2023-07-03", "2023-07-01", "2024-01-01"}, // 182 of 365
		{"2024-07-02", "2024-07-01", "2024-01-01"}, // 183 of 366: exactly half
		{"2024-07-03", "2024-07-01", "2025-01-01"},
		{"2023-02-15", "2023-02-01", "2023-01-01"}, // 14 of 28 days
		{"2023-02-16", "2023-03-01", "2023-01-01"},
		{"2023-01-16", "2023-01-01", "2023-01-01"}, // 16 of 31
		{"2023-01-17", "2023-02-01", "2023-01-01"},
		{"2024-12-31", "2025-01-01", "2025-01-01"},
	} {
		var m, y string
		if err := db.QueryRow(`SELECT strftime(t0_period(CAST(? AS DATE), 'month'), '%Y-%m-%d'),
			strftime(t0_period(CAST(? AS DATE), 'year'), '%Y-%m-%d')`, c.date, c.date).Scan(&m, &y); err != nil {
			t.Fatal(err)
		}
		if m != c.month || y != c.year {
			t.Errorf("in force from %s: t = 0 in %s and %s, want %s and %s", c.date, m, y, c.month, c.year)
		}
	}
}

// TestUpgradeMeasureMarts: a warehouse whose measure marts the scripts
// made before they had their newer columns gets those columns, and its
// next rebuild remakes the measure marts whole and fills them.
func TestUpgradeMeasureMarts(t *testing.T) {
	db := memoryDB(t)
	applyMigrations(t, db, "", "011")
	referenceTables(t, db)
	insertFlows(t, db, []flow{
		{"comtrade", "M", "2024-11-01", "CHN", "USA", "export", "811292", "gallium_germanium", 100},
		{"comtrade", "M", "2024-12-01", "CHN", "USA", "export", "811292", "gallium_germanium", 50},
	})
	for _, q := range []string{
		`CREATE TABLE event_windows (measure_id VARCHAR NOT NULL, event VARCHAR NOT NULL, event_date DATE NOT NULL,
			imposing_iso3 VARCHAR NOT NULL, source VARCHAR NOT NULL, commodity VARCHAR, hs_code VARCHAR, freq VARCHAR NOT NULL,
			side VARCHAR NOT NULL, destination VARCHAR NOT NULL, t INTEGER NOT NULL, period DATE NOT NULL, year INTEGER NOT NULL,
			value_usd DOUBLE, weight_kg DOUBLE, unit_value_usd_per_kg DOUBLE, value_index DOUBLE, weight_index DOUBLE,
			value_index_prev DOUBLE, weight_index_prev DOUBLE, value_index_tm1 DOUBLE, weight_index_tm1 DOUBLE,
			target_share DOUBLE, baseline_value_usd DOUBLE, baseline_weight_kg DOUBLE)`,
		`INSERT INTO trade_measures (measure_id, imposing_iso3, target_iso3, measure_type, commodity, title, effective_date,
			status, citation, origin, valid_from) VALUES ('X-1', 'CHN', ['USA'], 'ban', 'gallium_germanium', 'a ban',
			'2024-12-03', 'in_force', 'test', 'test', now())`,
		`INSERT INTO trade_measure_codes VALUES ('X-1', '811292', 'H6')`,
		`CREATE TABLE measure_marts_state (measures_at TIMESTAMP, flows_at TIMESTAMP, settings VARCHAR)`,
		`INSERT INTO measure_marts_state SELECT (SELECT max(valid_from) FROM trade_measures_history),
			(SELECT max(valid_from) FROM trade_flow_parts), (SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM settings)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	applyMigrations(t, db, "011", "")
	checkRows(t, db, `SELECT column_name FROM information_schema.columns WHERE table_name = 'event_windows'
		AND column_name LIKE 'coverage%' ORDER BY ordinal_position`, []string{"coverage_ratio", "coverage_basis"})
	checkRows(t, db, `SELECT freq, period FROM mart_pending`, []string{"M 2024-12-01"})
	if _, err := db.Exec(`DELETE FROM mart_pending`); err != nil {
		t.Fatal(err)
	}
	rebuild(t, db, [][2]string{{"M", "2024-12-01"}})
	checkRows(t, db, `SELECT count(*) > 0, count(*) = count(coverage_basis) FROM event_windows WHERE value_usd IS NOT NULL`,
		[]string{"true true"})
}
