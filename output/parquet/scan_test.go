//go:build duckdb_arrow

package parquet

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A scan of the whole export folder reads every row once, also while
// replaced versions are kept for the grace period: DuckDB's
// read_parquet('parquet/**/*.parquet') and Polars' scan_parquet on the
// root, after a revision replaced every table's version.
func TestScanOfTheRootReadsEveryRowOnce(t *testing.T) {
	db := openDB(t)
	dir := filepath.Join(t.TempDir(), "parquet")
	tables := DefaultTables()
	o := Options{Grace: time.Hour, KeepPrevious: 1}
	first := byTable(exportWith(t, db, dir, tables, o))["trade_flows"]
	mustExec(t, db, `INSERT INTO trade_flows VALUES
		('A', '2023-01-01', 'USA', 'CHN', 'import', '2504', 'H6', 'graphite', 7, NULL, false, 'comtrade', 7)`)
	if got := byTable(exportWith(t, db, dir, tables, o))["trade_flows"]; got.Version == first.Version {
		t.Fatal("the revision did not replace the version")
	}
	// The replaced version is kept, where a reader that took it from its manifest reads it.
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(first.Version), first.Files[0])); err != nil {
		t.Fatalf("replaced version not kept: %v", err)
	}
	var want int64
	for _, m := range exportWith(t, db, dir, tables, o) { // unchanged: publishes nothing
		want += count(t, db, "SELECT count(*) FROM "+m.Table)
	}

	glob := filepath.Join(dir, "**", "*.parquet")
	readers := []struct {
		name string
		rows func(t *testing.T) int64
	}{
		{"duckdb", func(t *testing.T) int64 {
			return count(t, db, "SELECT count(*) FROM read_parquet("+literal(glob)+")")
		}},
		{"polars", func(t *testing.T) int64 { return polarsRows(t, glob) }},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			if got := r.rows(t); got != want {
				t.Errorf("%s over %s: %d rows, the warehouse holds %d", r.name, glob, got, want)
			}
		})
	}
}

// polarsRows counts the rows nodejs-polars reads from glob (see
// testdata/polars). It skips when node or the package is missing, unless
// TRADEWH_REQUIRE_NODE_READERS=1.
func polarsRows(t *testing.T, glob string) int64 {
	t.Helper()
	skip := func(why string) {
		if os.Getenv("TRADEWH_REQUIRE_NODE_READERS") == "1" {
			t.Fatalf("%s, and TRADEWH_REQUIRE_NODE_READERS=1", why)
		}
		t.Skip(why + "; npm install --prefix output/parquet/testdata/polars installs the reader")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed")
	}
	out, err := exec.Command(node, filepath.Join("testdata", "polars", "count.js"), glob).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		skip("nodejs-polars is not installed")
	}
	if err != nil {
		t.Fatalf("node count.js %s: %v\n%s", glob, err, stderr(err))
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("node count.js printed %q", out)
	}
	return n
}

func stderr(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}
