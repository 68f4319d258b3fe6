//go:build duckdb_arrow

package parquet

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/tradewh/tradewh/etl/etltest"
)

// Test helpers: a warehouse with the columns of the real views, and a
// reader of the export that does not use DuckDB (arrow-go's Parquet).

const seedSQL = `
CREATE TABLE trade_flows (freq VARCHAR, period DATE, reporter_iso3 VARCHAR, partner_iso3 VARCHAR, flow VARCHAR,
  hs_code VARCHAR, hs_revision VARCHAR, commodity VARCHAR, value_usd DOUBLE, net_weight_kg DOUBLE,
  is_aggregate BOOLEAN, source VARCHAR, source_row BIGINT);
INSERT INTO trade_flows VALUES
 ('A', '2020-01-01', 'USA', 'CHN', 'import', '811292', 'H5', 'gallium_germanium', 1234567.5, 10.25, false, 'comtrade', 1),
 ('A', '2021-01-01', 'USA', 'CHN', 'import', '811292', 'H5', 'gallium_germanium', 2.5e9, NULL, false, 'comtrade', 2),
 ('A', '2021-01-01', 'USA', 'WLD', 'import', '811292', 'H5', 'gallium_germanium', NULL, 3, true, 'comtrade', 3),
 ('M', '2021-03-01', 'CHN', 'USA', 'export', '2504', 'H6', 'graphite', 0.001, 1, false, 'census', 4),
 ('A', '2020-01-01', 'USA', 'CHN', 'import', '999999', NULL, NULL, 42, NULL, false, 'comtrade', 5),
 ('A', '2022-01-01', 'CHN', 'WLD', 'export', '999998', 'H6', NULL, 43, NULL, true, 'comtrade', 6);
CREATE TABLE mineral_statistics (edition VARCHAR, commodity VARCHAR, year INTEGER, country_iso3 VARCHAR,
  measure VARCHAR, product VARCHAR, value DOUBLE, unit VARCHAR, qualifier VARCHAR);
INSERT INTO mineral_statistics VALUES
 ('MCS2024', 'gallium', 2022, 'CHN', 'mine_production', 'primary', 540, 't', NULL),
 ('MCS2024', 'gallium', 2023, 'USA', 'net_import_reliance', '', NULL, 'pct', 'W'),
 ('MCS2024', 'graphite', 2023, 'CHN', 'mine_production', 'natural', 1230000, 't', 'E');
CREATE TABLE import_shares (period DATE, year INTEGER, commodity VARCHAR, partner_iso3 VARCHAR, share DOUBLE);
INSERT INTO import_shares VALUES ('2023-01-01', 2023, 'graphite', 'CHN', 0.42), ('2023-01-01', 2023, NULL, 'WLD', 1);
-- a mart with no rows yet
CREATE TABLE dependency_trends (commodity VARCHAR, year INTEGER, nir_pct DOUBLE);
-- mirror_flows does not exist yet
`

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(seedSQL); err != nil {
		t.Fatal(err)
	}
	return db
}

func export(t *testing.T, db *sql.DB, dir string, tables []Table) []Manifest {
	t.Helper()
	ms, err := Export(context.Background(), db, dir, tables, testLogger(t))
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return ms
}

// testLogger shows the export's log lines with the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

func byTable(ms []Manifest) map[string]Manifest {
	out := map[string]Manifest{}
	for _, m := range ms {
		out[m.Table] = m
	}
	return out
}

// exported is what an outside reader finds in a published table folder.
type exported struct {
	manifest Manifest
	rows     []map[string]string // column -> formatted value, partition columns included
	target   string              // the version the manifest names, relative to the export folder
}

func readExport(t *testing.T, dir, table string) exported {
	t.Helper()
	root := filepath.Join(dir, table)
	if fi, err := os.Lstat(root); err != nil || !fi.IsDir() {
		t.Fatalf("%s is not a folder: %v", root, err)
	}
	b, err := os.ReadFile(ManifestPath(dir, table))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	target := m.Version
	if v := filepath.Join(dir, filepath.FromSlash(target)); filepath.Dir(v) != VersionsDir(dir) {
		t.Errorf("%s: manifest names version %q, outside the store %s", table, target, VersionsDir(dir))
	}
	// The folder and its version hold the listed data files and nothing
	// else, so that folder scans read data only.
	for _, root := range []string{root, filepath.Join(dir, filepath.FromSlash(target))} {
		var onDisk []string
		err = filepath.WalkDir(root+"/", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, p)
			onDisk = append(onDisk, filepath.ToSlash(rel))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(onDisk)
		if strings.Join(onDisk, ",") != strings.Join(m.Files, ",") {
			t.Fatalf("%s: files in %s %v, manifest lists %v", table, root, onDisk, m.Files)
		}
	}
	out := exported{manifest: m, target: target}
	for _, rel := range m.Files {
		parts := partitionValues(t, rel, m.Partition)
		f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		rows := readParquet(t, f, rel)
		f.Close()
		for _, r := range rows {
			for k, v := range parts {
				r[k] = v
			}
		}
		out.rows = append(out.rows, rows...)
	}
	return out
}

// partitionValues decodes the Hive key=value folders of a file path and
// checks they are the manifest's partition columns, in order.
func partitionValues(t *testing.T, rel string, partition []string) map[string]string {
	t.Helper()
	segs := strings.Split(rel, "/")
	segs = segs[:len(segs)-1]
	out := map[string]string{}
	if len(segs) == 0 {
		return out // an empty table: one file at the root
	}
	if len(segs) != len(partition) {
		t.Fatalf("%s: %d partition folders, want %v", rel, len(segs), partition)
	}
	for i, s := range segs {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k != partition[i] {
			t.Fatalf("%s: folder %q, want %s=...", rel, s, partition[i])
		}
		v, err := url.PathUnescape(v)
		if err != nil {
			t.Fatal(err)
		}
		if v == "__HIVE_DEFAULT_PARTITION__" {
			v = "NULL"
		}
		out[k] = v
	}
	return out
}

// readParquet reads a file with arrow-go, checks every column chunk is
// ZSTD compressed and returns its rows formatted like fmtValue. f stays
// open (the reader would close it).
func readParquet(t *testing.T, f *os.File, name string) []map[string]string {
	t.Helper()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := file.NewParquetReader(io.NewSectionReader(f, 0, st.Size()))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rdr.Close()
	md := rdr.MetaData()
	for g := 0; g < md.NumRowGroups(); g++ {
		rg := md.RowGroup(g)
		for c := 0; c < rg.NumColumns(); c++ {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.Compression() != compress.Codecs.Zstd {
				t.Errorf("%s: row group %d column %s compressed with %v, want ZSTD", name, g, cc.PathInSchema(), cc.Compression())
			}
		}
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer tbl.Release()
	if tbl.NumRows() != rdr.NumRows() {
		t.Fatalf("%s: read %d rows, footer says %d", name, tbl.NumRows(), rdr.NumRows())
	}
	rows := make([]map[string]string, tbl.NumRows())
	for i := range rows {
		rows[i] = map[string]string{}
	}
	for c := 0; c < int(tbl.NumCols()); c++ {
		col := tbl.Column(c)
		i := 0
		for _, chunk := range col.Data().Chunks() {
			for j := 0; j < chunk.Len(); j++ {
				rows[i][col.Name()] = arrowValue(t, chunk, j)
				i++
			}
		}
	}
	return rows
}

func arrowValue(t *testing.T, a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Float64:
		return fmtValue(a.Value(i))
	case *array.Int32:
		return fmtValue(a.Value(i))
	case *array.Int64:
		return fmtValue(a.Value(i))
	case *array.Boolean:
		return fmtValue(a.Value(i))
	case *array.Date32:
		return fmtValue(a.Value(i).ToTime())
	case *array.Timestamp:
		return fmtValue(a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit))
	}
	t.Fatalf("unexpected Arrow type %s", a.DataType())
	return ""
}

func fmtValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case time.Time:
		if v.Equal(v.Truncate(24 * time.Hour)) {
			return v.Format("2006-01-02")
		}
		return v.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// sourceRows runs query in DuckDB and formats its rows like the reader.
func sourceRows(t *testing.T, db *sql.DB, query string) []map[string]string {
	t.Helper()
	cols, rs := etltest.Query(t, db, query)
	var out []map[string]string
	for _, vals := range rs {
		r := map[string]string{}
		for i, c := range cols {
			r[c] = fmtValue(vals[i])
		}
		out = append(out, r)
	}
	return out
}

// canonical renders rows as sorted lines over the given columns.
func canonical(rows []map[string]string, cols []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		vals := make([]string, len(cols))
		for j, c := range cols {
			v, ok := r[c]
			if !ok {
				v = "<missing>"
			}
			vals[j] = c + "=" + v
		}
		out[i] = strings.Join(vals, " ")
	}
	sort.Strings(out)
	return out
}

func count(t *testing.T, db *sql.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
