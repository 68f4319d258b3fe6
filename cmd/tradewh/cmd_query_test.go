package main

import (
	"context"
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
	out := mustCLI(t, "--warehouse", wh, "query", "--format", "csv", "SELECT count(*) AS n, max(v) AS m FROM read_parquet('"+pq+"')")
	if out != "n,m\n3000,12345681900.5\n" {
		t.Errorf("parquet read back: %q", out)
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
