//go:build duckdb_arrow

package parquet

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/parquet/file"
	sqlfiles "github.com/tradewh/tradewh/sql"
)

func TestExportRoundTrip(t *testing.T) {
	db := openDB(t)
	dir := filepath.Join(t.TempDir(), "parquet")
	ms := byTable(export(t, db, dir, DefaultTables()))

	if _, ok := ms["mirror_flows"]; ok {
		t.Error("mirror_flows does not exist in the warehouse but was exported")
	}
	if _, err := os.Lstat(filepath.Join(dir, "mirror_flows")); !os.IsNotExist(err) {
		t.Errorf("mirror_flows folder: %v, want none", err)
	}

	tests := []struct {
		table  string
		source string // the rows as the export should hold them
		cols   []string
	}{
		{"trade_flows",
			`SELECT coalesce(commodity, 'unassigned') AS commodity, year(period) AS year, * EXCLUDE (commodity) FROM trade_flows`,
			[]string{"commodity", "year", "freq", "period", "reporter_iso3", "partner_iso3", "flow", "hs_code",
				"hs_revision", "value_usd", "net_weight_kg", "is_aggregate", "source", "source_row"}},
		{"mineral_statistics", `SELECT * FROM mineral_statistics`,
			[]string{"edition", "commodity", "year", "country_iso3", "measure", "product", "value", "unit", "qualifier"}},
		{"import_shares", `SELECT coalesce(commodity, 'unassigned') AS commodity, * EXCLUDE (commodity) FROM import_shares`,
			[]string{"commodity", "year", "period", "partner_iso3", "share"}},
	}
	for _, tc := range tests {
		t.Run(tc.table, func(t *testing.T) {
			got := readExport(t, dir, tc.table)
			want := sourceRows(t, db, tc.source)
			m := ms[tc.table]
			if !reflect.DeepEqual(got.manifest, m) {
				t.Errorf("%s\n%+v\nreturned manifest\n%+v", ManifestPath(dir, tc.table), got.manifest, m)
			}
			if m.Stale || m.MartsPending != nil || m.Fingerprint == "" {
				t.Errorf("manifest stale %v pending %v fingerprint %q", m.Stale, m.MartsPending, m.Fingerprint)
			}
			if n := int64(len(want)); m.Rows != n || int64(len(got.rows)) != n {
				t.Fatalf("rows: manifest %d, read back %d, source %d", m.Rows, len(got.rows), n)
			}
			if g, w := canonical(got.rows, tc.cols), canonical(want, tc.cols); !reflect.DeepEqual(g, w) {
				t.Errorf("values do not round-trip\ngot  %q\nwant %q", g, w)
			}
			if want := "../." + filepath.Base(dir) + "-versions/" + tc.table + "-"; !strings.HasPrefix(got.target, want) {
				t.Errorf("version %q, want %s...", got.target, want)
			}
			if m.Compression != "zstd" || !reflect.DeepEqual(m.Partition, []string{"commodity", "year"}) {
				t.Errorf("manifest compression %q partition %v", m.Compression, m.Partition)
			}
			var names []string
			for _, c := range m.Schema {
				names = append(names, c.Name)
			}
			for _, c := range tc.cols {
				if !strings.Contains(","+strings.Join(names, ",")+",", ","+c+",") {
					t.Errorf("schema %v lacks %s", names, c)
				}
			}
		})
	}

	t.Run("null commodity kept as unassigned", func(t *testing.T) {
		got := readExport(t, dir, "trade_flows")
		var hs []string
		for _, r := range got.rows {
			if r["commodity"] == NullPartition {
				hs = append(hs, r["hs_code"])
			}
		}
		want := count(t, db, `SELECT count(*) FROM trade_flows WHERE commodity IS NULL`)
		if int64(len(hs)) != want || want != 2 {
			t.Errorf("%d rows under commodity=%s (%v), %d null-commodity rows in the source", len(hs), NullPartition, hs, want)
		}
		if got.manifest.NullPartitionValue != NullPartition {
			t.Errorf("manifest null_partition_value %q", got.manifest.NullPartitionValue)
		}
	})

	t.Run("empty table keeps its schema", func(t *testing.T) {
		got := readExport(t, dir, "dependency_trends")
		if got.manifest.Rows != 0 || len(got.rows) != 0 || !reflect.DeepEqual(got.manifest.Files, []string{"data_0.parquet"}) {
			t.Fatalf("rows %d/%d files %v", got.manifest.Rows, len(got.rows), got.manifest.Files)
		}
		f, err := file.OpenParquetFile(filepath.Join(dir, "dependency_trends", "data_0.parquet"), false)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var cols []string
		for i := 0; i < f.MetaData().Schema.NumColumns(); i++ {
			cols = append(cols, f.MetaData().Schema.Column(i).Name())
		}
		if !reflect.DeepEqual(cols, []string{"commodity", "year", "nir_pct"}) {
			t.Errorf("columns %v", cols)
		}
	})
}

func TestReexportSwapsAtomically(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	tables := DefaultTables()[:1]
	first := export(t, db, dir, tables)[0]
	before := readExport(t, dir, "trade_flows")

	// A reader that opened a file of the old export before the swap.
	open, err := os.Open(filepath.Join(dir, "trade_flows", filepath.FromSlash(first.Files[0])))
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	oldRows := len(readParquet(t, open, first.Files[0]))

	if _, err := db.Exec(`INSERT INTO trade_flows VALUES
		('A', '2023-01-01', 'USA', 'CHN', 'import', '2504', 'H6', 'graphite', 7, NULL, false, 'comtrade', 7)`); err != nil {
		t.Fatal(err)
	}
	second := export(t, db, dir, tables)[0]
	after := readExport(t, dir, "trade_flows")

	if after.target == before.target {
		t.Fatalf("symlink still points at %s", before.target)
	}
	// A reader that resolved the link before the swap opens files later.
	late, err := os.Open(filepath.Join(dir, before.target, filepath.FromSlash(first.Files[len(first.Files)-1])))
	if err != nil {
		t.Fatalf("old version's file gone right after the swap: %v", err)
	}
	late.Close()
	if second.Rows != first.Rows+1 || int64(len(after.rows)) != second.Rows {
		t.Errorf("rows: first %d, second %d, read back %d", first.Rows, second.Rows, len(after.rows))
	}
	if !second.GeneratedAt.After(first.GeneratedAt) {
		t.Errorf("generated_at %v not after %v", second.GeneratedAt, first.GeneratedAt)
	}
	if n := len(readParquet(t, open, first.Files[0])); n != oldRows || n == 0 {
		t.Errorf("open old file after the swap: %d rows, want %d", n, oldRows)
	}
	assertExportDir(t, dir, []string{before.target}, "trade_flows")
}

func TestFailedExportKeepsPrevious(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	tables := DefaultTables()[:2]
	export(t, db, dir, tables)
	before := map[string]exported{}
	for _, tb := range tables {
		before[tb.Name] = readExport(t, dir, tb.Name)
	}

	if _, err := db.Exec(`DELETE FROM trade_flows WHERE freq = 'M'`); err != nil {
		t.Fatal(err)
	}
	bad := []Table{tables[0], {Name: "mineral_statistics",
		// fails while copying, after trade_flows is staged
		Query: "SELECT *, CAST(country_iso3 AS INTEGER) AS bad FROM mineral_statistics", Partition: tables[1].Partition}}
	_, err := Export(context.Background(), db, dir, bad, testLogger(t))
	if err == nil || !strings.Contains(err.Error(), `"mineral_statistics"`) || !strings.Contains(err.Error(), "Conversion Error") {
		t.Fatalf("Export = %v, want a conversion error naming mineral_statistics", err)
	}
	for _, tb := range tables {
		got := readExport(t, dir, tb.Name)
		if got.target != before[tb.Name].target || !reflect.DeepEqual(got.manifest, before[tb.Name].manifest) ||
			len(got.rows) != len(before[tb.Name].rows) {
			t.Errorf("%s changed by a failed export: %s -> %s", tb.Name, before[tb.Name].target, got.target)
		}
	}
	assertOnlyLive(t, dir, "trade_flows", "mineral_statistics")
}

func TestConcurrentExportsSerialise(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			_, err := Export(context.Background(), db, dir, DefaultTables()[:2], testLogger(t))
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for _, tb := range []string{"trade_flows", "mineral_statistics"} {
		got := readExport(t, dir, tb)
		if int64(len(got.rows)) != got.manifest.Rows || got.manifest.Rows == 0 {
			t.Errorf("%s: %d rows read, manifest %d", tb, len(got.rows), got.manifest.Rows)
		}
	}
	assertOnlyLive(t, dir, "trade_flows", "mineral_statistics")
}

func TestPublishRollsBack(t *testing.T) {
	db := openDB(t)
	tables := DefaultTables()[:2]
	stage := func(t *testing.T, dir string, m Manifest) staged {
		good := filepath.Join(VersionsDir(dir), stagingDir, m.Table+"-x")
		if err := os.MkdirAll(good, 0o755); err != nil {
			t.Fatal(err)
		}
		m.Version = versionName(dir, filepath.Join(VersionsDir(dir), m.Table+"-x"))
		m.Files = nil
		return staged{path: good, manifest: m, rewrite: true}
	}
	tests := []struct {
		name   string
		mangle func(t *testing.T, dir string, ms []Manifest) []staged
	}{
		{"second staged folder vanished", func(t *testing.T, dir string, ms []Manifest) []staged {
			return []staged{stage(t, dir, ms[0]), {path: filepath.Join(VersionsDir(dir), stagingDir, "gone"), manifest: ms[1], rewrite: true}}
		}},
		{"second manifest cannot be replaced", func(t *testing.T, dir string, ms []Manifest) []staged {
			// A folder where the manifest should be: the rename fails after
			// both links and the first manifest were swapped.
			p := ManifestPath(dir, ms[1].Table)
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(p, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
			return []staged{stage(t, dir, ms[0]), stage(t, dir, ms[1])}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ms := export(t, db, dir, tables)
			before := readExport(t, dir, "trade_flows")
			manifest, err := os.ReadFile(ManifestPath(dir, "trade_flows"))
			if err != nil {
				t.Fatal(err)
			}
			if err := publishAll(dir, tc.mangle(t, dir, ms), time.Now(), testLogger(t)); err == nil {
				t.Fatal("publishAll succeeded")
			}
			if got := readExport(t, dir, "trade_flows"); got.target != before.target {
				t.Errorf("trade_flows points at %s after rollback, want %s", got.target, before.target)
			}
			if b, _ := os.ReadFile(ManifestPath(dir, "trade_flows")); string(b) != string(manifest) {
				t.Errorf("trade_flows manifest after rollback\n%s\nwant\n%s", b, manifest)
			}
			for _, tb := range tables {
				if _, err := os.Stat(filepath.Join(VersionsDir(dir), tb.Name+"-x")); !os.IsNotExist(err) {
					t.Errorf("rolled-back version of %s kept: %v", tb.Name, err)
				}
			}
		})
	}
}

func TestReplacesRealDirectoryAndLeftovers(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	// A folder of no export, the older layout's versions inside the export
	// folder, and what interrupted exports left in the store.
	store := "../" + filepath.Base(VersionsDir(dir)) + "/"
	for _, p := range []string{"trade_flows/year=1999/old.parquet", ".staging/trade_flows-dead/x.parquet",
		".versions/trade_flows-orphan/x.parquet", store + ".staging/trade_flows-dead/x.parquet",
		store + "trade_flows-orphan/x.parquet"} {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("nowhere", filepath.Join(dir, ".tmp-trade_flows-1-1")); err != nil {
		t.Fatal(err)
	}
	m := export(t, db, dir, DefaultTables()[:1])[0]
	got := readExport(t, dir, "trade_flows")
	if int64(len(got.rows)) != m.Rows || m.Rows != 6 {
		t.Errorf("rows %d, manifest %d", len(got.rows), m.Rows)
	}
	assertOnlyLive(t, dir, "trade_flows")
}

func TestExportRejects(t *testing.T) {
	db := openDB(t)
	tests := []struct {
		name   string
		tables []Table
		want   string
	}{
		{"path in name", []Table{{Name: "../x", Query: "SELECT 1"}}, "invalid name"},
		{"hidden name", []Table{{Name: ".versions", Query: "SELECT 1"}}, "invalid name"},
		{"name of the manifests folder", []Table{{Name: "_manifests", Query: "SELECT 1"}}, "invalid name"},
		{"duplicate", []Table{{Name: "a", Query: "SELECT 1"}, {Name: "a", Query: "SELECT 1"}}, "listed twice"},
		{"no query", []Table{{Name: "a"}}, "empty query"},
		{"unknown partition", []Table{{Name: "ms", Query: "SELECT edition, value FROM mineral_statistics",
			Partition: []string{"commodity"}}}, `partition column "commodity" is not among the query's columns (edition, value)`},
		{"bad column", []Table{{Name: "tf", Query: "SELECT nosuch FROM trade_flows"}}, `table "tf": query`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Export(context.Background(), db, dir, tc.tables, testLogger(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Export = %v, want %q", err, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), ".") && e.Name() != manifestsDir {
					t.Errorf("left %s behind", e.Name())
				}
			}
		})
	}
}

// assertOnlyLive checks that the export folder holds the given tables'
// links, manifests and live versions and nothing left over.
func assertOnlyLive(t *testing.T, dir string, tables ...string) {
	t.Helper()
	assertExportDir(t, dir, nil, tables...)
}

// assertExportDir checks that the export folder holds the given tables'
// folders and manifests and nothing else, and that the store holds their
// live versions, the replaced versions retained (as manifests name them)
// with their marks, and nothing else.
func assertExportDir(t *testing.T, dir string, retained []string, tables ...string) {
	t.Helper()
	var want, got []string
	for _, tb := range tables {
		want = append(want, tb, manifestsDir+"/"+tb+".json", readExport(t, dir, tb).target)
	}
	for _, r := range retained {
		want = append(want, r, r+retiredSuffix)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		switch e.Name() {
		case lockName, manifestsDir:
		default:
			got = append(got, e.Name())
		}
	}
	entries, _ = os.ReadDir(filepath.Join(dir, manifestsDir))
	for _, e := range entries {
		got = append(got, manifestsDir+"/"+e.Name())
	}
	store := VersionsDir(dir)
	for _, sub := range []string{store, filepath.Join(store, stagingDir)} {
		entries, _ := os.ReadDir(sub)
		for _, e := range entries {
			if p := filepath.Join(sub, e.Name()); p != filepath.Join(store, stagingDir) {
				got = append(got, versionName(dir, p))
			}
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("export folder and store hold %v, want %v", got, want)
	}
}

// The default tables against the real warehouse DDL and marts.
func TestDefaultTablesOnWarehouseSchema(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // mart_scope is a TEMP table: one connection
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The rows go in as the first schema stored them, so the migration
	// to id-coded storage carries them over.
	stmts := []string{}
	for _, f := range sqlfiles.Migrations() {
		if f.Name == "004_compact_trade_flows.sql" {
			break
		}
		stmts = append(stmts, f.SQL)
	}
	stmts = append(stmts, `INSERT INTO trade_flows_history VALUES
		('A', '2022-01-01', 'USA', 'WLD', 'import', '811292', 'H6', 'gallium_germanium', 100, NULL, NULL, NULL, true, 'comtrade', 'f', 1, 1, now(), NULL, NULL),
		('A', '2022-01-01', 'USA', 'CHN', 'import', '811292', 'H6', 'gallium_germanium', 60, NULL, NULL, NULL, false, 'comtrade', 'f', 2, 1, now(), NULL, NULL),
		('A', '2022-01-01', 'CHN', 'USA', 'export', '811292', 'H6', 'gallium_germanium', 55, NULL, NULL, NULL, false, 'comtrade', 'f', 3, 1, now(), NULL, NULL),
		('A', '2022-01-01', 'USA', 'CHN', 'import', '999999', 'H6', NULL, 5, NULL, NULL, NULL, false, 'comtrade', 'f', 4, 1, now(), NULL, NULL),
		('A', '2021-01-01', 'USA', 'CHN', 'import', '811292', 'H6', 'gallium_germanium', 1, NULL, NULL, NULL, false, 'comtrade', 'f', 5, 1, now(), now(), NULL)`)
	for _, f := range sqlfiles.Migrations() {
		if f.Name >= "004" {
			stmts = append(stmts, f.SQL)
		}
	}
	stmts = append(stmts, sqlfiles.SeedSettings())
	stmts = append(stmts,
		`CREATE TEMP TABLE mart_scope AS SELECT DISTINCT freq, period FROM trade_flows`)
	for _, f := range sqlfiles.MartTables() {
		stmts = append(stmts, f.SQL)
	}
	for _, f := range sqlfiles.Marts() {
		stmts = append(stmts, f.SQL)
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%.80s: %v", s, err)
		}
	}
	dir := t.TempDir()
	ms := export(t, db, dir, DefaultTables())
	if len(ms) != len(DefaultTables()) {
		t.Fatalf("exported %d tables, want %d", len(ms), len(DefaultTables()))
	}
	for i, m := range ms {
		got := readExport(t, dir, m.Table)
		want := count(t, db, "SELECT count(*) FROM "+m.Table)
		if m.Rows != want || int64(len(got.rows)) != want {
			t.Errorf("%s: manifest %d rows, read back %d, warehouse %d", m.Table, m.Rows, len(got.rows), want)
		}
		q := DefaultTables()[i].Query
		if slices.Contains(DefaultTables()[i].Partition, "commodity") {
			q = "SELECT * REPLACE (coalesce(commodity, 'unassigned') AS commodity) FROM (" + q + ")"
		}
		src := sourceRows(t, db, q)
		var cols []string
		for _, c := range m.Schema {
			cols = append(cols, c.Name)
		}
		if g, w := canonical(got.rows, cols), canonical(src, cols); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: values do not round-trip\ngot  %q\nwant %q", m.Table, g, w)
		}
	}
	if n := byTable(ms)["trade_flows"].Rows; n != 4 {
		t.Errorf("trade_flows exported %d current rows, want 4 (one row is a closed version)", n)
	}
}
