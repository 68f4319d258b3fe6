package usgsmcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// testdata/mcs2025-raree_*.csv are tables written for these tests in the
// USGS layout for a fictional later edition whose columns were renamed.
func TestFixtureMCS2025Salient(t *testing.T) {
	path := filepath.Join("testdata", "mcs2025-raree_salient.csv")
	rows, rej := run(t, "", path)
	if len(rej) != 0 {
		t.Errorf("rejections: %v", rej)
	}
	f := etl.F
	for _, c := range []struct {
		column                 string
		year                   int
		value                  *float64
		qual                   string
		measure, product, unit string
	}{
		{"Prod_Concentrate_kt", 2022, f(41500), "", "production", "concentrate", "t"}, // revised from 42,000 t
		{"Imports_Cmpds_t", 2022, f(10900), "", "imports", "compounds", "t"},
		{"Imports_Alloyst", 2022, f(396), "", "imports", "alloys", "t"},
		{"Imports_Alloyst", 2024, f(0.5), "<", "imports", "alloys", "t"},
		{"Exports_Ores-Compounds_t", 2023, nil, "W", "exports", "ores-compounds", "t"},
		{"Consump_Apprnt_t", 2022, f(10400), "", "consumption", "apparent", "t"},
		{"Price_Nd2O3dkg", 2022, f(134), "", "price", "nd2o3", "usd_per_kg"},
		{"Price_CeO2_dg", 2022, f(1), "", "price", "ceo2", "usd_per_kg"},
		{"Employment_num", 2024, f(500), "", "employment", "", "employees"},
		{"NIR_Compounds-Metals_pct", 2022, f(95), ">", "net_import_reliance", "compounds-metals", "pct"},
		{"NIR_Compounds-Metals_pct", 2024, f(1), "<", "net_import_reliance", "compounds-metals", "pct"},
		{"NIR_Concentrate_pct", 2023, nil, "E", "net_import_reliance", "concentrate", "pct"},
		{"USprod_Compounds-Metals_t", 2024, f(300), "", "production", "compounds-metals", "t"}, // "e300"
		{"Imports_Cmpds_t", 2024, nil, "NA", "imports", "compounds", "t"},
	} {
		t.Run(c.column, func(t *testing.T) {
			r := one(t, rows, c.column, c.year, "USA")
			want(t, r, c.value, c.qual, c.measure, c.product, c.unit)
			if r.Edition != "MCS2025" || r.Commodity != "rare_earths" || r.Ref != path || r.Row != int64(c.year-2021) {
				t.Errorf("provenance %+v", r)
			}
		})
	}
	if got := find(rows, "Price_CeO2_dg", 2024, ""); len(got) != 0 {
		t.Errorf("empty cell gave %+v", got)
	}
	if len(rows) != 11*3-1 { // 11 stat columns x 3 years, less one empty cell
		t.Errorf("%d rows", len(rows))
	}
}

func TestFixtureMCS2025World(t *testing.T) {
	rows, rej := run(t, "", filepath.Join("testdata", "mcs2025-raree_world.csv"))
	f := etl.F
	want(t, one(t, rows, "Prod_t_est_2024", 2024, "CHN"), f(270000), "", "mine_production", "", "t")
	want(t, one(t, rows, "Prod_t_2023", 2023, "USA"), f(43000), "", "mine_production", "", "t")
	want(t, one(t, rows, "Reserves_t", 2024, "WLD"), f(90000000), "", "reserves", "", "t") // MCS2025 -> end of 2024
	// "Other countries" is kept as the OTH area so country rows add up to the world total.
	want(t, one(t, rows, "Prod_t_2023", 2023, "OTH"), f(1000), "", "mine_production", "", "t")
	if len(rej) != 0 {
		t.Errorf("want no rejections: %v", rej)
	}
	// the edition setting overrides the Source column
	rows, _ = run(t, "MCS2026", filepath.Join("testdata", "mcs2025-raree_world.csv"))
	if r := one(t, rows, "Reserves_t", 2025, "WLD"); r.Edition != "MCS2026" {
		t.Errorf("edition %q", r.Edition)
	}
}

func TestRegistryAndConfig(t *testing.T) {
	k, ok := etl.LookupKind(Kind)
	if !ok || k.Table != etl.MineralStatistics || k.FileArgs != "paths" {
		t.Fatalf("kind %+v registered=%v", k, ok)
	}
	cfg, probs := k.Spec.Validate(map[string]any{"paths": []any{"testdata"}, "edition": "mcs2025"})
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	src, err := k.New(cfg, etl.Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	if s := src.(*Source); s.Edition != "MCS2025" || s.Paths[0] != "testdata" {
		t.Errorf("source %+v", s)
	}
	if cfg, _ := k.Spec.Validate(map[string]any{}); true {
		if _, err := k.New(cfg, etl.Runtime{}); err == nil || !strings.Contains(err.Error(), "paths") {
			t.Errorf("neither paths nor urls: %v", err)
		}
	}
	cfg, _ = k.Spec.Validate(map[string]any{"paths": "x.csv", "edition": "2025"})
	if _, err := k.New(cfg, etl.Runtime{}); err == nil || !strings.Contains(err.Error(), "edition") {
		t.Errorf("bad edition: %v", err)
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		file, body, err string
	}{
		{"mcs2025-raree_salient.csv", "Foo,Bar\n1,2\n", "neither a salient table"},
		{"mcs2025-raree_salient.csv", "DataSource,Commodity,Year,Remarks\nMCS2025,Rare Earths,2024,x\n", `column 4 "Remarks"`},
		{"mcs2025-raree_salient.csv", "DataSource,Commodity,Year,Consump_,USprod_t,Stocks_kg\nMCS2025,Rare Earths,2024,1,2,3\n", "exactly one mass unit"},
		{"mcs2025-xyzzy_world.csv", "Source,Country,Type,Prod_t_2024\nMCS2025,China,Mine,1\n", `abbreviation "xyzzy"`},
		{"mcs2025-raree_world.csv", "Source,Country,Type,Prod_t\nMCS2025,China,Mine,1\n", `column 4 "Prod_t": no year`},
	} {
		t.Run(c.err, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.file)
			if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			err := (&Source{Paths: []string{path}, Strict: true}).Extract(t.Context(), &etl.MemorySink{})
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want one naming %s and saying %q", err, path, c.err)
			}
			// without strict the file is rejected whole and the load goes on
			sink := &etl.MemorySink{}
			src := &Source{Paths: []string{path}}
			if err := src.Extract(t.Context(), sink); err != nil {
				t.Fatalf("not strict: %v", err)
			}
			if len(sink.Rejections) != 1 || sink.Rejections[0].Ref != path || sink.Rejections[0].Row != 0 ||
				!strings.Contains(sink.Rejections[0].Reason, c.err) || len(src.FailedFiles) != 1 {
				t.Errorf("not strict: rejections %v, want the file's", sink.Rejections)
			}
		})
	}
	err := (&Source{Paths: []string{filepath.Join(t.TempDir(), "*.csv")}}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), "matches no file") {
		t.Errorf("empty glob: %v", err)
	}
}

func TestRowRejections(t *testing.T) {
	dir := t.TempDir()
	body := "DataSource,Commodity,Year,USprod_t,NIR_pct\nMCS2025,Rare Earths,2O24,1,50\nMCS2025,,2024,1,50\nMCS2025,Rare Earths,2023,5,about half\n"
	a, b := filepath.Join(dir, "mcs2025-raree_salient.csv"), filepath.Join(dir, "z-copy", "mcs2025-raree_salient.csv") // read second
	os.MkdirAll(filepath.Dir(b), 0o755)
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rows, rej := run(t, "", a, b)
	if len(rows) != 1 || rows[0].Ref != a || *rows[0].Value != 5 {
		t.Fatalf("rows %+v", rows)
	}
	wants := []struct {
		ref    string
		row    int64
		column string
		reason string
	}{
		{a, 1, "Year", `year "2O24" is not a year`},
		{a, 2, "Commodity", "missing commodity"},
		{a, 3, "NIR_pct", `"about half" is neither a number`},
		{b, 1, "Year", "is not a year"},
		{b, 2, "Commodity", "missing commodity"},
		{b, 3, "USprod_t", "the same statistic was already read from " + a + " row 3"},
		{b, 3, "NIR_pct", `"about half"`},
	}
	if len(rej) != len(wants) {
		t.Fatalf("%d rejections, want %d: %v", len(rej), len(wants), rej)
	}
	for i, w := range wants {
		r := rej[i]
		if r.Ref != w.ref || r.Row != w.row || r.Column != w.column || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("rejection %d: %s; want %s row %d %s: %s", i, r, w.ref, w.row, w.column, w.reason)
		}
	}
}
