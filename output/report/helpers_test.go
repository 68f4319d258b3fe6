package report

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewh/tradewh/demo"
	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse"

	// The demo's source kinds.
	_ "github.com/tradewh/tradewh/sources/comtrade"
	_ "github.com/tradewh/tradewh/sources/measures"
	_ "github.com/tradewh/tradewh/sources/usgsmcs"
)

var (
	demoOnce sync.Once
	demoDir  string
	demoErr  error
	// demoSkipped lists demo jobs whose source kind is not linked here.
	demoSkipped []string
)

// TestMain removes the demo warehouse the tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// demoWarehouse builds the offline demo's warehouse once and returns a
// fresh copy of it: each test may write to its copy.
func demoWarehouse(t testing.TB) string {
	t.Helper()
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp("", "report-demo-")
		if demoErr != nil {
			return
		}
		demoErr = buildDemo(demoDir)
	})
	if demoErr != nil {
		t.Fatalf("building the demo warehouse: %v", demoErr)
	}
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(demoDir, warehouse.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, warehouse.FileName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func buildDemo(dir string) error {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	wh, err := warehouse.Open(ctx, warehouse.Options{Dir: dir, Logger: log})
	if err != nil {
		return err
	}
	defer wh.Close()
	specs, err := demo.Write(filepath.Join(dir, "raw", "demo"))
	if err != nil {
		return err
	}
	p := &etl.Pipeline{Store: wh, Runtime: etl.Runtime{RawDir: filepath.Join(dir, "raw"), Logger: log}}
	for _, s := range specs {
		if _, ok := etl.LookupKind(s.Kind); !ok {
			// A demo job of a kind this test binary does not link (import
			// its package above to include it); the policy fixture stands in.
			demoSkipped = append(demoSkipped, s.Name+" ("+s.Kind+")")
			continue
		}
		if _, err := p.Run(ctx, s); err != nil {
			return fmt.Errorf("demo job %s: %w", s.Name, err)
		}
	}
	return nil
}

func openWH(t testing.TB, dir string, readOnly bool) *warehouse.Warehouse {
	t.Helper()
	wh, err := warehouse.Open(context.Background(), warehouse.Options{Dir: dir, ReadOnly: readOnly,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh
}

// policyFixture writes the policy tables of the contract (trade measures,
// event windows, diversion, alternative suppliers) with rows of its own,
// creating the tables when the warehouse does not have them yet.
func policyFixture(t testing.TB, db *sql.DB) {
	t.Helper()
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS trade_measures_current (measure_id VARCHAR, imposing_iso3 VARCHAR, target_iso3 VARCHAR[],
			measure_type VARCHAR, commodity VARCHAR, title VARCHAR, announced_date DATE, effective_date DATE, end_date DATE,
			suspends_measure_id VARCHAR, citation VARCHAR, origin VARCHAR, valid_from TIMESTAMP)`,
		`CREATE TABLE IF NOT EXISTS event_windows (measure_id VARCHAR, event VARCHAR, event_date DATE, commodity VARCHAR,
			hs_code VARCHAR, freq VARCHAR, side VARCHAR, destination VARCHAR, t INTEGER, period DATE, value_usd DOUBLE,
			weight_kg DOUBLE, unit_value_usd_per_kg DOUBLE, value_index DOUBLE, weight_index DOUBLE, value_index_prev DOUBLE,
			weight_index_prev DOUBLE, target_share DOUBLE, imposing_iso3 VARCHAR, source VARCHAR, year INTEGER)`,
		`CREATE TABLE IF NOT EXISTS diversion (measure_id VARCHAR, freq VARCHAR, commodity VARCHAR, hs_code VARCHAR, side VARCHAR,
			third_iso3 VARCHAR, pre_to_third_usd DOUBLE, post_to_third_usd DOUBLE, change_to_third_usd DOUBLE,
			pre_third_to_target_usd DOUBLE, post_third_to_target_usd DOUBLE, change_third_to_target_usd DOUBLE,
			both_rose BOOLEAN, rank INTEGER, imposing_iso3 VARCHAR, source VARCHAR, pre_from DATE, post_from DATE)`,
		`CREATE TABLE IF NOT EXISTS supplier_alternatives (reporter_iso3 VARCHAR, commodity VARCHAR, hs_code VARCHAR, year INTEGER,
			supplier_iso3 VARCHAR, share DOUBLE, share_3y_earlier DOUBLE, world_export_value_usd DOUBLE, world_export_share DOUBLE,
			unit_value_usd_per_kg DOUBLE, unit_value_ratio DOUBLE, mine_production DOUBLE, refinery_production DOUBLE,
			production_unit VARCHAR, reserves DOUBLE, reserves_unit VARCHAR, restricted BOOLEAN, restricting_measures VARCHAR,
			hhi_if_replaces_concern DOUBLE, score DOUBLE, rank INTEGER, source VARCHAR, concern_iso3 VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS trade_measure_codes (measure_id VARCHAR, hs_code VARCHAR, hs_revision VARCHAR)`,
		// A measure on several groups names none; its heading 8112 places it.
		`INSERT INTO trade_measures_current BY NAME SELECT 'TEST-BYCODE' AS measure_id, 'CHN' AS imposing_iso3, NULL::VARCHAR[] AS target_iso3,
			'export_tax' AS measure_type, NULL AS commodity, 'Test: export tax on heading 8112' AS title,
			DATE '2022-03-01' AS announced_date, DATE '2022-04-01' AS effective_date, 'test fixture' AS citation,
			'test' AS origin, TIMESTAMP '2020-01-01' AS valid_from`,
		`INSERT INTO trade_measure_codes BY NAME SELECT 'TEST-BYCODE' AS measure_id, '8112' AS hs_code, 'HS2017' AS hs_revision`,
		`INSERT INTO trade_measures_current BY NAME SELECT * EXCLUDE (status), TIMESTAMP '2020-01-01' AS valid_from FROM (VALUES
			('TEST-GAGE-LIC', 'CHN', NULL::VARCHAR[], 'licensing', 'gallium_germanium, antimony', 'Test: gallium and germanium under licensing',
			 DATE '2023-07-03', DATE '2023-08-01', NULL::DATE, 'in_force', NULL, 'test fixture', 'test'),
			('TEST-GAGE-BAN', 'CHN', ['USA'], 'ban', 'gallium_germanium', 'Test: exports to the United States not permitted',
			 DATE '2024-12-03', DATE '2024-12-03', NULL::DATE, 'in_force', NULL, 'test fixture', 'test'))
			AS v(measure_id, imposing_iso3, target_iso3, measure_type, commodity, title, announced_date, effective_date, end_date,
			     status, suspends_measure_id, citation, origin)`,
		// Monthly window t -12..+12 of the licensing: exports to everyone
		// collapse at t = 0 after a month of pre-buying.
		`INSERT INTO event_windows BY NAME
		 SELECT 'TEST-GAGE-LIC' AS measure_id, 'effective' AS event, DATE '2023-08-01' AS event_date, 'gallium_germanium' AS commodity,
		        NULL AS hs_code, 'M' AS freq, 'exporter' AS side, d.destination, t,
		        CAST(DATE '2023-08-01' + to_months(t) AS DATE) AS period,
		        v AS value_usd, v / 300 AS weight_kg, 300.0 AS unit_value_usd_per_kg,
		        100 * v / 1e6 AS value_index, 100 * v / 1e6 AS weight_index, NULL AS value_index_prev, NULL AS weight_index_prev,
		        NULL AS target_share, 'CHN' AS imposing_iso3, 'test' AS source, year(DATE '2023-08-01' + to_months(t)) AS year
		 FROM range(-12, 13) r(t), (VALUES ('world'), ('others')) d(destination),
		      LATERAL (SELECT CASE WHEN t = -1 THEN 1.6e6 WHEN t < 0 THEN 1e6 WHEN t = 0 THEN 0.1e6 ELSE 0.45e6 + t * 0.02e6 END
		                      * CASE d.destination WHEN 'world' THEN 1 ELSE 1 END AS v)`,
		`INSERT INTO event_windows BY NAME
		 SELECT 'TEST-GAGE-BAN' AS measure_id, 'effective' AS event, DATE '2024-12-03' AS event_date, 'gallium_germanium' AS commodity,
		        NULL AS hs_code, 'A' AS freq, 'exporter' AS side, d.destination, t,
		        CAST(DATE '2024-01-01' + to_years(t) AS DATE) AS period,
		        v AS value_usd, NULL AS weight_kg, NULL AS unit_value_usd_per_kg, 100 * v / 5e6 AS value_index,
		        NULL AS weight_index, NULL AS value_index_prev, NULL AS weight_index_prev,
		        CASE d.destination WHEN 'target' THEN 0.3 END AS target_share, 'CHN' AS imposing_iso3, 'test' AS source, 2024 + t AS year
		 FROM range(-3, 1) r(t), (VALUES ('target'), ('others')) d(destination),
		      LATERAL (SELECT CASE WHEN d.destination = 'target' THEN 5e6 - t * 0 - CASE WHEN t = 0 THEN 4e6 ELSE 0 END
		                           ELSE 5e6 + (t + 3) * 1e6 END AS v)`,
		`INSERT INTO diversion BY NAME SELECT *, 'CHN' AS imposing_iso3, 'test' AS source, DATE '2023-01-01' AS pre_from,
			DATE '2024-01-01' AS post_from FROM (VALUES
			('TEST-GAGE-BAN', 'A', 'gallium_germanium', NULL::VARCHAR, 'exporter', 'BEL', 1e6, 3e6, 2e6, 0.5e6, 1.7e6, 1.2e6, true, 1),
			('TEST-GAGE-BAN', 'A', 'gallium_germanium', NULL::VARCHAR, 'exporter', 'DEU', 2e6, 2.9e6, 0.9e6, 1e6, 1.3e6, 0.3e6, true, 2),
			('TEST-GAGE-BAN', 'A', 'gallium_germanium', NULL::VARCHAR, 'exporter', 'JPN', 3e6, 2e6, -1e6, 1e6, 1.5e6, 0.5e6, false, 3))
			AS v(measure_id, freq, commodity, hs_code, side, third_iso3, pre_to_third_usd, post_to_third_usd, change_to_third_usd,
			     pre_third_to_target_usd, post_third_to_target_usd, change_third_to_target_usd, both_rose, rank)`,
		// Year 2030: the latest year, so the report shows these rows.
		`INSERT INTO supplier_alternatives BY NAME SELECT *, 'test' AS source, 'CHN' AS concern_iso3 FROM (VALUES
			('USA', 'gallium_germanium', NULL::VARCHAR, 2030, 'DEU', 0.2, 0.13, 9e6, 0.08, 410.0, 0.95, NULL::DOUBLE, 5.0, 't', NULL::DOUBLE, NULL::VARCHAR, false, NULL::VARCHAR, 2100.0, 0.81, 1),
			('USA', 'gallium_germanium', NULL::VARCHAR, 2030, 'JPN', 0.15, 0.11, 7e6, 0.06, 450.0, 1.05, NULL::DOUBLE, 3.0, 't', NULL::DOUBLE, NULL::VARCHAR, false, NULL::VARCHAR, 2300.0, 0.74, 2),
			('USA', 'gallium_germanium', NULL::VARCHAR, 2030, 'RUS', 0.01, 0.02, 2e6, 0.02, 380.0, 0.88, NULL::DOUBLE, 5.0, 't', NULL::DOUBLE, NULL::VARCHAR, true, 'TEST-SANCTION', 2900.0, 0.2, 3))
			AS v(reporter_iso3, commodity, hs_code, year, supplier_iso3, share, share_3y_earlier, world_export_value_usd,
			     world_export_share, unit_value_usd_per_kg, unit_value_ratio, mine_production, refinery_production, production_unit,
			     reserves, reserves_unit, restricted, restricting_measures, hhi_if_replaces_concern, score, rank)`,
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("policy fixture: %v\n%s", err, q)
		}
	}
}

// pageChart is a chart as read back from the page: its data attributes
// and every plotted mark.
type pageChart struct {
	ID      string
	Attrs   map[string]string
	Points  []pagePoint
	Markers []pageMarker
}

type pagePoint struct{ Series, Period, Value string }
type pageMarker struct{ Measure, Date string }

var (
	svgRe    = regexp.MustCompile(`(?s)<svg id="([^"]+)"([^>]*)>(.*?)</svg>`)
	attrRe   = regexp.MustCompile(`data-([a-z]+)="([^"]*)"`)
	pointRe  = regexp.MustCompile(`<(?:circle|rect)[^>]* data-series="([^"]*)" data-period="([^"]*)" data-value="([^"]*)"`)
	markerRe = regexp.MustCompile(`<g class="marker" data-measure="([^"]*)" data-date="([^"]*)"`)
)

// chartsFromHTML reads the charts of a rendered page (our own markup).
func chartsFromHTML(page string) []pageChart {
	var out []pageChart
	for _, m := range svgRe.FindAllStringSubmatch(page, -1) {
		c := pageChart{ID: m[1], Attrs: map[string]string{}}
		for _, a := range attrRe.FindAllStringSubmatch(m[2], -1) {
			c.Attrs[a[1]] = html.UnescapeString(a[2])
		}
		for _, p := range pointRe.FindAllStringSubmatch(m[3], -1) {
			c.Points = append(c.Points, pagePoint{html.UnescapeString(p[1]), html.UnescapeString(p[2]), html.UnescapeString(p[3])})
		}
		for _, p := range markerRe.FindAllStringSubmatch(m[3], -1) {
			c.Markers = append(c.Markers, pageMarker{p[1], p[2]})
		}
		out = append(out, c)
	}
	return out
}

// expected returns what a chart must plot, key "series|period" -> value,
// computed from the warehouse independently of the report's code, and
// whether values are derived sums (compared with a tolerance).
func expected(t testing.TB, db *sql.DB, c pageChart) (map[string]float64, map[string]bool) {
	t.Helper()
	a := c.Attrs
	var q string
	var args []any
	approx := map[string]bool{}
	switch a["chart"] {
	case "concern_share":
		q = `SELECT 'annual', CAST(year AS VARCHAR), concern_share FROM dependency_trends
			   WHERE freq = 'A' AND reporter_iso3 = $1 AND commodity = $2 AND hs_code IS NULL AND source = $3 AND concern_share IS NOT NULL
			 UNION ALL SELECT 'monthly', strftime(period, '%Y-%m'), concern_share FROM dependency_trends
			   WHERE freq = 'M' AND reporter_iso3 = $1 AND commodity = $2 AND hs_code IS NULL AND source = $3 AND concern_share IS NOT NULL
			 UNION ALL SELECT 'rolling_12m', strftime(period, '%Y-%m'), concern_share_12m FROM dependency_trends
			   WHERE freq = 'M' AND reporter_iso3 = $1 AND commodity = $2 AND hs_code IS NULL AND source = $3 AND concern_share_12m IS NOT NULL`
		args = []any{a["reporter"], a["commodity"], a["source"]}
	case "hhi":
		q = `SELECT 'hhi', CAST(year AS VARCHAR), hhi FROM dependency_trends
			 WHERE freq = 'A' AND reporter_iso3 = $1 AND commodity = $2 AND hs_code IS NULL AND source = $3 AND hhi IS NOT NULL`
		args = []any{a["reporter"], a["commodity"], a["source"]}
	case "partner_shares":
		// Bars of no height are not drawn. The named partners are the page's; that they are the five
		// largest non-area partners is checked separately.
		var named []string
		for _, p := range c.Points {
			if p.Series != "others" && p.Series != "unallocated" && !contains(named, p.Series) {
				named = append(named, p.Series)
			}
		}
		q = `WITH s AS (SELECT * FROM import_shares WHERE freq = 'A' AND reporter_iso3 = $1 AND commodity = $2 AND hs_code IS NULL
			   AND source = $3 AND share IS NOT NULL)
			 SELECT partner_iso3, CAST(year AS VARCHAR), share FROM s WHERE list_contains($4, partner_iso3) AND share > 0
			 UNION ALL SELECT 'others', CAST(year AS VARCHAR), sum(share) FROM s WHERE NOT list_contains($4, partner_iso3)
			   GROUP BY year HAVING sum(share) > 0
			 UNION ALL SELECT 'unallocated', CAST(year AS VARCHAR), 1 - sum(share) FROM s WHERE total_basis = 'reported_world'
			   GROUP BY year HAVING 1 - sum(share) > 1e-9`
		args = []any{a["reporter"], a["commodity"], a["source"], named}
		approx["others"], approx["unallocated"] = true, true
	case "nir":
		q = `SELECT CASE WHEN m.product = '' THEN m.commodity ELSE m.commodity || '/' || m.product END, CAST(m.year AS VARCHAR), m.value
			 FROM mineral_statistics_latest m JOIN commodity_usgs cu ON cu.usgs_commodity = m.commodity
			 WHERE cu.commodity = $2 AND m.measure = 'net_import_reliance' AND m.country_iso3 = $1 AND m.value IS NOT NULL`
		args = []any{a["reporter"], a["commodity"]}
	case "event_window":
		q = `SELECT destination, CAST(t AS VARCHAR), value_index FROM event_windows
			 WHERE measure_id = $1 AND commodity = $2 AND coalesce(hs_code, '') = $3 AND freq = $4 AND side = $5 AND event = $6
			   AND value_index IS NOT NULL AND destination IN ('target', 'others', 'world')` + sourceIs(db, "event_windows", "$7")
		args = []any{a["measure"], a["commodity"], a["hs"], a["freq"], a["side"], a["event"], a["source"]}
	case "alternatives":
		q = `WITH s AS (SELECT * FROM supplier_alternatives WHERE reporter_iso3 = $1 AND commodity = $2 AND coalesce(hs_code, '') = $3
			   AND year = CAST($4 AS INTEGER)` + sourceIs(db, "supplier_alternatives", "$5") + ` ORDER BY rank, supplier_iso3 LIMIT 10)
			 SELECT 'share', supplier_iso3, share FROM s WHERE share IS NOT NULL
			 UNION ALL SELECT 'world_export_share', supplier_iso3, world_export_share FROM s WHERE world_export_share IS NOT NULL`
		args = []any{a["reporter"], a["commodity"], a["hs"], a["year"], a["source"]}
	case "diversion":
		q = `WITH s AS (SELECT * FROM diversion WHERE measure_id = $1 AND commodity = $2 AND coalesce(hs_code, '') = $3 AND freq = $4
			   AND side = $5 AND both_rose AND rank IS NOT NULL` + sourceIs(db, "diversion", "$6") + ` ORDER BY rank, third_iso3 LIMIT 10)
			 SELECT 'change_to_third', third_iso3, change_to_third_usd FROM s WHERE change_to_third_usd IS NOT NULL
			 UNION ALL SELECT 'change_third_to_target', third_iso3, change_third_to_target_usd FROM s WHERE change_third_to_target_usd IS NOT NULL`
		args = []any{a["measure"], a["commodity"], a["hs"], a["freq"], a["side"], a["source"]}
	default:
		t.Fatalf("chart %s: unknown kind %q", c.ID, a["chart"])
	}
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("chart %s: %v", c.ID, err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var s, p string
		var v float64
		if err := rows.Scan(&s, &p, &v); err != nil {
			t.Fatal(err)
		}
		out[s+"|"+p] = v
	}
	return out, approx
}

// sourceIs filters a policy table on the chart's source where the table
// has a source column, and keeps the parameter used where it has none.
func sourceIs(db *sql.DB, table, param string) string {
	var n int
	db.QueryRow(`SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = 'source'`, table).Scan(&n) //nolint:errcheck
	if n > 0 {
		return " AND coalesce(source, '') = " + param
	}
	return " AND " + param + " = ''"
}

// compareCharts checks every chart's plotted values against the
// warehouse, both ways: no mark without its mart row, no row left out.
func compareCharts(t testing.TB, db *sql.DB, charts []pageChart) {
	t.Helper()
	if len(charts) == 0 {
		t.Fatal("the page has no chart")
	}
	for _, c := range charts {
		want, approx := expected(t, db, c)
		got := map[string]string{}
		for _, p := range c.Points {
			k := p.Series + "|" + p.Period
			if _, dup := got[k]; dup {
				t.Errorf("chart %s: %s plotted twice", c.ID, k)
			}
			got[k] = p.Value
		}
		for k, v := range want {
			g, ok := got[k]
			if !ok {
				t.Errorf("chart %s: %s = %v in the warehouse, not plotted", c.ID, k, v)
				continue
			}
			f, err := strconv.ParseFloat(g, 64)
			if err != nil {
				t.Errorf("chart %s: %s: data-value %q: %v", c.ID, k, g, err)
				continue
			}
			series := strings.SplitN(k, "|", 2)[0]
			if approx[series] && math.Abs(f-v) > 1e-9 || !approx[series] && f != v {
				t.Errorf("chart %s: %s plotted %v, warehouse %v", c.ID, k, f, v)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("chart %s: %s plotted (%s) but not in the warehouse", c.ID, k, got[k])
			}
		}
		for _, m := range c.Markers {
			var d string
			if err := db.QueryRow(`SELECT strftime(effective_date, '%Y-%m-%d') FROM trade_measures WHERE measure_id = ?`, m.Measure).Scan(&d); err != nil {
				t.Errorf("chart %s: marker of measure %s: %v", c.ID, m.Measure, err)
			} else if d != m.Date {
				t.Errorf("chart %s: measure %s marked at %s, effective %s", c.ID, m.Measure, m.Date, d)
			}
		}
	}
}

// checkTopPartners checks that a partner chart names the five largest
// non-area partners over its span.
func checkTopPartners(t testing.TB, db *sql.DB, c pageChart) {
	t.Helper()
	rows, err := db.Query(`SELECT i.partner_iso3 FROM import_shares i JOIN countries c ON c.iso3 = i.partner_iso3
		WHERE i.freq = 'A' AND i.reporter_iso3 = ? AND i.commodity = ? AND i.hs_code IS NULL AND i.source = ? AND NOT c.is_area
		  AND i.value_usd IS NOT NULL
		GROUP BY i.partner_iso3 ORDER BY sum(i.value_usd) DESC, i.partner_iso3 LIMIT 5`, c.Attrs["reporter"], c.Attrs["commodity"], c.Attrs["source"])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want []string
	for rows.Next() {
		var p string
		rows.Scan(&p) //nolint:errcheck
		want = append(want, p)
	}
	var got []string
	for _, p := range c.Points {
		if p.Series != "others" && p.Series != "unallocated" && !contains(got, p.Series) {
			got = append(got, p.Series)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("chart %s names partners %v, the five largest are %v", c.ID, got, want)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

var fixedNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
