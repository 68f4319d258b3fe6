//go:build duckdb_arrow

package parquet

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// clock is a settable time source for Options.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func exportWith(t *testing.T, db *sql.DB, dir string, tables []Table, o Options) []Manifest {
	t.Helper()
	if o.Logger == nil {
		o.Logger = testLogger(t)
	}
	ms, err := ExportWith(context.Background(), db, dir, tables, o)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return ms
}

func mustExec(t *testing.T, db *sql.DB, query string) {
	t.Helper()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// A table whose content did not change keeps its published version: no
// file is written, no link or manifest replaced; any change to rows,
// values or schema, or a damaged published version, is exported anew.
func TestUnchangedTablesKeepTheirVersion(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	tables := DefaultTables()[:3] // trade_flows, mineral_statistics, import_shares
	export(t, db, dir, tables)

	type state struct {
		target   string
		manifest string
		mtime    time.Time
	}
	snapshot := func() map[string]state {
		out := map[string]state{}
		for _, tb := range tables {
			target := readExport(t, dir, tb.Name).target
			fi, err := os.Stat(ManifestPath(dir, tb.Name))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(ManifestPath(dir, tb.Name))
			out[tb.Name] = state{target, string(b), fi.ModTime()}
		}
		return out
	}
	tests := []struct {
		name   string
		change func(t *testing.T)
		want   []string // tables exported anew
	}{
		{"nothing changed", func(*testing.T) {}, nil},
		{"a value changed, same row count", func(t *testing.T) {
			mustExec(t, db, `UPDATE mineral_statistics SET value = 541 WHERE value = 540`)
		}, []string{"mineral_statistics"}},
		{"a row added", func(t *testing.T) {
			mustExec(t, db, `INSERT INTO trade_flows VALUES
				('A', '2023-01-01', 'USA', 'CHN', 'import', '2504', 'H6', 'graphite', 7, NULL, false, 'comtrade', 7)`)
		}, []string{"trade_flows"}},
		{"a row replaced by another, same count", func(t *testing.T) {
			mustExec(t, db, `UPDATE import_shares SET partner_iso3 = 'MOZ' WHERE partner_iso3 = 'CHN'`)
		}, []string{"import_shares"}},
		{"a column renamed, same values", func(t *testing.T) {
			mustExec(t, db, `ALTER TABLE mineral_statistics RENAME COLUMN qualifier TO flag`)
		}, []string{"mineral_statistics"}},
		{"a published file deleted by hand", func(t *testing.T) {
			m := readExport(t, dir, "import_shares").manifest
			if err := os.Remove(filepath.Join(dir, "import_shares", filepath.FromSlash(m.Files[0]))); err != nil {
				t.Fatal(err)
			}
		}, []string{"import_shares"}},
		{"a manifest deleted by hand", func(t *testing.T) {
			if err := os.Remove(ManifestPath(dir, "trade_flows")); err != nil {
				t.Fatal(err)
			}
		}, []string{"trade_flows"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			tc.change(t)
			ms := byTable(export(t, db, dir, tables))
			after := snapshot()
			for _, tb := range tables {
				b, a := before[tb.Name], after[tb.Name]
				anew := strings.Contains(","+strings.Join(tc.want, ",")+",", ","+tb.Name+",")
				switch {
				case anew && a.target == b.target:
					t.Errorf("%s: still at %s, want a new version", tb.Name, a.target)
				case !anew && (a.target != b.target || a.manifest != b.manifest || !a.mtime.Equal(b.mtime)):
					t.Errorf("%s: republished without a change: %s -> %s", tb.Name, b.target, a.target)
				}
				got := readExport(t, dir, tb.Name)
				if !reflect.DeepEqual(got.manifest, ms[tb.Name]) || int64(len(got.rows)) != got.manifest.Rows {
					t.Errorf("%s: manifest on disk %+v, returned %+v, %d rows read", tb.Name, got.manifest, ms[tb.Name], len(got.rows))
				}
				if want := count(t, db, "SELECT count(*) FROM "+tb.Name); got.manifest.Rows != want {
					t.Errorf("%s: %d rows exported, %d in the table", tb.Name, got.manifest.Rows, want)
				}
			}
		})
	}
}

// A reader that resolved parquet/<table> can open its files for the grace
// period after later exports replaced it; a later export deletes what is
// older than the grace period beyond the newest KeepPrevious.
func TestReplacedVersionsStayForTheGracePeriod(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	tables := DefaultTables()[:1]
	clk := &clock{time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	t0 := clk.t
	o := Options{Grace: time.Hour, KeepPrevious: 1, Now: clk.now}
	row := 100
	step := func(at time.Duration, change bool) string {
		t.Helper()
		clk.t = t0.Add(at)
		if change {
			row++
			mustExec(t, db, fmt.Sprintf(`INSERT INTO trade_flows VALUES ('A', '2023-01-01', 'USA', 'CHN', 'import', '2504', 'H6',
				'graphite', 7, NULL, false, 'comtrade', %d)`, row))
		}
		exportWith(t, db, dir, tables, o)
		return readExport(t, dir, "trade_flows").target
	}
	v1 := step(0, false)
	resolved := readExport(t, dir, "trade_flows") // a reader lists v1's files at t0

	v2 := step(time.Minute, true)
	assertExportDir(t, dir, []string{v1}, "trade_flows")
	v3 := step(31*time.Minute, true)
	assertExportDir(t, dir, []string{v1, v2}, "trade_flows")
	// The reader opens the files it listed before two swaps.
	for _, f := range resolved.manifest.Files {
		fh, err := os.Open(filepath.Join(dir, resolved.target, filepath.FromSlash(f)))
		if err != nil {
			t.Fatalf("file listed at t0 gone 31 minutes later: %v", err)
		}
		if rows := readParquet(t, fh, f); len(rows) == 0 {
			t.Errorf("%s: no rows", f)
		}
		fh.Close()
	}

	// v1 replaced 1h29m ago: gone; v2 replaced 59m ago: kept.
	v4 := step(90*time.Minute, true)
	assertExportDir(t, dir, []string{v2, v3}, "trade_flows")
	// An export that publishes nothing still deletes what expired; v3 is
	// past the grace period but the newest replaced version.
	if v := step(3*time.Hour, false); v != v4 {
		t.Fatalf("unchanged table republished: %s -> %s", v4, v)
	}
	assertExportDir(t, dir, []string{v3}, "trade_flows")
	var r retirement
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(v3)+retiredSuffix))
	if err != nil || json.Unmarshal(b, &r) != nil || !r.RetiredAt.Equal(t0.Add(90*time.Minute)) || r.Table != "trade_flows" {
		t.Errorf("retired mark of %s: %s (%v), want trade_flows at %v", v3, b, err, t0.Add(90*time.Minute))
	}

	o.KeepPrevious = 0
	step(3*time.Hour, false)
	assertExportDir(t, dir, nil, "trade_flows")
	if got := readExport(t, dir, "trade_flows"); got.target != v4 || int64(len(got.rows)) != got.manifest.Rows {
		t.Errorf("live version %s, want %s", got.target, v4)
	}
}

// A mart exported while mart_pending lists periods says so in its
// manifest, and the export warns; facts are never stale.
func TestPendingMartsMarkTheirManifestsStale(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	tables := DefaultTables()[:3] // import_shares is a mart
	mustExec(t, db, `CREATE TABLE mart_pending (freq VARCHAR, period DATE, loaded_at TIMESTAMP, PRIMARY KEY (freq, period));
		INSERT INTO mart_pending VALUES ('M', '2023-02-01', now()), ('A', '2023-01-01', now())`)
	var logs bytes.Buffer
	o := Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Grace: time.Hour, KeepPrevious: 1}
	exportWith(t, db, dir, tables, o)
	want := []PendingPeriod{{"A", "2023-01-01"}, {"M", "2023-02-01"}}
	for _, tb := range tables {
		m := readExport(t, dir, tb.Name).manifest
		if tb.Mart != (tb.Name == "import_shares") {
			t.Fatalf("%s: Mart %v", tb.Name, tb.Mart)
		}
		if tb.Mart && (!m.Stale || !reflect.DeepEqual(m.MartsPending, want)) {
			t.Errorf("%s: stale %v pending %v, want true %v", tb.Name, m.Stale, m.MartsPending, want)
		}
		if !tb.Mart && (m.Stale || m.MartsPending != nil) {
			t.Errorf("%s: stale %v pending %v, want not stale", tb.Name, m.Stale, m.MartsPending)
		}
	}
	raw, _ := os.ReadFile(ManifestPath(dir, "import_shares"))
	if !strings.Contains(string(raw), `"stale": true`) || !strings.Contains(string(raw), `"marts_pending": [`) {
		t.Errorf("manifest JSON:\n%s", raw)
	}
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "tables=import_shares") ||
		!strings.Contains(l, `pending="A 2023-01-01, M 2023-02-01"`) {
		t.Errorf("no warning naming the stale mart and its periods:\n%s", l)
	}

	// The marts rebuilt: same rows, so the version stays and only the
	// manifest changes.
	before := readExport(t, dir, "import_shares")
	mustExec(t, db, `DELETE FROM mart_pending`)
	logs.Reset()
	exportWith(t, db, dir, tables, o)
	after := readExport(t, dir, "import_shares")
	if after.target != before.target || after.manifest.Stale || after.manifest.MartsPending != nil {
		t.Errorf("after the rebuild: %s -> %s, stale %v pending %v", before.target, after.target,
			after.manifest.Stale, after.manifest.MartsPending)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("warning without pending periods:\n%s", logs.String())
	}
}

// Folder scans read the table folder as it is: DuckDB over '<table>/**'
// (no *.parquet suffix), with Hive partitioning, reads back every row.
func TestFolderScanReadsEveryRow(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	ms := export(t, db, dir, DefaultTables())
	sources := map[string]string{
		"trade_flows":        `SELECT coalesce(commodity, 'unassigned') AS commodity, year(period) AS year, * EXCLUDE (commodity) FROM trade_flows`,
		"mineral_statistics": `SELECT * FROM mineral_statistics`,
		"import_shares":      `SELECT coalesce(commodity, 'unassigned') AS commodity, * EXCLUDE (commodity) FROM import_shares`,
		"dependency_trends":  `SELECT * FROM dependency_trends`,
	}
	if len(ms) != len(sources) {
		t.Fatalf("exported %d tables, want %d", len(ms), len(sources))
	}
	for _, m := range ms {
		t.Run(m.Table, func(t *testing.T) {
			glob := filepath.Join(dir, m.Table) + "/**"
			got := sourceRows(t, db, "SELECT * FROM read_parquet("+literal(glob)+", hive_partitioning = true)")
			want := sourceRows(t, db, sources[m.Table])
			var cols []string
			for _, c := range m.Schema {
				cols = append(cols, c.Name)
			}
			if int64(len(got)) != m.Rows || len(got) != len(want) {
				t.Fatalf("read_parquet(%q): %d rows, manifest %d, table %d", glob, len(got), m.Rows, len(want))
			}
			if g, w := canonical(got, cols), canonical(want, cols); !reflect.DeepEqual(g, w) {
				t.Errorf("values differ\ngot  %q\nwant %q", g, w)
			}
		})
	}
}

// A retired mark cut short by a crash counts the grace period from the
// export that finds it, for the table its version belongs to.
func TestCutShortMarkCountsTheGraceFromNow(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	tables := DefaultTables()[:1]
	clk := &clock{time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	t0 := clk.t
	o := Options{Grace: time.Hour, Now: clk.now} // no previous version kept past the grace period
	exportWith(t, db, dir, tables, o)
	v1 := readExport(t, dir, "trade_flows").target
	mustExec(t, db, `DELETE FROM trade_flows WHERE source_row = 1`)
	exportWith(t, db, dir, tables, o)
	mark := filepath.Join(dir, v1+retiredSuffix)
	if err := os.WriteFile(mark, []byte(`{"table": "trade_`), 0o644); err != nil {
		t.Fatal(err)
	}

	clk.t = t0.Add(2 * time.Hour)
	exportWith(t, db, dir, tables, o)
	assertExportDir(t, dir, []string{v1}, "trade_flows")
	var r retirement
	if b, err := os.ReadFile(mark); err != nil || json.Unmarshal(b, &r) != nil || r.Table != "trade_flows" || !r.RetiredAt.Equal(clk.t) {
		t.Errorf("mark rewritten as %+v (%v), want trade_flows at %v", r, err, clk.t)
	}
	clk.t = t0.Add(3*time.Hour + time.Second)
	exportWith(t, db, dir, tables, o)
	assertExportDir(t, dir, nil, "trade_flows")
}
