package sql_test

import (
	"context"
	gosql "database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/output/warehouse"
	"github.com/tradewh/tradewh/sources/comtrade"
	"github.com/tradewh/tradewh/sources/sheet"
)

// The marts of trade measures (event_windows, diversion,
// diversion_replacements) on files loaded as the commands load them: each
// job through the pipeline into a warehouse, the marts rebuilt by the load.

// newWarehouse opens a warehouse in a folder of its own, closed when the
// test ends.
func newWarehouse(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	wh, err := warehouse.Open(context.Background(), warehouse.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh
}

// runJob runs one job into wh and rebuilds the marts of what it loaded, as
// tradewh load and tradewh run do.
func runJob(t *testing.T, wh *warehouse.Warehouse, name, kind string, config map[string]any) etl.Result {
	t.Helper()
	p := &etl.Pipeline{Store: wh, Runtime: etl.Runtime{RawDir: filepath.Join(t.TempDir(), "raw"), Logger: slog.New(slog.DiscardHandler)}}
	res, err := p.Run(context.Background(), etl.JobSpec{Name: name, Kind: kind, Config: config})
	if err != nil {
		t.Fatalf("job %s: %v", name, err)
	}
	return res
}

// setMarts sets settings of the marts and rebuilds the marts that rest on
// them, as tradewh marts --set does.
func setMarts(t *testing.T, wh *warehouse.Warehouse, sets ...string) {
	t.Helper()
	ctx := context.Background()
	if err := wh.SetMartSettings(ctx, sets); err != nil {
		t.Fatal(err)
	}
	if err := wh.RebuildMarts(ctx, etl.LoadStats{}, false); err != nil {
		t.Fatal(err)
	}
}

// chinaMonthlySheet is the sheet job's config for China's monthly exports
// of 811292 by partner.
func chinaMonthlySheet(csvPath string) map[string]any {
	return map[string]any{
		"paths": []any{csvPath},
		"table": "trade_flows",
		"columns": map[string]any{"period": "period_dt", "partner_iso3": "partner_name", "hs_code": "hs6",
			"value_usd": "val", "net_weight_kg": "qty"},
		"constants": map[string]any{"freq": "M", "flow": "export", "reporter_iso3": "CHN"},
	}
}

func count(t *testing.T, db *gosql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// nf reads a nullable float as NaN for NULL.
func nf(v gosql.NullFloat64) float64 {
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
// against sums, means and ratios worked out here from the CSV rows (the
// impact command's printing of them is checked in cmd/tradewh).
func TestEventWindowsOnRealChinaMonthly(t *testing.T) {
	data := etltest.SharedData(t)
	csvPath := filepath.Join(data, "monthly", "china_exports_811292_by_partner_monthly.csv")
	rowsIn, unresolved := etltest.ReadMonthlyByPartner(t, csvPath)
	wh := newWarehouse(t)
	runJob(t, wh, "china-811292", sheet.Kind, chinaMonthlySheet(csvPath))
	db := wh.DB()
	if n := count(t, db, `SELECT count(*) FROM trade_flows WHERE source = 'sheet'`); n != int64(len(rowsIn)) {
		t.Fatalf("loaded %d rows, the CSV has %d with a known partner (%d unresolved)", n, len(rowsIn), unresolved)
	}

	type agg struct{ val, kg, weighed float64 }
	sum := func(month string, keep func(string) bool) (agg, bool) {
		var a agg
		seen := false
		for _, r := range rowsIn {
			if r.Month != month {
				continue
			}
			seen = true
			if !keep(r.Partner) {
				continue
			}
			a.val += r.Value
			if r.Kg > 0 {
				a.kg += r.Kg
				a.weighed += r.Value
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
				var v, kg, uv, vi, wi, vp, vtm1, ts gosql.NullFloat64
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

	// Diversion for the US ban compares like with like: the file ends in
	// December 2024, the month of the ban (t = 0), so the post window is
	// that one month and the pre window the one month before it, November
	// 2024; one post month of the 12 required leaves every comparison
	// incomplete and unranked. No third country's exports to the US are
	// loaded, so nothing can be said to have risen on both legs.
	last := ""
	for _, r := range rowsIn {
		last = max(last, r.Month)
	}
	if last != "2024-12-01" {
		t.Fatalf("the file ends in %s; this test expects December 2024", last)
	}
	monthSums := func(from, to string) map[string]float64 { // partner -> value over [from, to)
		out := map[string]float64{}
		for _, r := range rowsIn {
			if r.Month >= from && r.Month < to {
				out[r.Partner] += r.Value
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
		var a, b, ch, tt gosql.NullFloat64
		var both, complete bool
		var rank, np, nq, nw gosql.NullInt64
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
func checkLines(t *testing.T, db *gosql.DB, q string, want []string) {
	t.Helper()
	etltest.CheckLines(t, db, q, 6, want)
}

func TestDiversionOnComtradeMonthly(t *testing.T) {
	dir := t.TempDir()
	resp := filepath.Join(dir, "comtrade_v1_get_M_811292.json")
	writeComtradeResponse(t, resp, diversionRecords())
	wh := newWarehouse(t)
	runJob(t, wh, "load-comtrade-json", comtrade.KindJSON, map[string]any{"paths": []any{resp}})
	db := wh.DB()
	// Both windows span the 6 months the data allow, with one reported in
	// each, fewer than the 12 post months a complete comparison needs: none
	// is ranked.
	checkLines(t, db, `SELECT 'diversion', window_periods, pre_periods, post_periods, complete, count(*), count(rank)
		FROM diversion WHERE measure_id = 'CHN-MOFCOM-2024-46' AND hs_code = '811292' AND pre_periods > 0 GROUP BY ALL
		UNION ALL
		SELECT 'replacements', window_periods, pre_periods, post_periods, complete, count(*), count(rank)
		FROM diversion_replacements WHERE measure_id = 'CHN-MOFCOM-2024-46' AND hs_code = '811292' GROUP BY ALL
		ORDER BY 1`, []string{"diversion 6 1 1 false 5 0", "replacements 6 1 1 false 8 0"})
	// With one post month enough, they are ranked.
	setMarts(t, wh, "diversion_min_post_months=1")
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
	wh := newWarehouse(t)
	runJob(t, wh, "load-comtrade-json", comtrade.KindJSON, map[string]any{"paths": []any{resp}})
	db := wh.DB()
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

	// Four-year windows, cut to one length by the data (2021 ... 2026): for
	// the licensing 2021-2023 against 2024-2026 (3 years, where the data
	// begin), for the ban 2023-2024 against 2025-2026 (2, where they end).
	setMarts(t, wh, "diversion_years=4")
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
	wh := newWarehouse(t)
	runJob(t, wh, "load-comtrade-json", comtrade.KindJSON, map[string]any{"paths": []any{resp}})
	db := wh.DB()
	// 2025: the US 40, Viet Nam 200 and the area 5 of a World total of 1000.
	checkLines(t, db, `SELECT destination, value_usd, coverage_ratio, coverage_basis FROM event_windows
		WHERE measure_id = 'CHN-MOFCOM-2024-46' AND event = 'effective' AND freq = 'A' AND hs_code = '811292'
		AND side = 'reported_exports' AND t = 0 ORDER BY destination`,
		[]string{"others 205 0.24 world_total", "target 40 0.24 world_total", "world 1000 0.24 world_total"})
	checkLines(t, db, `SELECT count(*) FROM event_windows
		WHERE side = 'reported_exports' AND value_usd IS NOT NULL AND coverage_basis IS DISTINCT FROM 'world_total'`, []string{"0"})
}
