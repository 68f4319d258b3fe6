package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tradewh/tradewh/output/parquet"
)

// The README's first command: the offline demo builds every table and
// exports, and the exports read back with a Parquet reader that is not
// DuckDB (arrow-go), row for row.
func TestDemoBuildsTablesAndExports(t *testing.T) {
	wh := t.TempDir()
	out := mustCLI(t, "--warehouse", wh, "run")
	for _, want := range []string{"import_shares", "dependency_trends", "mirror_flows", "Parquet exports", "Try:", demoNotice} {
		if !strings.Contains(out, want) {
			t.Errorf("run summary lacks %q:\n%s", want, out)
		}
	}
	db := queryDB(t, wh)
	for _, table := range []string{"trade_flows", "mineral_statistics", "import_shares", "dependency_trends", "mirror_flows",
		"event_windows", "diversion", "diversion_replacements", "supplier_alternatives", "trade_measures", "trade_measure_codes"} {
		n := count(t, db, "SELECT count(*) FROM "+table)
		if n == 0 {
			t.Errorf("%s is empty after the demo", table)
		}
		var manifest struct {
			Rows      int64    `json:"rows"`
			Partition []string `json:"partition"`
		}
		dir := filepath.Join(wh, "parquet", table)
		b, err := os.ReadFile(parquet.ManifestPath(filepath.Join(wh, "parquet"), table))
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if err := json.Unmarshal(b, &manifest); err != nil {
			t.Fatal(err)
		}
		if manifest.Rows != n {
			t.Errorf("%s: manifest says %d rows, the table has %d", table, manifest.Rows, n)
		}
		if got := parquetRows(t, dir); got != n {
			t.Errorf("%s: arrow-go read %d rows from the export, the table has %d", table, got, n)
		}
	}
	// The default measures and the demo's own.
	if n := count(t, db, `SELECT count(*) FROM trade_measures WHERE origin = 'default'`); n < 7 {
		t.Errorf("%d default measures in the demo warehouse", n)
	}
	if n := count(t, db, `SELECT count(*) FROM trade_measures WHERE measure_id = 'IDN-ESDM-2019-11' AND origin <> 'default'`); n != 1 {
		t.Errorf("the demo's own measure: %d rows", n)
	}
	// Every demo flow's source_ref says it is illustrative; the USGS rows are the real MCS 2024 tables.
	if n := count(t, db, `SELECT count(*) FROM trade_flows WHERE source_ref NOT LIKE '%\_illustrative.json' ESCAPE '\'`); n != 0 {
		t.Errorf("%d demo trade flows whose file name does not say illustrative", n)
	}
	if n := count(t, db, `SELECT count(DISTINCT commodity) FROM mineral_statistics WHERE edition = 'MCS2024'`); n != 6 {
		t.Errorf("MCS2024 figures for %d commodities, want the 6 seed ones", n)
	}
	// China's share of US rare-earth compounds: the README's example query.
	var share float64
	if err := db.QueryRow(`SELECT share FROM import_shares WHERE reporter_iso3 = 'USA' AND partner_iso3 = 'CHN'
		AND hs_code = '2846' AND freq = 'A' AND year = 2022`).Scan(&share); err != nil || share < 0.5 || share > 0.9 {
		t.Errorf("demo share of China in US 2846 imports 2022 = %v (%v)", share, err)
	}
}

// parquetRows reads every Parquet file under dir with arrow-go.
func parquetRows(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	// The export is a symbolic link to its current version.
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		rdr, err := file.OpenParquetFile(p, false)
		if err != nil {
			return err
		}
		defer rdr.Close()
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
		if err != nil {
			return err
		}
		tbl, err := fr.ReadTable(context.Background())
		if err != nil {
			return err
		}
		total += tbl.NumRows()
		tbl.Release()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}
