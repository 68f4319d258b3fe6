package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/runner"
)

// cli runs the CLI in-process and returns exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, args...)
	if code != 0 {
		t.Fatalf("tradewh %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// queryDB opens the warehouse file directly, read-only.
func queryDB(t *testing.T, wh string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(wh, "warehouse.duckdb")+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestEveryMCS2024SalientCSVLoads(t *testing.T) {
	data := etltest.SharedData(t)
	files, err := filepath.Glob(filepath.Join(data, "usgs", "mcs2024", "salient", "*.csv"))
	if err != nil || len(files) != 85 {
		t.Fatalf("want the 85 MCS 2024 salient CSVs, got %d (%v)", len(files), err)
	}
	wh := t.TempDir()
	out := mustCLI(t, append([]string{"--warehouse", wh, "load", "--source", "usgs-mcs"}, files...)...)
	if !strings.Contains(out, "rows in") {
		t.Fatalf("no summary in %q", out)
	}
	db := queryDB(t, wh)
	for _, f := range files {
		n := count(t, db, "SELECT count(*) FROM mineral_statistics WHERE source_ref = ?", f)
		r := count(t, db, "SELECT count(*) FROM rejected_rows WHERE source_ref = ?", f)
		if n+r == 0 {
			t.Errorf("%s: nothing loaded or rejected", filepath.Base(f))
		}
	}
	// Counts reconcile in etl_runs.
	var in, loaded, unchanged, rejected int64
	if err := db.QueryRow(`SELECT rows_in, rows_loaded, rows_unchanged, rows_rejected FROM etl_runs WHERE status = 'ok'`).
		Scan(&in, &loaded, &unchanged, &rejected); err != nil {
		t.Fatal(err)
	}
	if in != loaded+unchanged+rejected || loaded == 0 {
		t.Errorf("counts do not reconcile: in %d loaded %d unchanged %d rejected %d", in, loaded, unchanged, rejected)
	}
	if got := count(t, db, "SELECT count(*) FROM rejected_rows"); got != rejected {
		t.Errorf("rejected_rows has %d rows, run says %d", got, rejected)
	}
	// Rare earths 2021: '>95' is 95 with qualifier '>'.
	var v float64
	var q string
	if err := db.QueryRow(`SELECT value, qualifier FROM mineral_statistics WHERE commodity = 'rare_earths'
		AND year = 2021 AND measure = 'net_import_reliance' AND product = 'compounds-metals'`).Scan(&v, &q); err != nil {
		t.Fatal(err)
	}
	if v != 95 || q != ">" {
		t.Errorf("rare earths NIR 2021 = %v %q, want 95 '>'", v, q)
	}
}

func TestComtradeGalliumShareMatchesRawRows(t *testing.T) {
	data := etltest.SharedData(t)
	csvPath := filepath.Join(data, "comtrade", "comtrade_gallium_usa_chn_2020_2024.csv")
	want := etltest.RawUSGalliumShares(t, csvPath)
	if len(want) != 5 {
		t.Fatalf("want 5 years of US imports in the raw file, got %v", want)
	}
	wh := t.TempDir()
	mustCLI(t, "--warehouse", wh, "load", "--source", "comtrade-csv", csvPath)
	db := queryDB(t, wh)
	rows, err := db.Query(`SELECT year, share, total_basis FROM import_shares
		WHERE reporter_iso3 = 'USA' AND partner_iso3 = 'CHN' AND hs_code = '811292' AND freq = 'A'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int]float64{}
	for rows.Next() {
		var y int
		var share float64
		var basis string
		if err := rows.Scan(&y, &share, &basis); err != nil {
			t.Fatal(err)
		}
		if basis != "reported_world" {
			t.Errorf("%d: denominator %s, want the reported World total", y, basis)
		}
		got[y] = share
	}
	for y, w := range want {
		if g, ok := got[y]; !ok || math.Abs(g-w) > 1e-12 {
			t.Errorf("%d: China's share of US 811292 imports = %v, want %v from the raw rows", y, got[y], w)
		}
	}
	// The group row of gallium_germanium holds the same share: 811292 is the
	// only code of the group in the file.
	if n := count(t, db, `SELECT count(*) FROM import_shares WHERE hs_code IS NULL AND commodity = 'gallium_germanium'
		AND reporter_iso3 = 'USA' AND partner_iso3 = 'CHN'`); n != 5 {
		t.Errorf("%d group rows, want 5", n)
	}
}

func TestLoadingTwiceChangesNothing(t *testing.T) {
	data := etltest.SharedData(t)
	csvPath := filepath.Join(data, "comtrade", "comtrade_gallium_usa_chn_2020_2024.csv")
	salient := filepath.Join(data, "usgs", "mcs2024", "salient", "mcs2024-raree_salient.csv")
	wh := t.TempDir()
	snapshot := func() string {
		db, err := sql.Open("duckdb", filepath.Join(wh, "warehouse.duckdb")+"?access_mode=READ_ONLY")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var b strings.Builder
		for _, q := range []string{
			"SELECT count(*), sum(value_usd), max(valid_from) FROM trade_flows_history",
			"SELECT count(*), sum(value), max(valid_from) FROM mineral_statistics_history",
			"SELECT count(*), round(sum(share), 9), 0 FROM import_shares",
			"SELECT count(*), round(sum(hhi), 6), 0 FROM dependency_trends",
			"SELECT count(*), 0, 0 FROM rejected_rows",
		} {
			var a, c, d any
			if err := db.QueryRow(q).Scan(&a, &c, &d); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			fmt.Fprintf(&b, "%s: %v %v %v\n", q, a, c, d)
		}
		return b.String()
	}
	mustCLI(t, "--warehouse", wh, "load", "--source", "comtrade-csv", csvPath)
	mustCLI(t, "--warehouse", wh, "load", "--source", "usgs-mcs", salient)
	first := snapshot()
	out1 := mustCLI(t, "--warehouse", wh, "load", "--source", "comtrade-csv", csvPath)
	out2 := mustCLI(t, "--warehouse", wh, "load", "--source", "usgs-mcs", salient)
	for _, out := range []string{out1, out2} {
		if !strings.Contains(out, " 0 loaded (0 revised)") {
			t.Errorf("second load reported changes: %s", out)
		}
	}
	if second := snapshot(); second != first {
		t.Errorf("loading twice changed the warehouse:\nbefore:\n%s\nafter:\n%s", first, second)
	}
}

// TestRevisedUSGSFigureKeepsHistory loads MCS 2024 rare earths, then a
// corrected file of the same edition and a later edition revising 2022:
// every version stays answerable as of when it was loaded.
func TestRevisedUSGSFigureKeepsHistory(t *testing.T) {
	data := etltest.SharedData(t)
	orig, err := os.ReadFile(filepath.Join(data, "usgs", "mcs2024", "salient", "mcs2024-raree_salient.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wh := filepath.Join(dir, "wh")
	// 2022 compound imports: 10700 t in MCS 2024.
	const row2022 = "MCS2024,Rare Earths,2022,42000,95,10700,"
	if !strings.Contains(string(orig), row2022) {
		t.Fatalf("the real file no longer holds %q", row2022)
	}
	corrected := strings.Replace(string(orig), row2022, "MCS2024,Rare Earths,2022,42000,95,10750,", 1)
	nextEdition := strings.ReplaceAll(strings.Replace(string(orig), row2022, "MCS2024,Rare Earths,2022,42000,95,11000,", 1), "MCS2024,", "MCS2025,")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := write("mcs2024-raree_salient.csv", string(orig))
	mustCLI(t, "--warehouse", wh, "load", "--no-export", "--source", "usgs-mcs", first)
	t1 := lastFinished(t, wh)
	// Same file name, corrected content: a revision of the same key.
	mustCLI(t, "--warehouse", wh, "load", "--no-export", "--source", "usgs-mcs", write("mcs2024-raree_salient.csv", corrected))
	t2 := lastFinished(t, wh)
	mustCLI(t, "--warehouse", wh, "load", "--no-export", "--source", "usgs-mcs", write("mcs2025-raree_salient.csv", nextEdition))

	db := queryDB(t, wh)
	const q = `SELECT value FROM %s WHERE commodity = 'rare_earths' AND year = 2022 AND measure = 'imports'
		AND product = 'compounds' AND edition = ?`
	value := func(from string, edition string, args ...any) float64 {
		t.Helper()
		var v float64
		if err := db.QueryRow(fmt.Sprintf(q, from), append(args, edition)...).Scan(&v); err != nil {
			t.Fatalf("%s %s: %v", from, edition, err)
		}
		return v
	}
	if v := value("mineral_statistics", "MCS2024"); v != 10750 {
		t.Errorf("current MCS2024 value %v, want the corrected 10750", v)
	}
	if v := value("mineral_statistics", "MCS2025"); v != 11000 {
		t.Errorf("current MCS2025 value %v, want 11000", v)
	}
	if v := value("mineral_statistics_as_of(?::TIMESTAMP)", "MCS2024", t1); v != 10700 {
		t.Errorf("MCS2024 as of the first load %v, want 10700", v)
	}
	if v := value("mineral_statistics_as_of(?::TIMESTAMP)", "MCS2024", t2); v != 10750 {
		t.Errorf("MCS2024 as of the second load %v, want 10750", v)
	}
	if n := count(t, db, `SELECT count(*) FROM mineral_statistics_as_of(?::TIMESTAMP) WHERE edition = 'MCS2025'`, t2); n != 0 {
		t.Errorf("MCS2025 visible before it was loaded: %d rows", n)
	}
	var latest string
	if err := db.QueryRow(`SELECT edition FROM mineral_statistics_latest WHERE commodity = 'rare_earths' AND year = 2022
		AND measure = 'imports' AND product = 'compounds'`).Scan(&latest); err != nil || latest != "MCS2025" {
		t.Errorf("latest edition %q (%v), want MCS2025", latest, err)
	}
	if n := count(t, db, `SELECT count(*) FROM mineral_statistics_history WHERE commodity = 'rare_earths' AND year = 2022
		AND measure = 'imports' AND product = 'compounds'`); n != 3 {
		t.Errorf("%d versions in history, want 3 (original, correction, next edition)", n)
	}
}

// lastFinished is when the latest run finished, as a timestamp literal.
func lastFinished(t *testing.T, wh string) string {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(wh, "warehouse.duckdb")+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ts string
	if err := db.QueryRow(`SELECT strftime(max(finished_at), '%Y-%m-%d %H:%M:%S.%f') FROM etl_runs`).Scan(&ts); err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestExitCodes(t *testing.T) {
	wh := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--help"}, 0, "Exit codes"},
		{[]string{"nosuchcommand"}, 2, "unknown command"},
		{[]string{"--warehouse", wh, "load", "x.csv"}, 2, "--source KIND is required"},
		{[]string{"--warehouse", wh, "load", "--source", "nosuch", "x.csv"}, 2, "--source must be one of"},
		{[]string{"--warehouse", wh, "query", "--format", "xml", "SELECT 1"}, 2, "--format"},
		{[]string{"--warehouse", wh, "query"}, 2, "accepts 1 arg"},
		{[]string{"--warehouse", wh, "--bogus"}, 2, "unknown flag"},
		{[]string{"--warehouse", filepath.Join(wh, "none"), "query", "SELECT 1"}, 1, "no warehouse"},
		{[]string{"--warehouse", wh, "load", "--source", "comtrade-csv", filepath.Join(wh, "missing.csv")}, 2, "missing.csv"},
		{[]string{"--warehouse", wh, "load", "--source", "baci", "--set", "hs_codes", "x.csv"}, 2, "want KEY=VALUE"},
		{[]string{"--warehouse", wh, "load", "--source", "baci", "--set", "paths=y.csv", "x.csv"}, 2, "the FILE arguments set it"},
		{[]string{"--warehouse", wh, "load", "--source", "baci", "--set", "hs_cods=*", "x.csv"}, 2, "hs_cods: unknown field"},
	} {
		code, out, errs := cli(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.msg) {
			t.Errorf("tradewh %s: exit %d, want %d with %q\n%s%s", strings.Join(tc.args, " "), code, tc.code, tc.msg, out, errs)
		}
	}
	// Usage mistakes are caught before the warehouse is opened: no failed run is recorded.
	if _, err := os.Stat(filepath.Join(wh, "warehouse.duckdb")); err == nil {
		t.Error("a usage mistake opened the warehouse (and recorded a failed run)")
	}
}

func TestLoadHelpListsKinds(t *testing.T) {
	_, out, _ := cli(t, "load", "--help")
	for _, k := range []string{"comtrade-csv", "comtrade-json", "usgs-mcs"} {
		if !strings.Contains(out, k) {
			t.Errorf("load --help does not list %s:\n%s", k, out)
		}
	}
}

// The shipped config for the real services validates against the real
// source kinds, and every job builds with its relative periods resolved.
func TestLiveConfigBuilds(t *testing.T) {
	data, err := jobs.Embedded("live")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jobs.Parse("live.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Jobs) < 4 {
		t.Fatalf("%d jobs", len(cfg.Jobs))
	}
	for _, j := range cfg.Jobs {
		spec := runner.JobSpec(j)
		spec.Config = etl.PeriodRange(spec.Config, etl.Cursor{}, j.RevisionWindow, time.Now())
		if _, _, err := etl.BuildSource(spec, etl.Runtime{RawDir: t.TempDir()}); err != nil {
			t.Errorf("job %s: %v", j.Name, err)
		}
	}
}

// --set passes a kind's settings as a job config would: BACI loads only
// the commodity groups' codes by default, every product with hs_codes=*.
func TestLoadSetsSourceSettings(t *testing.T) {
	file := etltest.RepoFile(t, "sources/baci/testdata/BACI_HS17_Y2022_V202401.csv")
	cases := []struct {
		set    []string
		loaded string
	}{
		{nil, "5 loaded"},
		{[]string{"--set", "hs_codes=*"}, "7 loaded"},
		{[]string{"--set", "hs_codes=2805, 8112"}, "3 loaded"},
		{[]string{"--set", `hs_codes=["2805"]`, "--set", "reporters=USA"}, "1 loaded"},
		// numbers and booleans are read as a job config reads them
		{[]string{"--set", "hs_codes=*", "--set", "batch_rows=2", "--set", "follow_links=false"}, "7 loaded"},
	}
	for _, tc := range cases {
		args := append([]string{"--warehouse", t.TempDir(), "load", "--no-export", "--source", "baci"}, tc.set...)
		out := mustCLI(t, append(args, file)...)
		if !strings.Contains(out, tc.loaded) {
			t.Errorf("load %s: %s, want %s", strings.Join(tc.set, " "), out, tc.loaded)
		}
	}
}

// load --no-marts leaves its periods pending: the marts stay as they were
// until tradewh marts (or any later load) rebuilds them.
func TestLoadNoMartsLeavesPeriodsPending(t *testing.T) {
	wh := t.TempDir()
	file := etltest.RepoFile(t, "sources/baci/testdata/BACI_HS17_Y2022_V202401.csv")
	mustCLI(t, "--warehouse", wh, "load", "--no-marts", "--no-export", "--source", "baci", file)
	db := queryDB(t, wh)
	// A fresh warehouse has its mart tables from the first migration, empty.
	if n := count(t, db, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'import_shares'"); n != 1 {
		t.Errorf("import_shares does not exist after a first load with --no-marts")
	}
	if n := count(t, db, "SELECT count(*) FROM import_shares"); n != 0 {
		t.Errorf("import_shares holds %d rows before any rebuild", n)
	}
	if n := count(t, db, "SELECT count(*) FROM mart_pending WHERE freq = 'A' AND period = DATE '2022-01-01'"); n != 1 {
		t.Errorf("2022 is not pending")
	}
	db.Close()
	if out := mustCLI(t, "--warehouse", wh, "marts"); !strings.Contains(out, "rebuilt the marts of 1 pending periods") {
		t.Errorf("marts: %s", out)
	}
	db = queryDB(t, wh)
	if n := count(t, db, "SELECT count(*) FROM import_shares WHERE year = 2022"); n == 0 {
		t.Error("no import_shares for 2022 after tradewh marts")
	}
	if n := count(t, db, "SELECT count(*) FROM mart_pending"); n != 0 {
		t.Errorf("%d periods still pending", n)
	}
	db.Close()
	if out := mustCLI(t, "--warehouse", wh, "marts"); !strings.Contains(out, "no periods wait") {
		t.Errorf("second marts: %s", out)
	}
}
