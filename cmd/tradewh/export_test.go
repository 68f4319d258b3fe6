package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/output/parquet"
)

// A run that changes nothing keeps every published export; a load with
// --no-marts followed by an export publishes the marts marked stale, with
// their pending periods, and warns; once the marts are rebuilt the next
// export clears the mark. DuckDB reads every table folder with a plain
// '**' scan throughout.
func TestExportsOfARealWarehouse(t *testing.T) {
	wh := t.TempDir()
	dir := filepath.Join(wh, "parquet")
	tables := []string{"trade_flows", "mineral_statistics", "import_shares", "dependency_trends", "mirror_flows"}
	manifest := func(table string) parquet.Manifest {
		t.Helper()
		var m parquet.Manifest
		b, err := os.ReadFile(parquet.ManifestPath(dir, table))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	versions := func() map[string]string {
		out := map[string]string{}
		for _, tb := range tables {
			if fi, err := os.Lstat(filepath.Join(dir, tb)); err != nil || !fi.IsDir() {
				t.Fatalf("%s: not a folder: %v", tb, err)
			}
			out[tb] = manifest(tb).Version
		}
		return out
	}
	scanAll := func() {
		t.Helper()
		db := queryDB(t, wh)
		defer db.Close()
		for _, tb := range tables {
			glob := filepath.Join(dir, tb) + "/**"
			got := count(t, db, "SELECT count(*) FROM read_parquet('"+glob+"', hive_partitioning = true)")
			if want := count(t, db, "SELECT count(*) FROM "+tb); got != want || got != manifest(tb).Rows {
				t.Errorf("read_parquet(%s): %d rows, table %d, manifest %d", glob, got, want, manifest(tb).Rows)
			}
		}
	}

	mustCLI(t, "--warehouse", wh, "run")
	first := versions()
	scanAll()
	mustCLI(t, "--warehouse", wh, "run")
	if second := versions(); !reflect.DeepEqual(first, second) {
		t.Errorf("a run that changed nothing republished:\n%v\n%v", first, second)
	}

	file := etltest.RepoFile(t, "sources/baci/testdata/BACI_HS17_Y2022_V202401.csv")
	mustCLI(t, "--warehouse", wh, "load", "--no-marts", "--no-export", "--source", "baci", file)
	code, _, stderr := cli(t, "--warehouse", wh, "export")
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "level=WARN") || !strings.Contains(stderr, "marts published stale") ||
		!strings.Contains(stderr, "A 2022-01-01") {
		t.Errorf("export of stale marts did not warn:\n%s", stderr)
	}
	for _, tb := range tables {
		m := manifest(tb)
		mart := tb == "import_shares" || tb == "dependency_trends" || tb == "mirror_flows"
		pending := false
		for _, p := range m.MartsPending {
			pending = pending || p == parquet.PendingPeriod{Freq: "A", Period: "2022-01-01"}
		}
		if m.Stale != mart || pending != mart {
			t.Errorf("%s: stale %v, marts_pending %v after load --no-marts", tb, m.Stale, m.MartsPending)
		}
	}
	if after := versions(); after["trade_flows"] == first["trade_flows"] {
		t.Error("trade_flows kept its version although the load added rows")
	}
	scanAll()

	mustCLI(t, "--warehouse", wh, "marts")
	_, _, stderr = cli(t, "--warehouse", wh, "export")
	for _, tb := range tables {
		if m := manifest(tb); m.Stale || m.MartsPending != nil {
			t.Errorf("%s: stale %v, marts_pending %v after the marts were rebuilt", tb, m.Stale, m.MartsPending)
		}
	}
	if strings.Contains(stderr, "level=WARN") {
		t.Errorf("export warned after the marts were rebuilt:\n%s", stderr)
	}
	scanAll()
}
