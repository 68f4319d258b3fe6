package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/output/warehouse"
)

// emptyWarehouse makes a migrated warehouse with no data.
func emptyWarehouse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	w, err := warehouse.Open(context.Background(), warehouse.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestQueryPrintsNumbersExactlyAndEveryResult(t *testing.T) {
	wh := emptyWarehouse(t)
	out := mustCLI(t, "--warehouse", wh, "query", "--format", "csv",
		"SELECT 12345678901.5::DOUBLE AS v; SELECT 170141183460469231731687303715884105727::HUGEINT AS h, 0.10::DECIMAL(5,2) AS d")
	if want := "v\n12345678901.5\n\nh,d\n170141183460469231731687303715884105727,0.1\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	out = mustCLI(t, "--warehouse", wh, "query", "SELECT 12345678901.5::DOUBLE AS v")
	if !strings.Contains(out, "12345678901.5") || strings.Contains(out, "e+10") {
		t.Errorf("table: %q", out)
	}

	code, out, errs := cli(t, "--warehouse", wh, "query", "SELECT 1 AS a; SELECT nosuch FROM etl_runs")
	if code != 1 || out != "" || !strings.Contains(errs, "statement 2 of 2") {
		t.Errorf("a script failing in its second statement: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestQueryOutputFile(t *testing.T) {
	wh := emptyWarehouse(t)
	dir := t.TempDir()
	pq := filepath.Join(dir, "x.parquet")
	mustCLI(t, "--warehouse", wh, "query", "--output", pq, "SELECT range AS i, (12345678901.5 + range)::DOUBLE AS v FROM range(3000)")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var m float64
	if err := db.QueryRow("SELECT count(*), max(v) FROM read_parquet('"+pq+"')").Scan(&n, &m); err != nil || n != 3000 || m != 12345681900.5 {
		t.Errorf("parquet read back: %d rows, max %v, %v", n, m, err)
	}
	jl := filepath.Join(dir, "x.jsonl")
	mustCLI(t, "--warehouse", wh, "query", "-o", jl, "SELECT 1.5::DOUBLE AS a UNION ALL SELECT 2")
	if b, _ := os.ReadFile(jl); string(b) != "{\"a\":1.5}\n{\"a\":2}\n" {
		t.Errorf("jsonl: %q", b)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"query", "--format", "parquet", "SELECT 1"}, "give --output FILE"},
		{[]string{"query", "--output", filepath.Join(dir, "x.xyz"), "SELECT 1"}, "--output"},
		{[]string{"query", " ; -- nothing"}, "no SQL statement"},
	} {
		code, _, errs := cli(t, append([]string{"--warehouse", wh}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.msg)
		}
	}
}

// query's SQL reads the warehouse and nothing else: every statement that
// would read or write a file, fetch an extension or undo the lock fails,
// and leaves the warehouse folder and every other file as they were.
func TestQueryTouchesNoFile(t *testing.T) {
	wh := emptyWarehouse(t)
	db := filepath.Join(wh, warehouse.FileName)
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	whFiles := listTree(t, wh)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.csv")
	if err := os.WriteFile(secret, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	const noFiles, locked = "file system operations are disabled by configuration", "the configuration has been locked"
	for _, tc := range []struct {
		sql, msg string
	}{
		{"COPY (SELECT 1) TO '" + db + "'", noFiles},
		{"COPY (SELECT 1) TO '" + db + "' (FORMAT csv)", noFiles},
		{"COPY (SELECT 1) TO '" + filepath.Join(out, "x.csv") + "'", noFiles},
		{"COPY (SELECT 1) TO '" + filepath.Join(wh, "parquet", "x.parquet") + "' (FORMAT parquet)", noFiles},
		{"COPY (SELECT 1) TO '" + filepath.Join(wh, warehouse.TempDirName, "x.csv") + "'", noFiles},
		{"EXPORT DATABASE '" + filepath.Join(out, "export") + "'", noFiles},
		{"ATTACH '" + filepath.Join(out, "x.duckdb") + "' AS x (READ_WRITE)", noFiles},
		{"ATTACH '" + db + "' AS w (READ_WRITE)", "Cannot attach"},
		{"SELECT * FROM read_csv('" + secret + "')", noFiles},
		{"SELECT * FROM '" + secret + "'", noFiles},
		{"SELECT * FROM read_text('" + secret + "')", noFiles},
		{"SELECT * FROM read_blob('" + secret + "')", noFiles},
		{"SELECT * FROM glob('" + outside + "/*')", noFiles},
		{"SELECT * FROM glob('" + wh + "/*')", noFiles},
		{"INSTALL httpfs", noFiles},
		{"LOAD httpfs", "disabled"},
		{"SET enable_external_access = true", locked},
		{"SET GLOBAL enable_external_access = true", locked},
		{"RESET enable_external_access", locked},
		{"SET lock_configuration = false", locked},
		{"SET allowed_directories = ['" + outside + "']", locked},
		{"SET temp_directory = '" + out + "'", locked},
		{"CREATE TABLE t AS SELECT 1", "read-only"},
	} {
		code, stdout, errs := cli(t, "--warehouse", wh, "query", tc.sql)
		if code != 1 || !strings.Contains(errs, tc.msg) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and %q", tc.sql, code, stdout, errs, tc.msg)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(after, before) {
		t.Error("a query changed the warehouse database")
	}
	if got := listTree(t, wh); got != whFiles {
		t.Errorf("the warehouse folder changed:\n%s\nwas:\n%s", got, whFiles)
	}
	if got := listTree(t, out); got != "" {
		t.Errorf("files written outside: %s", got)
	}
	// The warehouse's own tables and macros still answer.
	if got := mustCLI(t, "--warehouse", wh, "query", "--format", "csv",
		"SELECT count(*) AS n FROM etl_runs; SELECT count(*) AS n FROM trade_flows_as_of(now())"); got != "n\n0\n\nn\n0\n" {
		t.Errorf("reading the warehouse: %q", got)
	}
}

// --output never writes into the warehouse folder, however it is named,
// and replaces an existing file only with --force.
func TestQueryOutputRefusesTheWarehouseAndExistingFiles(t *testing.T) {
	wh := emptyWarehouse(t)
	db := filepath.Join(wh, warehouse.FileName)
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(wh, link); err != nil {
		t.Fatal(err)
	}
	fileLink := filepath.Join(t.TempDir(), "out.csv")
	if err := os.Symlink(db, fileLink); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.csv")
	if err := os.WriteFile(existing, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--output", db}, "inside the warehouse folder"},
		{[]string{"--format", "csv", "--output", db}, "inside the warehouse folder"},
		{[]string{"--format", "csv", "--output", db, "--force"}, "inside the warehouse folder"},
		{[]string{"--output", filepath.Join(wh, "parquet", "x.parquet")}, "inside the warehouse folder"},
		{[]string{"--output", filepath.Join(wh, "new.csv")}, "inside the warehouse folder"},
		{[]string{"--output", filepath.Join(wh, "..", filepath.Base(wh), "new.csv")}, "inside the warehouse folder"},
		{[]string{"--output", filepath.Join(link, "new.csv")}, "inside the warehouse folder"},
		{[]string{"--output", fileLink, "--force"}, "inside the warehouse folder"},
		{[]string{"--output", existing}, "exists: give --force"},
		{[]string{"--output", dir, "--format", "csv"}, "is a folder"},
	} {
		code, _, errs := cli(t, append(append([]string{"--warehouse", wh, "query"}, tc.args...), "SELECT 1")...)
		if code != 2 || !strings.Contains(errs, tc.msg) {
			t.Errorf("query %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), code, errs, tc.msg)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(after, before) {
		t.Error("--output changed the warehouse database")
	}
	if _, err := os.Stat(filepath.Join(wh, "new.csv")); err == nil {
		t.Error("--output wrote into the warehouse folder")
	}
	if b, _ := os.ReadFile(existing); string(b) != "old\n" {
		t.Errorf("an existing file was replaced without --force: %q", b)
	}
	mustCLI(t, "--warehouse", wh, "query", "--output", existing, "--force", "SELECT 2 AS n")
	if b, _ := os.ReadFile(existing); string(b) != "n\n2\n" {
		t.Errorf("--force: %q", b)
	}
}

// listTree lists the files under dir, one per line, with their sizes.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s %d\n", rel, fi.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
