package main

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// monthlyRow is one row of China's monthly 811292 exports by partner.
type monthlyRow struct {
	month   string // YYYY-MM-01
	partner string // ISO3
	val     float64
	qty     float64
}

// readChinaMonthly reads the real CSV as the sheet job maps it, keeping
// the rows whose partner name the country table resolves (the rows the
// load does not reject).
func readChinaMonthly(t *testing.T, path string) ([]monthlyRow, int) {
	t.Helper()
	recs := etltest.ReadCSV(t, path)
	var out []monthlyRow
	unresolved := 0
	for _, r := range recs[1:] {
		c, ok := etl.CountryByName(r[1])
		if !ok {
			unresolved++
			continue
		}
		v, err1 := strconv.ParseFloat(r[3], 64)
		q, err2 := strconv.ParseFloat(r[4], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %v: %v %v", r, err1, err2)
		}
		out = append(out, monthlyRow{r[0], c.ISO3, v, q})
	}
	return out, unresolved
}

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// nf reads a nullable float as NaN for NULL.
func nf(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}

// fmt6 prints v as checkLines does.
func fmt6(v float64) string { return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64) }

func addMonths(month string, n int) string {
	d, err := time.Parse(time.DateOnly, month)
	if err != nil {
		panic(err)
	}
	return d.AddDate(0, n, 0).Format(time.DateOnly)
}

// TestEventWindowsOnRealChinaMonthly loads China's real monthly exports of
// 811292 through the sheet source and checks event_windows and diversion
// against sums, means and ratios worked out here from the CSV rows.
func TestEventWindowsOnRealChinaMonthly(t *testing.T) {
	data := etltest.SharedData(t)
	csvPath := filepath.Join(data, "monthly", "china_exports_811292_by_partner_monthly.csv")
	rowsIn, unresolved := readChinaMonthly(t, csvPath)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `jobs:
  - name: china-811292
    source: sheet
    schedule: "0 1 * * *"
    config:
      paths: ["`+csvPath+`"]
      table: trade_flows
      columns: { period: period_dt, partner_iso3: partner_name, hs_code: hs6, value_usd: val, net_weight_kg: qty }
      constants: { freq: M, flow: export, reporter_iso3: CHN }
`)
	wh := filepath.Join(dir, "wh")
	mustCLI(t, "--warehouse", wh, "run", "--config", cfg)
	out := mustCLI(t, "--warehouse", wh, "impact", "CHN-MOFCOM-2024-46", "--code", "811292")
	unknownExit, _, _ := cli(t, "--warehouse", wh, "impact", "NO-SUCH-MEASURE")
	db := queryDB(t, wh)
	if n := count(t, db, `SELECT count(*) FROM trade_flows WHERE source = 'sheet'`); n != int64(len(rowsIn)) {
		t.Fatalf("loaded %d rows, the CSV has %d with a known partner (%d unresolved)", n, len(rowsIn), unresolved)
	}

	type agg struct{ val, kg, weighed float64 }
	sum := func(month string, keep func(string) bool) (agg, bool) {
		var a agg
		seen := false
		for _, r := range rowsIn {
			if r.month != month {
				continue
			}
			seen = true
			if !keep(r.partner) {
				continue
			}
			a.val += r.val
			if r.qty > 0 {
				a.kg += r.qty
				a.weighed += r.val
			}
		}
		return a, seen
	}
	isUSA := func(p string) bool { return p == "USA" }
	notUSA := func(p string) bool { return p != "USA" }
	all := func(string) bool { return true }

	type check struct {
		measure, dest, month0 string
		keep                  func(string) bool
	}
	for _, c := range []check{
		// Licensing of gallium and germanium, in force 2023-08-01: world only.
		{"CHN-MOFCOM-2023-23", "world", "2023-08-01", all},
		// The US ban of 2024-12-03: the target, everyone else, the world.
		{"CHN-MOFCOM-2024-46", "target", "2024-12-01", isUSA},
		{"CHN-MOFCOM-2024-46", "others", "2024-12-01", notUSA},
		{"CHN-MOFCOM-2024-46", "world", "2024-12-01", all},
	} {
		t.Run(c.measure+"/"+c.dest, func(t *testing.T) {
			// Hand computation: values t = -13 ... +12, baseline = mean of -12 ... -1.
			vals := map[int]agg{}
			reported := map[int]bool{}
			for k := -13; k <= 12; k++ {
				a, ok := sum(addMonths(c.month0, k), c.keep)
				vals[k], reported[k] = a, ok
			}
			var base, baseKg float64
			n := 0
			for k := -12; k <= -1; k++ {
				if reported[k] {
					base += vals[k].val
					baseKg += vals[k].kg
					n++
				}
			}
			base /= float64(n)
			baseKg /= float64(n)
			rows, err := db.Query(`SELECT t, period, value_usd, weight_kg, unit_value_usd_per_kg, value_index,
				weight_index, value_index_prev, value_index_tm1, target_share
				FROM event_windows WHERE measure_id = ? AND event = 'effective' AND hs_code = '811292'
				AND freq = 'M' AND side = 'reported_exports' AND destination = ? ORDER BY t`, c.measure, c.dest)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			got := 0
			for rows.Next() {
				var tt int
				var period time.Time
				var v, kg, uv, vi, wi, vp, vtm1, ts sql.NullFloat64
				if err := rows.Scan(&tt, &period, &v, &kg, &uv, &vi, &wi, &vp, &vtm1, &ts); err != nil {
					t.Fatal(err)
				}
				got++
				if want := addMonths(c.month0, tt); period.Format(time.DateOnly) != want {
					t.Errorf("t=%d: period %s, want %s", tt, period.Format(time.DateOnly), want)
				}
				if !reported[tt] {
					if v.Valid {
						t.Errorf("t=%d: value %v for a month the file lacks", tt, v.Float64)
					}
					continue
				}
				a := vals[tt]
				wantUV := math.NaN()
				if a.kg > 0 {
					wantUV = a.weighed / a.kg
				}
				wantPrev := math.NaN()
				if reported[tt-1] && vals[tt-1].val != 0 {
					wantPrev = 100 * a.val / vals[tt-1].val
				}
				wantTm1 := math.NaN()
				if vals[-1].val != 0 {
					wantTm1 = 100 * a.val / vals[-1].val
				}
				wantWI := math.NaN()
				if baseKg != 0 {
					wantWI = 100 * a.kg / baseKg
				}
				for _, p := range []struct {
					name      string
					got, want float64
				}{
					{"value", nf(v), a.val}, {"weight", nf(kg), a.kg}, {"unit value", nf(uv), wantUV},
					{"value index", nf(vi), 100 * a.val / base}, {"weight index", nf(wi), wantWI},
					{"index against t-1", nf(vp), wantPrev}, {"index against t=-1", nf(vtm1), wantTm1},
				} {
					if !near(p.got, p.want) {
						t.Errorf("t=%d %s: got %v, want %v", tt, p.name, p.got, p.want)
					}
				}
				if c.measure == "CHN-MOFCOM-2024-46" {
					us, _ := sum(addMonths(c.month0, tt), isUSA)
					w, _ := sum(addMonths(c.month0, tt), all)
					if !near(nf(ts), us.val/w.val) {
						t.Errorf("t=%d target share: got %v, want %v", tt, nf(ts), us.val/w.val)
					}
				} else if ts.Valid {
					t.Errorf("t=%d: a measure on every destination has no target share, got %v", tt, ts.Float64)
				}
			}
			if got != 25 {
				t.Errorf("%d rows, want t = -12 ... +12", got)
			}
		})
	}
	// The group of the measure's codes is 811292 alone in this file.
	if n := count(t, db, `SELECT count(*) FROM event_windows a JOIN event_windows b USING (measure_id, event, freq, side, destination, t)
		WHERE a.hs_code = '811292' AND b.hs_code IS NULL AND a.value_usd IS DISTINCT FROM b.value_usd`); n != 0 {
		t.Errorf("%d group rows differ from their only code", n)
	}
	// A ban that a later measure suspends gets a window at its end too.
	if n := count(t, db, `SELECT count(*) FROM event_windows WHERE measure_id = 'CHN-MOFCOM-2024-46' AND event = 'end'
		AND event_date = DATE '2025-11-09'`); n == 0 {
		t.Error("no window at the suspension of the US ban")
	}
	// Unit values are never infinite where the file has zero weights.
	if n := count(t, db, `SELECT count(*) FROM event_windows WHERE isinf(unit_value_usd_per_kg) OR isnan(unit_value_usd_per_kg)`); n != 0 {
		t.Errorf("%d infinite unit values", n)
	}

	// The impact command prints the window: the month of the ban, the
	// value to the US as computed above.
	dec, _ := sum("2024-12-01", isUSA)
	for _, want := range []string{"HS 811292, CHN's reported exports, sheet", "target share",
		"0  2024-12     " + money(sql.NullFloat64{Float64: dec.val, Valid: true})} {
		if !strings.Contains(out, want) {
			t.Errorf("impact output lacks %q:\n%s", want, out)
		}
	}
	if unknownExit != 1 {
		t.Errorf("an unknown measure: exit %d, want 1", unknownExit)
	}

	// Diversion for the US ban compares like with like: the file ends in
	// December 2024, the month of the ban (t = 0), so the post window is
	// that one month and the pre window the one month before it, November
	// 2024; one post month of the 12 required leaves every comparison
	// incomplete and unranked. No third country's exports to the US are
	// loaded, so nothing can be said to have risen on both legs.
	last := ""
	for _, r := range rowsIn {
		last = max(last, r.month)
	}
	if last != "2024-12-01" {
		t.Fatalf("the file ends in %s; this test expects December 2024", last)
	}
	monthSums := func(from, to string) map[string]float64 { // partner -> value over [from, to)
		out := map[string]float64{}
		for _, r := range rowsIn {
			if r.month >= from && r.month < to {
				out[r.partner] += r.val
			}
		}
		return out
	}
	pre, post := monthSums("2024-11-01", "2024-12-01"), monthSums("2024-12-01", "2025-01-01")
	delete(pre, "USA")
	delete(post, "USA")
	thirds := map[string]bool{}
	for p := range pre {
		thirds[p] = true
	}
	for p := range post {
		thirds[p] = true
	}
	rows, err := db.Query(`SELECT third_iso3, pre_to_third_usd, post_to_third_usd, change_to_third_usd,
		pre_third_to_target_usd, both_rose, rank, pre_periods, post_periods, window_periods, complete, pre_from, post_from
		FROM diversion WHERE measure_id = 'CHN-MOFCOM-2024-46' AND freq = 'M' AND hs_code = '811292'
		AND side = 'reported_exports'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var third string
		var a, b, ch, tt sql.NullFloat64
		var both, complete bool
		var rank, np, nq, nw sql.NullInt64
		var preFrom, postFrom time.Time
		if err := rows.Scan(&third, &a, &b, &ch, &tt, &both, &rank, &np, &nq, &nw, &complete, &preFrom, &postFrom); err != nil {
			t.Fatal(err)
		}
		seen++
		if !thirds[third] {
			t.Errorf("third country %s is not in the file's window", third)
		}
		if !near(nf(a), pre[third]) || !near(nf(b), post[third]) || !near(nf(ch), post[third]-pre[third]) {
			t.Errorf("%s: pre %v post %v change %v, want %v %v %v", third, nf(a), nf(b), nf(ch), pre[third], post[third], post[third]-pre[third])
		}
		if tt.Valid || both || rank.Valid {
			t.Errorf("%s: second leg %v, both_rose %v, rank %v without data on it", third, tt, both, rank)
		}
		if np.Int64 != 1 || nq.Int64 != 1 || nw.Int64 != 1 || complete {
			t.Errorf("%s: %d pre and %d post months reported in windows of %d, complete %v; want 1, 1, 1 and false",
				third, np.Int64, nq.Int64, nw.Int64, complete)
		}
		if preFrom.Format(time.DateOnly) != "2024-11-01" || postFrom.Format(time.DateOnly) != "2024-12-01" {
			t.Errorf("%s: windows from %s and %s, want 2024-11-01 and 2024-12-01", third, preFrom.Format(time.DateOnly), postFrom.Format(time.DateOnly))
		}
	}
	if seen != len(thirds) {
		t.Errorf("%d third countries, want %d", seen, len(thirds))
	}

	// diversion_replacements on the same windows: the importers whose
	// purchases from China fell from November to December 2024 (not every
	// importer against twelve months), incomplete and unranked. For the
	// licensing of 1 August 2023 both windows are whole (2022-08 ... 2023-07
	// against 2023-08 ... 2024-07), so its comparisons are complete; China's
	// is the only exporter in the file, so no supplier rose.
	for _, c := range []struct {
		measure, preFrom, postFrom, postTo string
		n                                  int
		complete                           bool
	}{
		{"CHN-MOFCOM-2024-46", "2024-11-01", "2024-12-01", "2025-01-01", 1, false},
		{"CHN-MOFCOM-2023-23", "2022-08-01", "2023-08-01", "2024-08-01", 12, true},
	} {
		pre, post := monthSums(c.preFrom, c.postFrom), monthSums(c.postFrom, c.postTo)
		var want []string
		for p, v := range pre {
			if v > post[p] {
				want = append(want, fmt.Sprintf("%s %s %s %d %d %d %v NULL NULL", p, fmt6(v), fmt6(v-post[p]), c.n, c.n, c.n, c.complete))
			}
		}
		sort.Strings(want)
		if len(want) == 0 {
			t.Fatalf("%s: no importer's purchases fell in the file", c.measure)
		}
		checkLines(t, db, `SELECT importer_iso3, pre_from_imposing_usd, fall_from_imposing_usd, window_periods, pre_periods,
			post_periods, complete, supplier_iso3, rank FROM diversion_replacements
			WHERE measure_id = '`+c.measure+`' AND freq = 'M' AND hs_code = '811292' AND side = 'reported_exports'
			ORDER BY importer_iso3`, want)
	}

	// The file gives no World total: every row says so, and claims no coverage.
	checkLines(t, db, `SELECT coverage_basis, count(coverage_ratio) FROM event_windows
		WHERE source = 'sheet' AND value_usd IS NOT NULL GROUP BY ALL`, []string{"partner_sum 0"})
}

// comtradeRecord is one record of a Comtrade v1 get response.
type comtradeRecord struct {
	freq, period      string
	reporter, partner int
	flow, cmd         string
	value, kg         float64
}

// writeComtradeResponse writes records as a v1 `get` response body.
func writeComtradeResponse(t *testing.T, path string, recs []comtradeRecord) {
	t.Helper()
	var data []map[string]any
	for _, r := range recs {
		year, _ := strconv.Atoi(r.period[:4])
		month := 52
		if len(r.period) == 6 {
			month, _ = strconv.Atoi(r.period[4:])
		}
		refID := r.period + "01"
		if len(r.period) == 4 {
			refID = r.period + "0101"
		}
		id, _ := strconv.Atoi(refID)
		data = append(data, map[string]any{
			"typeCode": "C", "freqCode": r.freq, "refPeriodId": id, "refYear": year, "refMonth": month,
			"period": r.period, "reporterCode": r.reporter, "reporterISO": nil, "reporterDesc": nil,
			"flowCode": r.flow, "flowDesc": nil, "partnerCode": r.partner, "partnerISO": nil, "partnerDesc": nil,
			"partner2Code": 0, "partner2ISO": nil, "partner2Desc": nil, "classificationCode": "H6",
			"classificationSearchCode": "HS", "isOriginalClassification": true, "cmdCode": r.cmd, "cmdDesc": nil,
			"aggrLevel": 6, "isLeaf": true, "customsCode": "C00", "customsDesc": nil, "mosCode": "0", "motCode": 0,
			"motDesc": nil, "qtyUnitCode": 8, "qtyUnitAbbr": "kg", "qty": r.kg, "isQtyEstimated": false,
			"altQtyUnitCode": 8, "altQtyUnitAbbr": "kg", "altQty": r.kg, "isAltQtyEstimated": false,
			"netWgt": r.kg, "isNetWgtEstimated": false, "grossWgt": nil, "isGrossWgtEstimated": false,
			"cifvalue": nil, "fobvalue": nil, "primaryValue": r.value, "legacyEstimationFlag": 0,
			"isReported": true, "isAggregate": false,
		})
	}
	b, err := json.MarshalIndent(map[string]any{"elapsedTime": "0.41 secs", "count": len(data), "data": data, "error": ""}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// M49 codes as Comtrade uses them.
const (
	cCHN = 156
	cUSA = 842
	cVNM = 704
	cKOR = 410
	cDEU = 276
	cJPN = 392
)

// diversionRecords: monthly 811292 around the US ban (in force 2024-12-03),
// June 2024 and May 2025: with the data from June 2024 to May 2025, the
// windows are 2024-06 ... 2024-11 and 2024-12 ... 2025-05, one month
// reported in each, both sides of the mirror.
//
// Exporters' reports: CHN -> VNM 100 -> 400 (+300), CHN -> KOR 50 -> 250
// (+200), CHN -> DEU 200 -> 100 (-100), CHN -> USA 500 -> nothing (0);
// VNM -> USA 10 -> 210 (+200), KOR -> USA 30 -> 80 (+50), DEU -> USA
// 100 -> 300 (+200). Both rose: VNM (smaller rise 200, rank 1) and KOR
// (50, rank 2); DEU's first leg fell.
//
// Importers' reports: VNM from CHN 110 -> 390, KOR from CHN 55 -> 240;
// USA from CHN 520 -> nothing, from VNM 12 -> 220, KOR 31 -> 85, DEU
// 105 -> 310, JPN 40 -> 60 (JPN reports nothing, so its first leg is
// unknown). Both rose: VNM (min(280, 208) = 208, rank 1), KOR (min(185,
// 54) = 54, rank 2). USA's imports from CHN fell by 520; in its place it
// bought more from DEU (+205), VNM (+208), KOR (+54), JPN (+20).
func diversionRecords() []comtradeRecord {
	var out []comtradeRecord
	add := func(rep, par int, flow string, pre, post float64) {
		if pre >= 0 {
			out = append(out, comtradeRecord{"M", "202406", rep, par, flow, "811292", pre, pre / 100})
		}
		if post >= 0 {
			out = append(out, comtradeRecord{"M", "202505", rep, par, flow, "811292", post, post / 100})
		}
	}
	add(cCHN, cVNM, "X", 100, 400)
	add(cCHN, cKOR, "X", 50, 250)
	add(cCHN, cDEU, "X", 200, 100)
	add(cCHN, cUSA, "X", 500, -1)
	add(cVNM, cUSA, "X", 10, 210)
	add(cKOR, cUSA, "X", 30, 80)
	add(cDEU, cUSA, "X", 100, 300)
	add(cVNM, cCHN, "M", 110, 390)
	add(cKOR, cCHN, "M", 55, 240)
	add(cUSA, cCHN, "M", 520, -1)
	add(cUSA, cVNM, "M", 12, 220)
	add(cUSA, cKOR, "M", 31, 85)
	add(cUSA, cDEU, "M", 105, 310)
	add(cUSA, cJPN, "M", 40, 60)
	return out
}

// checkLines compares q's rows, floats to 6 decimals, with want.
func checkLines(t *testing.T, db *sql.DB, q string, want []string) {
	t.Helper()
	etltest.CheckLines(t, db, q, 6, want)
}

func TestDiversionOnComtradeMonthly(t *testing.T) {
	dir := t.TempDir()
	resp := filepath.Join(dir, "comtrade_v1_get_M_811292.json")
	writeComtradeResponse(t, resp, diversionRecords())
	wh := filepath.Join(dir, "wh")
	mustCLI(t, "--warehouse", wh, "load", "--source", "comtrade-json", "--no-export", resp)
	db := queryDB(t, wh)
	// Both windows span the 6 months the data allow, with one reported in
	// each, fewer than the 12 post months a complete comparison needs: none
	// is ranked.
	checkLines(t, db, `SELECT 'diversion', window_periods, pre_periods, post_periods, complete, count(*), count(rank)
		FROM diversion WHERE measure_id = 'CHN-MOFCOM-2024-46' AND hs_code = '811292' AND pre_periods > 0 GROUP BY ALL
		UNION ALL
		SELECT 'replacements', window_periods, pre_periods, post_periods, complete, count(*), count(rank)
		FROM diversion_replacements WHERE measure_id = 'CHN-MOFCOM-2024-46' AND hs_code = '811292' GROUP BY ALL
		ORDER BY 1`, []string{"diversion 6 1 1 false 5 0", "replacements 6 1 1 false 8 0"})
	db.Close()
	// With one post month enough, they are ranked.
	if out := mustCLI(t, "--warehouse", wh, "marts", "--set", "diversion_min_post_months=1"); !strings.Contains(out, "rebuilt the marts that rest on the settings") {
		t.Errorf("marts --set: %q", out)
	}
	db = queryDB(t, wh)
	const div = `SELECT third_iso3, pre_to_third_usd, post_to_third_usd, pre_third_to_target_usd,
		post_third_to_target_usd, both_rose, rank FROM diversion
		WHERE measure_id = 'CHN-MOFCOM-2024-46' AND hs_code = '811292' AND side = '%s' ORDER BY rank NULLS LAST, third_iso3`
	checkLines(t, db, fmt.Sprintf(div, "reported_exports"), []string{
		"VNM 100 400 10 210 true 1",
		"KOR 50 250 30 80 true 2",
		"DEU 200 100 100 300 false NULL",
	})
	checkLines(t, db, fmt.Sprintf(div, "partner_imports"), []string{
		"VNM 110 390 12 220 true 1",
		"KOR 55 240 31 85 true 2",
		"DEU NULL NULL 105 310 false NULL",
		"JPN NULL NULL 40 60 false NULL",
	})
	// The group of the measure's gallium and germanium codes is 811292 here.
	checkLines(t, db, `SELECT count(*) FROM diversion WHERE measure_id = 'CHN-MOFCOM-2024-46' AND hs_code IS NULL
		AND commodity = 'gallium_germanium' AND both_rose`, []string{"4"})
	checkLines(t, db, `SELECT side, importer_iso3, fall_from_imposing_usd, supplier_iso3, rise_usd, rank
		FROM diversion_replacements WHERE measure_id = 'CHN-MOFCOM-2024-46' AND hs_code = '811292'
		ORDER BY side, importer_iso3, rank`, []string{
		"partner_imports USA 520 VNM 208 1",
		"partner_imports USA 520 DEU 205 2",
		"partner_imports USA 520 KOR 54 3",
		"partner_imports USA 520 JPN 20 4",
		"reported_exports DEU 100 NULL NULL NULL",
		"reported_exports USA 500 DEU 200 1",
		"reported_exports USA 500 VNM 200 2",
		"reported_exports USA 500 KOR 50 3",
	})
	// Event window of the ban on China's exports to the US: t = -6 is
	// June 2024 (500), t = +5 May 2025, when China reported exports but
	// none to the US (0); the baseline is the one reported month.
	checkLines(t, db, `SELECT t, value_usd, value_index, target_share FROM event_windows
		WHERE measure_id = 'CHN-MOFCOM-2024-46' AND event = 'effective' AND hs_code = '811292'
		AND side = 'reported_exports' AND destination = 'target' AND value_usd IS NOT NULL ORDER BY t`,
		[]string{"-6 500 100 0.588235", "5 0 0 0"})
	// The importers' side: the US reports 520 from China, the world (all
	// reporting importers) 520 + 110 + 55.
	checkLines(t, db, `SELECT t, destination, value_usd, target_share FROM event_windows
		WHERE measure_id = 'CHN-MOFCOM-2024-46' AND event = 'effective' AND hs_code = '811292'
		AND side = 'partner_imports' AND value_usd IS NOT NULL ORDER BY t, destination`,
		[]string{"-6 others 165 0.759124", "-6 target 520 0.759124", "-6 world 685 0.759124",
			"5 others 630 0", "5 target 0 0", "5 world 630 0"})
}

// annualRecords: China's reported annual exports of 811292, 2021-2026,
// to the US, Viet Nam and Other Asia, nes (an area), beside its World
// total, which the partners pulled cover only in part.
func annualRecords() []comtradeRecord {
	var out []comtradeRecord
	for i, y := range []string{"2021", "2022", "2023", "2024", "2025", "2026"} {
		for _, p := range []struct {
			partner int
			v       []float64
		}{
			{cUSA, []float64{100, 110, 120, 90, 40, 30}},
			{cVNM, []float64{50, 60, 70, 80, 200, 210}},
			{490, []float64{5, 5, 5, 5, 5, 5}},
			{0, []float64{1000, 1000, 1000, 1000, 1000, 1000}},
		} {
			out = append(out, comtradeRecord{"A", y, cCHN, p.partner, "X", "811292", p.v[i], p.v[i] / 100})
		}
	}
	return out
}

// TestAnnualWindowsShareTZero: both policy marts put t = 0 in the first
// year a measure is in force for at least half of: 2025 for the US ban of
// 3 December 2024, 2024 for the licensing of 1 August 2023. event_windows'
// t = 0 and diversion's post window start there; the pre window is the
// year before.
func TestAnnualWindowsShareTZero(t *testing.T) {
	dir := t.TempDir()
	resp := filepath.Join(dir, "comtrade_v1_get_A_811292.json")
	writeComtradeResponse(t, resp, annualRecords())
	wh := filepath.Join(dir, "wh")
	mustCLI(t, "--warehouse", wh, "load", "--source", "comtrade-json", "--no-export", resp)
	db := queryDB(t, wh)
	checkLines(t, db, `SELECT measure_id, period, year FROM event_windows
		WHERE freq = 'A' AND event = 'effective' AND t = 0 AND hs_code = '811292' AND destination = 'world'
		AND measure_id IN ('CHN-MOFCOM-2023-23', 'CHN-MOFCOM-2024-46') ORDER BY measure_id`,
		[]string{"CHN-MOFCOM-2023-23 2024-01-01 2024", "CHN-MOFCOM-2024-46 2025-01-01 2025"})
	// The same year in diversion: pre 2024 (VNM 80, US 90), post 2025.
	checkLines(t, db, `SELECT d.pre_from, d.post_from, d.third_iso3, d.pre_to_third_usd, d.post_to_third_usd, e.period
		FROM diversion d JOIN event_windows e ON e.measure_id = d.measure_id AND e.freq = d.freq AND e.t = 0
		    AND e.event = 'effective' AND e.hs_code = d.hs_code AND e.side = d.side AND e.destination = 'world'
		WHERE d.measure_id = 'CHN-MOFCOM-2024-46' AND d.freq = 'A' AND d.hs_code = '811292' AND d.third_iso3 = 'VNM'`,
		[]string{"2024-01-01 2025-01-01 VNM 80 200 2025-01-01"})
	// Importers whose purchases fell: for the licensing, 2023 against 2024
	// (the US, 120 -> 90); for the ban, 2024 against 2025 (the US, 90 -> 40).
	checkLines(t, db, `SELECT measure_id, importer_iso3, pre_from_imposing_usd, post_from_imposing_usd, window_periods, complete
		FROM diversion_replacements WHERE freq = 'A' AND hs_code = '811292'
		AND measure_id IN ('CHN-MOFCOM-2023-23', 'CHN-MOFCOM-2024-46') ORDER BY measure_id, importer_iso3`,
		[]string{"CHN-MOFCOM-2023-23 USA 120 90 1 true", "CHN-MOFCOM-2024-46 USA 90 40 1 true"})
	db.Close()

	// Four-year windows, cut to one length by the data (2021 ... 2026): for
	// the licensing 2021-2023 against 2024-2026 (3 years, where the data
	// begin), for the ban 2023-2024 against 2025-2026 (2, where they end).
	mustCLI(t, "--warehouse", wh, "marts", "--set", "diversion_years=4")
	db = queryDB(t, wh)
	checkLines(t, db, `SELECT measure_id, importer_iso3, pre_from_imposing_usd, post_from_imposing_usd, window_periods, pre_periods, post_periods
		FROM diversion_replacements WHERE freq = 'A' AND hs_code = '811292'
		AND measure_id IN ('CHN-MOFCOM-2023-23', 'CHN-MOFCOM-2024-46') ORDER BY measure_id, importer_iso3`,
		[]string{"CHN-MOFCOM-2023-23 USA 330 160 3 3 3", "CHN-MOFCOM-2024-46 USA 210 70 2 2 2"})
}

// TestEventWindowsCoverage: beside a reported World total, each row says
// how much of it the destinations' detail covers (countries only, as in
// import_shares), so an "others" of a few partners pulled is not read as
// the rest of the world.
func TestEventWindowsCoverage(t *testing.T) {
	dir := t.TempDir()
	resp := filepath.Join(dir, "comtrade_v1_get_A_811292.json")
	writeComtradeResponse(t, resp, annualRecords())
	wh := filepath.Join(dir, "wh")
	mustCLI(t, "--warehouse", wh, "load", "--source", "comtrade-json", "--no-export", resp)
	db := queryDB(t, wh)
	// 2025: the US 40, Viet Nam 200 and the area 5 of a World total of 1000.
	checkLines(t, db, `SELECT destination, value_usd, coverage_ratio, coverage_basis FROM event_windows
		WHERE measure_id = 'CHN-MOFCOM-2024-46' AND event = 'effective' AND freq = 'A' AND hs_code = '811292'
		AND side = 'reported_exports' AND t = 0 ORDER BY destination`,
		[]string{"others 205 0.24 world_total", "target 40 0.24 world_total", "world 1000 0.24 world_total"})
	checkLines(t, db, `SELECT count(*) FROM event_windows
		WHERE side = 'reported_exports' AND value_usd IS NOT NULL AND coverage_basis IS DISTINCT FROM 'world_total'`, []string{"0"})
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

// worldRanking ranks the countries of a real MCS world table by the
// production of the table's latest year (the stage the table gives: each
// table has one production Type per country row), as USGS lists them.
func worldRanking(t *testing.T, path string) (int, map[string]int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col, year := -1, 0
	for i, h := range recs[0] {
		if strings.HasPrefix(h, "Prod_") {
			y, err := strconv.Atoi(h[len(h)-4:])
			if err == nil && y > year {
				col, year = i, y
			}
		}
	}
	type pv struct {
		iso string
		v   float64
	}
	var ps []pv
	for _, r := range recs[1:] {
		if len(r) <= col || r[1] == "" {
			continue
		}
		c, ok := etl.CountryByName(r[1])
		if !ok || c.IsArea {
			continue // "Other countries", "World total"
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(r[col], ",", ""), 64)
		if err != nil || v <= 0 {
			continue
		}
		ps = append(ps, pv{c.ISO3, v})
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].v > ps[b].v })
	out := map[string]int{}
	for i, p := range ps {
		r := i + 1
		if i > 0 && ps[i-1].v == p.v {
			r = out[ps[i-1].iso] // ties share a rank
		}
		out[p.iso] = r
	}
	return year, out
}

// TestSupplierAlternatives loads two BACI years, a user's measure file and
// the real MCS 2024 world tables, and checks shares, world exports, unit
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
	wh := filepath.Join(dir, "wh")
	mustCLI(t, "--warehouse", wh, "load", "--source", "measures", "--no-export", measuresFile)
	mustCLI(t, "--warehouse", wh, "load", "--source", "usgs-mcs", "--no-export",
		filepath.Join(world, "mcs2024-antim_world.csv"), filepath.Join(world, "mcs2024-tungs_world.csv"),
		filepath.Join(world, "mcs2024-graph_world.csv"), filepath.Join(world, "mcs2024-raree_world.csv"),
		filepath.Join(world, "mcs2024-galli_world.csv"), filepath.Join(world, "mcs2024-germa_world.csv"))
	mustCLI(t, "--warehouse", wh, "load", "--source", "baci", "--no-export", f2020, f2023)
	db := queryDB(t, wh)

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
			year, want := worldRanking(t, filepath.Join(world, c.file))
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

// TestMeasuresLoadOverrideAndHistory: the default measures are there from
// the start; a user's file overrides one and adds one, by load and by a
// job; loading it again changes nothing; the default does not come back on
// the next open; a bad file writes nothing and names line and column.
func TestMeasuresLoadOverrideAndHistory(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "wh")
	mustCLI(t, "--warehouse", wh, "marts")
	file := filepath.Join(dir, "our_measures.csv")
	if err := os.WriteFile(file, []byte(`measure_id,imposing_iso3,target_iso3,measure_type,commodity,title,effective_date,hs_codes,citation
CHN-MOFCOM-2023-23,CHN,,licensing,gallium_germanium,Gallium and germanium licensing (our reading),2023-08-01,811292;811299,our analyst's note
IDN-NICKEL-2020,IDN,,ban,,Nickel ore export ban,2020-01-01,260400,Regulation of the Minister of Energy and Mineral Resources No. 11 of 2019
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, "--warehouse", wh, "load", "--source", "measures", "--no-export", file)
	if !strings.Contains(out, "2 rows in, 2 loaded (1 revised), 0 unchanged, 0 rejected") {
		t.Errorf("first load: %s", out)
	}
	out = mustCLI(t, "--warehouse", wh, "load", "--source", "measures", "--no-export", file)
	if !strings.Contains(out, "2 rows in, 0 loaded (0 revised), 2 unchanged") {
		t.Errorf("second load: %s", out)
	}
	// A job loads the same file: nothing new. Its open refreshed the
	// defaults, and the override stands.
	cfg := writeConfig(t, dir, `jobs:
  - name: our-measures
    source: measures
    schedule: "0 2 * * *"
    config: { paths: ["`+file+`"] }
`)
	mustCLI(t, "--warehouse", wh, "validate", cfg)
	mustCLI(t, "--warehouse", wh, "run", "--config", cfg)
	db := queryDB(t, wh)
	checkLines(t, db, `SELECT measure_id, origin = '`+file+`', title FROM trade_measures
		WHERE measure_id IN ('CHN-MOFCOM-2023-23', 'IDN-NICKEL-2020') ORDER BY 1`, []string{
		"CHN-MOFCOM-2023-23 true Gallium and germanium licensing (our reading)",
		"IDN-NICKEL-2020 true Nickel ore export ban",
	})
	checkLines(t, db, `SELECT origin, valid_to IS NULL FROM trade_measures_history WHERE measure_id = 'CHN-MOFCOM-2023-23'
		ORDER BY valid_from`, []string{"default false", fmt.Sprintf("%s true", file)})
	checkLines(t, db, `SELECT string_agg(hs_code, ',' ORDER BY hs_code) FROM trade_measure_codes WHERE measure_id = 'CHN-MOFCOM-2023-23'`,
		[]string{"811292,811299"})
	checkLines(t, db, `SELECT count(*) FROM trade_measures`, []string{"21"})
	db.Close()

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("measures:\n  - measure_id: B-1\n    imposing_iso3: CHN\n    measure_type: embargo\n"+
		"    title: t\n    effective_date: 2024-01-01\n    hs_codes: [811292]\n    citation: c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, "--warehouse", wh, "load", "--source", "measures", "--no-export", bad)
	if code != 1 || !strings.Contains(errs, bad+`:4:19: measure_type: must be one of`) {
		t.Errorf("bad file: exit %d\n%s", code, errs)
	}
	db = queryDB(t, wh)
	checkLines(t, db, `SELECT count(*) FROM trade_measures_history`, []string{"22"})
}
