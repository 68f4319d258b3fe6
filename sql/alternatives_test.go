package sql_test

import (
	"context"
	gosql "database/sql"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/output/warehouse"
	"github.com/tradewh/tradewh/sources/baci"
	"github.com/tradewh/tradewh/sources/comtrade"
	"github.com/tradewh/tradewh/sources/measures"
	"github.com/tradewh/tradewh/sources/usgsmcs"
)

// TestSupplierAlternativesIncremental: a revised flow of one year rebuilds
// that year (and the year three later) to what a full rebuild gives, and
// leaves the other years alone; a new measure rebuilds every year.
func TestSupplierAlternativesIncremental(t *testing.T) {
	db := openWarehouse(t)
	insertFlows(t, db, []flow{
		{"comtrade", "A", "2020-01-01", "USA", "CHN", "import", "811292", "gallium_germanium", 300},
		{"comtrade", "A", "2020-01-01", "USA", "JPN", "import", "811292", "gallium_germanium", 100},
	})
	rebuild(t, db, nil)
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// 2023: DEU 200 of 1000 (World), JPN 100; 2020 JPN 0.25 of 400.
	checkRows(t, db, `SELECT supplier_iso3, share, share_3y_earlier, hhi_if_replaces_concern, restricted
		FROM supplier_alternatives WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND hs_code = '811292' AND year = 2023
		ORDER BY supplier_iso3`, []string{"DEU 0.2 0 6500 false", "JPN 0.1 0.25 5300 false"})

	exec(`INSERT INTO supplier_alternatives BY NAME SELECT 'sentinel' AS source, 'ZZZ' AS reporter_iso3, 'x' AS commodity,
		2022 AS year, 'CHN' AS concern_iso3, 'ZZZ' AS supplier_iso3, false AS restricted, 1 AS rank`)
	exec(`UPDATE trade_flow_versions SET valid_to = now() WHERE rowid IN (SELECT rid FROM trade_flow_rows
		WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND partner_iso3 = 'JPN' AND period = DATE '2023-01-01')`)
	insertFlows(t, db, []flow{{"comtrade", "A", "2023-01-01", "USA", "JPN", "import", "811292", "gallium_germanium", 150}})
	rebuild(t, db, [][2]string{{"A", "2023-01-01"}})
	checkRows(t, db, `SELECT source FROM supplier_alternatives WHERE source = 'sentinel'`, []string{"sentinel"})
	checkRows(t, db, `SELECT share FROM supplier_alternatives WHERE source = 'comtrade' AND reporter_iso3 = 'USA'
		AND hs_code = '811292' AND year = 2023 AND supplier_iso3 = 'JPN'`, []string{"0.15"})
	exec(`DELETE FROM supplier_alternatives WHERE source = 'sentinel'`)
	exec(`CREATE TABLE incremental AS SELECT * FROM supplier_alternatives`)

	// A measure of Japan's on the code: every year is rebuilt, restricted.
	exec(`INSERT INTO trade_measures_history (measure_id, imposing_iso3, measure_type, title, effective_date, status,
		citation, codes, origin, source_row, content_hash, valid_from)
		VALUES ('JPN-1', 'JPN', 'licensing', 't', DATE '2021-06-01', 'in_force', 'c',
		[{'hs_code': '811292', 'hs_revision': NULL}], 'f', 1, 'h', now())`)
	exec(`INSERT INTO trade_measures_current BY NAME SELECT * EXCLUDE (status, codes, source_row, content_hash, run_id, valid_to) FROM trade_measures_history`)
	exec(`INSERT INTO trade_measure_codes VALUES ('JPN-1', '811292', NULL)`)
	rebuild(t, db, [][2]string{})
	checkRows(t, db, `SELECT year, restricted, restricting_measures FROM supplier_alternatives WHERE source = 'comtrade'
		AND reporter_iso3 = 'USA' AND hs_code = '811292' AND supplier_iso3 = 'JPN' ORDER BY year`,
		[]string{"2020 true JPN-1", "2023 true JPN-1"})

	// Without the measure, a full rebuild from nothing equals the incremental one.
	exec(`DELETE FROM trade_measure_codes`)
	exec(`DELETE FROM trade_measures_current`)
	exec(`DELETE FROM trade_measures_history`)
	exec(`DROP TABLE supplier_alternatives`)
	exec(`DROP TABLE supplier_alternatives_state`)
	rebuild(t, db, nil)
	checkRows(t, db, `SELECT count(*) FROM (
		(SELECT * FROM incremental EXCEPT ALL SELECT * FROM supplier_alternatives)
		UNION ALL
		(SELECT * FROM supplier_alternatives EXCEPT ALL SELECT * FROM incremental))`, []string{"0"})
	checkRows(t, db, `SELECT count(*) > 0 FROM supplier_alternatives`, []string{"true"})
}

// insertStats writes mineral statistics rows as a load would.
func insertStats(t *testing.T, db *gosql.DB, stats []etl.MineralStat) {
	t.Helper()
	for i, m := range stats {
		var q any
		if m.Qualifier != "" {
			q = m.Qualifier
		}
		if _, err := db.Exec(`INSERT INTO mineral_statistics_history (edition, commodity, year, country_iso3, measure,
			product, value, unit, qualifier, source, source_ref, source_row, source_column, run_id, valid_from)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'usgs-mcs', ?, ?, ?, 1, now())`,
			m.Edition, m.Commodity, m.Year, m.Country, m.Measure, m.Product, m.Value, m.Unit, q,
			m.Ref, m.Row, m.Column); err != nil {
			t.Fatalf("statistic %d %+v: %v", i, m, err)
		}
	}
}

// loadWorldTables reads real MCS world tables with the loader into db.
func loadWorldTables(t *testing.T, db *gosql.DB, paths ...string) {
	t.Helper()
	var ps []any
	for _, p := range paths {
		ps = append(ps, p)
	}
	sink, err := etltest.Extract(t, etltest.Build(t, usgsmcs.Kind, map[string]any{"paths": ps}, etl.Runtime{}))
	if err != nil {
		t.Fatal(err)
	}
	insertStats(t, db, etltest.MineralStats(t, sink))
}

// worldProducers reads a real MCS world table with encoding/csv alone: the
// countries' production in the latest year of the table (rows of residuals
// and totals left out), ranked with ties sharing a rank, and the World
// total.
func worldProducers(t *testing.T, path string) (year int, value map[string]float64, rank map[string]int, world float64) {
	t.Helper()
	recs := etltest.ReadCSV(t, path)
	col := -1
	for i, h := range recs[0] {
		if strings.HasPrefix(h, "Prod_") {
			if y, err := strconv.Atoi(h[len(h)-4:]); err == nil && y > year {
				col, year = i, y
			}
		}
	}
	value, rank = map[string]float64{}, map[string]int{}
	for _, r := range recs[1:] {
		if len(r) <= col || r[1] == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(r[col], ",", ""), 64)
		if err != nil {
			continue
		}
		name := strings.ToLower(r[1])
		switch {
		case strings.HasPrefix(name, "world"):
			world = v
			continue
		case strings.HasPrefix(name, "other"):
			continue
		}
		c, ok := etl.CountryByName(r[1])
		if !ok {
			t.Fatalf("%s: %q is not a country", path, r[1])
		}
		if v > 0 {
			value[c.ISO3] = v
		}
	}
	for iso, v := range value {
		rank[iso] = 1
		for _, w := range value {
			if w > v {
				rank[iso]++
			}
		}
	}
	return year, value, rank, world
}

// TestSupplierAlternativesCountriesOnly: on the real MCS 2024 world tables,
// the producers among the alternatives are the tables' countries with the
// rank and share the tables give them; "Other countries" (tungsten's 1,100
// t would rank seventh) and the World total are never suppliers nor ranked.
func TestSupplierAlternativesCountriesOnly(t *testing.T) {
	world := filepath.Join(etltest.SharedData(t), "usgs", "mcs2024", "world")
	cases := []struct{ reporter, commodity, file string }{
		{"CAN", "tungsten", "mcs2024-tungs_world.csv"},
		{"KOR", "antimony", "mcs2024-antim_world.csv"},
		{"JPN", "rare_earths", "mcs2024-raree_world.csv"},
		{"USA", "gallium_germanium", "mcs2024-galli_world.csv"},
	}
	db := openWarehouse(t)
	var paths []string
	for _, c := range cases {
		paths = append(paths, filepath.Join(world, c.file))
	}
	loadWorldTables(t, db, append(paths, filepath.Join(world, "mcs2024-germa_world.csv"), filepath.Join(world, "mcs2024-abras_world.csv"))...)
	// Every row names a code of the countries table; the residuals and the
	// group of abrasives' table are areas.
	checkRows(t, db, `SELECT DISTINCT m.country_iso3, c.is_area FROM mineral_statistics m
		LEFT JOIN countries c ON c.iso3 = m.country_iso3 WHERE c.is_area IS DISTINCT FROM false ORDER BY 1`,
		[]string{"OTH true", "WLD true", "XGR true"})
	rebuild(t, db, nil)
	for _, c := range cases {
		t.Run(c.commodity, func(t *testing.T) {
			year, value, rank, wld := worldProducers(t, filepath.Join(world, c.file))
			var want []string
			for iso, v := range value {
				if iso != "CHN" && iso != c.reporter {
					want = append(want, fmt.Sprintf("%s %d %d %s", iso, year, rank[iso],
						strconv.FormatFloat(math.Round(v/wld*1e9)/1e9, 'f', -1, 64)))
				}
			}
			sort.Strings(want)
			if len(want) < 3 {
				t.Fatalf("only %d producers in %s", len(want), c.file)
			}
			checkRows(t, db, `SELECT supplier_iso3, production_year, production_rank, production_share FROM supplier_alternatives
				WHERE source = 'comtrade' AND reporter_iso3 = '`+c.reporter+`' AND commodity = '`+c.commodity+`' AND hs_code IS NULL AND year = 2023
				AND production_rank IS NOT NULL ORDER BY supplier_iso3`, want)
		})
	}
	checkRows(t, db, `SELECT count(*) FROM supplier_alternatives
		WHERE supplier_iso3 IN (SELECT iso3 FROM countries WHERE is_area)`, []string{"0"})
}

// TestSupplierAlternativesOneEdition: a year's production and reserves come
// from the newest edition that covers them. MCS2025 revises 2023 and folds
// Austria into "Other countries"; Austria keeps no MCS2024 figure beside
// it, and the ranks and shares are MCS2025's. Reserves at the end of 2023
// are MCS2024's alone.
func TestSupplierAlternativesOneEdition(t *testing.T) {
	type fig struct {
		edition, measure string
		year             int
		country          string
		value            float64
	}
	in := []fig{
		{"MCS2024", "mine_production", 2022, "CHN", 66000}, {"MCS2024", "mine_production", 2022, "AUT", 900},
		{"MCS2024", "mine_production", 2022, "WLD", 79800},
		{"MCS2024", "mine_production", 2023, "CHN", 63000}, {"MCS2024", "mine_production", 2023, "VNM", 3500},
		{"MCS2024", "mine_production", 2023, "RUS", 2000}, {"MCS2024", "mine_production", 2023, "AUT", 910},
		{"MCS2024", "mine_production", 2023, "OTH", 1100}, {"MCS2024", "mine_production", 2023, "WLD", 78000},
		{"MCS2024", "reserves", 2023, "VNM", 74000}, {"MCS2024", "reserves", 2023, "RUS", 400000},
		{"MCS2024", "reserves", 2023, "AUT", 10000}, {"MCS2024", "reserves", 2023, "WLD", 4400000},
		{"MCS2025", "mine_production", 2023, "CHN", 64000}, {"MCS2025", "mine_production", 2023, "VNM", 3400},
		{"MCS2025", "mine_production", 2023, "RUS", 2100}, {"MCS2025", "mine_production", 2023, "OTH", 2000},
		{"MCS2025", "mine_production", 2023, "WLD", 79000},
		{"MCS2025", "mine_production", 2024, "CHN", 67000}, {"MCS2025", "mine_production", 2024, "VNM", 3000},
		{"MCS2025", "mine_production", 2024, "WLD", 81000},
		{"MCS2025", "reserves", 2024, "VNM", 70000}, {"MCS2025", "reserves", 2024, "WLD", 4500000},
	}
	db := openWarehouse(t)
	var stats []etl.MineralStat
	for i, f := range in {
		stats = append(stats, etl.MineralStat{Edition: f.edition, Commodity: "tungsten", Year: f.year, Country: f.country,
			Measure: f.measure, Value: etl.F(f.value), Unit: "t", Ref: "f", Row: int64(i + 1), Column: "c"})
	}
	insertStats(t, db, stats)
	rebuild(t, db, nil)

	// Expected for CAN's 2023 imports: per measure, the newest edition with
	// a figure of 2023; countries ranked by production, shares of World.
	newest := map[string]string{}
	for _, f := range in {
		if f.year == 2023 && f.edition > newest[f.measure] {
			newest[f.measure] = f.edition
		}
	}
	prod, res := map[string]float64{}, map[string]float64{}
	for _, f := range in {
		if f.year != 2023 || f.edition != newest[f.measure] {
			continue
		}
		if f.measure == "reserves" {
			res[f.country] = f.value
		} else {
			prod[f.country] = f.value
		}
	}
	num := func(v float64) string { return strconv.FormatFloat(math.Round(v*1e9)/1e9, 'f', -1, 64) }
	want := []string{"USA NULL NULL NULL NULL"} // CAN's trade partner, no producer here
	for iso, v := range prod {
		if iso == "CHN" || iso == "OTH" || iso == "WLD" {
			continue
		}
		rank := 1
		for o, w := range prod {
			if o != "OTH" && o != "WLD" && w > v {
				rank++
			}
		}
		r := "NULL"
		if x, ok := res[iso]; ok {
			r = num(x)
		}
		want = append(want, fmt.Sprintf("%s %s %d %s %s", iso, num(v), rank, num(v/prod["WLD"]), r))
	}
	sort.Strings(want)
	checkRows(t, db, `SELECT supplier_iso3, mine_production, production_rank, production_share, reserves
		FROM supplier_alternatives WHERE reporter_iso3 = 'CAN' AND commodity = 'tungsten' AND hs_code IS NULL AND year = 2023
		ORDER BY supplier_iso3`, want)
	checkRows(t, db, `SELECT DISTINCT production_year FROM supplier_alternatives
		WHERE reporter_iso3 = 'CAN' AND commodity = 'tungsten' AND year = 2023`, []string{"2023"})
}

// fixtureHHI recomputes a key's HHI from the fixture flows alone: shares
// of the World total where there is one, else of the partners' sum; NULL
// ("NULL") when a World total exists and the countries among the partners
// cover less than minCoverage of it.
func fixtureHHI(t *testing.T, reporter, hs, period string, minCoverage float64) string {
	t.Helper()
	var world, countries, all float64
	hasWorld := false
	var values []float64
	for _, f := range append(append([]flow{}, fixtureFlows...), coverageFlows...) {
		if f.source != "comtrade" || f.freq != "A" || f.flow != "import" || f.reporter != reporter || f.hs != hs || f.period != period {
			continue
		}
		c, ok := etl.CountryByISO3(f.partner)
		switch {
		case !ok:
			t.Fatalf("fixture partner %s unknown", f.partner)
		case f.partner == etl.WorldISO3:
			world, hasWorld = world+f.value, true
		case c.IsArea:
			all += f.value
		default:
			all += f.value
			countries += f.value
			values = append(values, f.value)
		}
	}
	den := all
	if hasWorld {
		if countries/world < minCoverage {
			return "NULL"
		}
		den = world
	}
	hhi := 0.0
	for _, v := range values {
		hhi += math.Pow(v/den*100, 2)
	}
	return strconv.FormatFloat(math.Round(hhi*1e9)/1e9, 'f', -1, 64)
}

// TestSupplierAlternativesCoverage: hhi and hhi_if_replaces_concern follow
// dependency_trends' coverage rule: NULL when the pulled partners cover
// less than min_coverage of the World total, kept when there is no World
// total to fall short of.
func TestSupplierAlternativesCoverage(t *testing.T) {
	db := openWarehouse(t)
	// Producers, so that every gallium importer has alternatives.
	var stats []etl.MineralStat
	for i, p := range []struct {
		iso string
		v   float64
	}{{"JPN", 3000}, {"RUS", 5000}, {"CHN", 600000}, {"WLD", 610000}} {
		stats = append(stats, etl.MineralStat{Edition: "MCS2024", Commodity: "gallium", Year: 2023, Country: p.iso,
			Measure: "unspecified_production", Value: etl.F(p.v), Unit: "kg", Ref: "f", Row: int64(i + 1), Column: "c"})
	}
	insertStats(t, db, stats)
	keys := []struct{ reporter, hs string }{
		{"USA", "811292"}, // World 1000, countries 900
		{"GBR", "811292"}, // World 750, CHN 460 only
		{"CAN", "2611"},   // no World total
	}
	for _, minCoverage := range []float64{0.8, 0.5, 0.95} {
		t.Run(strconv.FormatFloat(minCoverage, 'f', -1, 64), func(t *testing.T) {
			if _, err := db.Exec(`UPDATE settings SET value = ? WHERE name = 'min_coverage'`,
				strconv.FormatFloat(minCoverage, 'f', -1, 64)); err != nil {
				t.Fatal(err)
			}
			rebuild(t, db, nil)
			var want []string
			nulls := 0
			for _, k := range keys {
				h := fixtureHHI(t, k.reporter, k.hs, "2023-01-01", minCoverage)
				if h == "NULL" {
					nulls++
				}
				want = append(want, k.reporter+" "+h+" "+strconv.FormatBool(h == "NULL"))
			}
			sort.Strings(want)
			if minCoverage == 0.8 && nulls != 1 {
				t.Fatalf("fixture: %d keys of partial coverage, want 1", nulls)
			}
			checkRows(t, db, `SELECT reporter_iso3, any_value(hhi), bool_and(hhi_if_replaces_concern IS NULL)
				FROM supplier_alternatives WHERE source = 'comtrade' AND year = 2023
				AND (reporter_iso3, hs_code) IN (('USA', '811292'), ('GBR', '811292'), ('CAN', '2611'))
				GROUP BY ALL HAVING count(DISTINCT hhi) <= 1 ORDER BY reporter_iso3`, want)
		})
	}
}

// TestSupplierAlternativesRealGalliumCoverage: the real US imports of HS
// 811292 were pulled with China and World only; China covers 7 to 19 % of
// the World total, so the HHI is unknown, not China's share squared (about
// 100, "unconcentrated"). With min_coverage below China's share it is.
func TestSupplierAlternativesRealGalliumCoverage(t *testing.T) {
	data := etltest.SharedData(t)
	csvPath := filepath.Join(data, "comtrade", "comtrade_gallium_usa_chn_2020_2024.csv")
	raw := etltest.RawUSGalliumShares(t, csvPath)
	ctx := context.Background()
	dir := t.TempDir()
	wh, err := warehouse.Open(ctx, warehouse.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	p := &etl.Pipeline{Store: wh, Runtime: etl.Runtime{RawDir: filepath.Join(dir, "raw"), Logger: slog.New(slog.DiscardHandler)}}
	for _, job := range []etl.JobSpec{
		{Name: "load-comtrade-csv", Kind: comtrade.KindCSV, Config: map[string]any{"paths": []any{csvPath}}},
		{Name: "load-usgs-mcs", Kind: usgsmcs.Kind, Config: map[string]any{"paths": []any{
			filepath.Join(data, "usgs", "mcs2024", "world", "mcs2024-galli_world.csv")}}},
	} {
		if _, err := p.Run(ctx, job); err != nil {
			t.Fatal(err)
		}
	}
	db := wh.DB()
	query := `SELECT year, round(concern_share, 9), hhi, bool_and(hhi_if_replaces_concern IS NOT DISTINCT FROM hhi)
		FROM supplier_alternatives WHERE reporter_iso3 = 'USA' AND hs_code = '811292' GROUP BY ALL ORDER BY year`
	for _, c := range []struct {
		minCoverage string
		known       bool
	}{{"0.8", false}, {"0.05", true}} {
		if _, err := db.Exec(`UPDATE settings SET value = ? WHERE name = 'min_coverage'`, c.minCoverage); err != nil {
			t.Fatal(err)
		}
		rebuild(t, db, nil)
		// The alternatives (Japan, Korea, Russia: USGS producers of 2022
		// and 2023) supplied the US nothing: their HHI if they replaced
		// China is the HHI itself.
		var want []string
		for y := 2022; y <= 2024; y++ {
			s := raw[y]
			if s < 0.05 || s >= 0.8 {
				t.Fatalf("raw China share %v in %d: the case needs 0.05-0.8", s, y)
			}
			hhi := "NULL"
			if c.known {
				hhi = strconv.FormatFloat(math.Round(s*100*s*100*1e9)/1e9, 'f', -1, 64)
			}
			want = append(want, fmt.Sprintf("%d %s %s true", y, strconv.FormatFloat(math.Round(s*1e9)/1e9, 'f', -1, 64), hhi))
		}
		checkRows(t, db, query, want)
	}
}

// baciRow is one BACI record: exporter, importer (BACI codes), product,
// value (thousand USD) and quantity (tonnes).
type baciRow struct {
	i, j int
	k    string
	v, q float64
}

func writeBACI(t *testing.T, dir string, year int, rows []baciRow) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("t,i,j,k,v,q\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%d,%d,%s,%.3f,%.3f\n", year, r.i, r.j, r.k, r.v, r.q)
	}
	path := filepath.Join(dir, fmt.Sprintf("BACI_HS17_Y%d_V202401.csv", year))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// BACI's own country codes (country_codes_V202401.csv).
const baciCountries = `country_code,country_name,country_iso2,country_iso3
68,Bolivia (Plurinational State of),BO,BOL
156,China,CN,CHN
392,Japan,JP,JPN
643,Russian Federation,RU,RUS
704,Viet Nam,VN,VNM
792,Turkey,TR,TUR
842,USA,US,USA
`

// TestSupplierAlternatives loads two BACI years, a user's measure file and
// the real MCS 2024 world tables as the commands load them, and checks shares, world exports, unit
// values, the HHI if a supplier took China's share, restrictions and the
// USGS production ranking.
func TestSupplierAlternatives(t *testing.T) {
	data := etltest.SharedData(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "country_codes_V202401.csv"), []byte(baciCountries), 0o644); err != nil {
		t.Fatal(err)
	}
	// US imports of antimony ores (261710). 2023: CHN 600, BOL 300, TUR
	// 100 (thousand USD) -> 0.6, 0.3, 0.1, HHI 4600; unit values 6, 3, 2
	// USD/kg against an average of 1,000,000 / 250,000 = 4. 2020: CHN 500,
	// BOL 500. Japan buys 200 from BOL and 100 from RUS in 2023, so
	// exports to the world are CHN 600, BOL 500, TUR 100, RUS 100 of 1300.
	// Every group also has a US import from China, so that each mineral's
	// producers are listed.
	y2023 := []baciRow{
		{156, 842, "261710", 600, 100}, {68, 842, "261710", 300, 100}, {792, 842, "261710", 100, 50},
		{68, 392, "261710", 200, 60}, {643, 392, "261710", 100, 30},
		{156, 842, "261100", 50, 5}, {156, 842, "250410", 50, 5}, {156, 842, "284690", 50, 5}, {156, 842, "811292", 50, 5},
	}
	y2020 := []baciRow{{156, 842, "261710", 500, 100}, {68, 842, "261710", 500, 100}}
	f2023 := writeBACI(t, dir, 2023, y2023)
	f2020 := writeBACI(t, dir, 2020, y2020)
	measuresFile := filepath.Join(dir, "measures.yaml")
	if err := os.WriteFile(measuresFile, []byte(`measures:
  - measure_id: TUR-TEST-1
    imposing_iso3: TUR
    measure_type: export_tax
    commodity: antimony
    title: An export tax on antimony ores (test)
    effective_date: 2022-01-01
    hs_codes: [261710]
    citation: test fixture
`), 0o644); err != nil {
		t.Fatal(err)
	}
	world := filepath.Join(data, "usgs", "mcs2024", "world")
	wh := newWarehouse(t)
	runJob(t, wh, "load-measures", measures.Kind, map[string]any{"paths": []any{measuresFile}})
	runJob(t, wh, "load-usgs-mcs", usgsmcs.Kind, map[string]any{"paths": []any{
		filepath.Join(world, "mcs2024-antim_world.csv"), filepath.Join(world, "mcs2024-tungs_world.csv"),
		filepath.Join(world, "mcs2024-graph_world.csv"), filepath.Join(world, "mcs2024-raree_world.csv"),
		filepath.Join(world, "mcs2024-galli_world.csv"), filepath.Join(world, "mcs2024-germa_world.csv")}})
	runJob(t, wh, "load-baci", baci.Kind, map[string]any{"paths": []any{f2020, f2023}})
	db := wh.DB()

	checkLines(t, db, `SELECT supplier_iso3, value_usd, share, share_3y_earlier, world_export_value_usd,
		world_export_share, world_export_reporters, unit_value_usd_per_kg, unit_value_ratio,
		hhi, hhi_if_replaces_concern, restricted, restricting_measures
		FROM supplier_alternatives WHERE reporter_iso3 = 'USA' AND hs_code = '261710' AND year = 2023
		AND supplier_iso3 IN ('BOL', 'TUR', 'RUS') ORDER BY supplier_iso3`, []string{
		// BOL: 0.3 now, 0.5 in 2020; 500/1300 of world exports; HHI if it
		// took China's 60 %: 4600 + 2 x 30 x 60 = 8200 (90^2 + 10^2).
		"BOL 300000 0.3 0.5 500000 0.384615 2 3 0.75 4600 8200 false NULL",
		// RUS sells to Japan only: share 0, its world exports 100/1300.
		"RUS NULL 0 0 100000 0.076923 2 NULL NULL 4600 4600 false NULL",
		// TUR: restricted by the user's measure.
		"TUR 100000 0.1 0 100000 0.076923 2 2 0.5 4600 5800 true TUR-TEST-1",
	})
	checkLines(t, db, `SELECT count(*) FROM supplier_alternatives WHERE supplier_iso3 IN ('CHN', 'USA') AND reporter_iso3 = 'USA'`,
		[]string{"0"})
	// The score as documented, and rank by it.
	checkLines(t, db, `SELECT count(*) FROM supplier_alternatives
		WHERE abs(score - 100 * (0.4 * coalesce(world_export_share, 0) + 0.3 * coalesce(production_share, 0)
		      + 0.2 * coalesce(share, 0) + 0.1 * coalesce(CASE WHEN unit_value_ratio > 0 THEN least(1, 1 / unit_value_ratio) END, 0))
		      * CASE WHEN restricted THEN 0.5 ELSE 1 END) > 1e-9`, []string{"0"})
	checkLines(t, db, `SELECT count(*) FROM (SELECT rank, lag(score) OVER w AS prev, score FROM supplier_alternatives
		WINDOW w AS (PARTITION BY source, reporter_iso3, commodity, hs_code, year ORDER BY rank)) WHERE prev < score`, []string{"0"})

	// The USGS production ranking: every producer of the real world table
	// (besides China, the concern, and the US, the importer) with the rank
	// the table gives it.
	for _, c := range []struct{ commodity, code, file string }{
		{"antimony", "261710", "mcs2024-antim_world.csv"},
		{"tungsten", "2611", "mcs2024-tungs_world.csv"},
		{"graphite", "250410", "mcs2024-graph_world.csv"},
		{"rare_earths", "284690", "mcs2024-raree_world.csv"},
		{"gallium_germanium", "811292", "mcs2024-galli_world.csv"},
	} {
		t.Run(c.commodity, func(t *testing.T) {
			year, _, want, _ := worldProducers(t, filepath.Join(world, c.file))
			rows, err := db.Query(`SELECT DISTINCT supplier_iso3, production_rank, production_year FROM supplier_alternatives
				WHERE reporter_iso3 = 'USA' AND commodity = ? AND hs_code IS NULL AND year = 2023 AND production_rank IS NOT NULL`, c.commodity)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			got := map[string]int{}
			for rows.Next() {
				var iso string
				var r, y int
				if err := rows.Scan(&iso, &r, &y); err != nil {
					t.Fatal(err)
				}
				if y != year {
					t.Errorf("%s: production year %d, want %d", iso, y, year)
				}
				got[iso] = r
			}
			delete(want, "CHN")
			delete(want, "USA")
			if len(want) == 0 {
				t.Fatal("no producers in the world table")
			}
			for iso, r := range want {
				if got[iso] != r {
					t.Errorf("%s: production rank %d, want %d", iso, got[iso], r)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d ranked suppliers, the table has %d producers: %v vs %v", len(got), len(want), got, want)
			}
		})
	}
}
