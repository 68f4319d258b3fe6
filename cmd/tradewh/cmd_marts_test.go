package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/output/warehouse"
)

// TestMartsSetThresholds loads the real US gallium records without marts,
// finds the mart tables there and empty, then lowers min_coverage below
// China's 7-19 % of the World total: the rebuild that --set starts flags
// every year full, and the HHI is then China's share squared.
func TestMartsSetThresholds(t *testing.T) {
	data := etltest.SharedData(t)
	csvPath := filepath.Join(data, "comtrade", "comtrade_gallium_usa_chn_2020_2024.csv")
	want := etltest.RawUSGalliumShares(t, csvPath)
	wh := t.TempDir()
	mustCLI(t, "--warehouse", wh, "load", "--source", "comtrade-csv", "--no-marts", "--no-export", csvPath)
	db := queryDB(t, wh)
	if n := count(t, db, `SELECT count(*) FROM import_shares`); n != 0 {
		t.Errorf("import_shares holds %d rows before any rebuild", n)
	}
	db.Close()

	mustCLI(t, "--warehouse", wh, "marts")
	db = queryDB(t, wh)
	if n := count(t, db, `SELECT count(*) FROM dependency_trends WHERE reporter_iso3 = 'USA' AND coverage_flag = 'partial' AND hhi IS NULL`); n != 10 {
		t.Errorf("%d partial US rows without HHI, want 10 (5 years, code and group)", n)
	}
	db.Close()

	out := mustCLI(t, "--warehouse", wh, "marts", "--set", "min_coverage=0.05")
	if !strings.Contains(out, "set min_coverage=0.05") {
		t.Errorf("output %q does not confirm the setting", out)
	}
	db = queryDB(t, wh)
	rows, err := db.Query(`SELECT year, coverage_flag, hhi FROM dependency_trends
		WHERE reporter_iso3 = 'USA' AND hs_code = '811292' AND freq = 'A' ORDER BY year`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var y int
		var flag string
		var hhi float64
		if err := rows.Scan(&y, &flag, &hhi); err != nil {
			t.Fatal(err)
		}
		n++
		if w := math.Pow(want[y]*100, 2); flag != "full" || math.Abs(hhi-w) > 1e-6 {
			t.Errorf("%d: %s, HHI %v; want full and %v", y, flag, hhi, w)
		}
	}
	rows.Close()
	if n != 5 {
		t.Errorf("%d years, want 5", n)
	}
	db.Close()

	for _, bad := range []struct{ set, msg string }{
		{"min_coverage=2", "want a number from 0 to 1"},
		{"min_coverage=80%", "want a number from 0 to 1"},
		{"bogus=1", `"bogus" is unknown`},
		{"hhi_moderately_concentrated=5000", "is above hhi_highly_concentrated"},
	} {
		code, _, errs := cli(t, "--warehouse", wh, "marts", "--set", bad.set)
		if code != 2 || !strings.Contains(errs, bad.msg) {
			t.Errorf("marts --set %s: exit %d, %q; want exit 2 and %q", bad.set, code, errs, bad.msg)
		}
	}
	db = queryDB(t, wh)
	if n := count(t, db, `SELECT count(*) FROM settings WHERE (name, value) IN
		(('min_coverage', '0.05'), ('hhi_moderately_concentrated', '1000'))`); n != 2 {
		t.Errorf("a refused setting changed the settings table")
	}
}

// TestMartsSettingsListed: marts --help and the README's table list every
// mart setting with its default, and --set takes each as the README shows.
func TestMartsSettingsListed(t *testing.T) {
	help := mustCLI(t, "marts", "--help")
	readme, err := os.ReadFile(etltest.RepoFile(t, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range warehouse.MartSettings {
		if want := s.Name + " (default " + s.Default + ";"; !strings.Contains(help, want) {
			t.Errorf("marts --help lacks %q", want)
		}
		if want := "| `" + s.Name + "` | " + s.Default + " |"; !strings.Contains(string(readme), want) {
			t.Errorf("README's table of mart settings lacks %q", want)
		}
	}
	// The README's example, on a warehouse with no period pending.
	wh := t.TempDir()
	mustCLI(t, "--warehouse", wh, "marts", "--all")
	out := mustCLI(t, "--warehouse", wh, "marts", "--set", "event_baseline_months=6")
	if !strings.Contains(out, "set event_baseline_months=6") || !strings.Contains(out, "rebuilt the marts that rest on the settings") {
		t.Errorf("marts --set event_baseline_months=6: %q", out)
	}
	db := queryDB(t, wh)
	defer db.Close()
	if n := count(t, db, `SELECT count(*) FROM settings WHERE name = 'event_baseline_months' AND value = '6'`); n != 1 {
		t.Error("event_baseline_months is not 6")
	}
	if n := count(t, db, `SELECT count(*) FROM measure_marts_state WHERE settings LIKE '%event_baseline_months=6%'`); n != 1 {
		t.Error("event_windows and diversion were not rebuilt with the new setting")
	}
}
