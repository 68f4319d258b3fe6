package gen_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/bench/gen"
	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/baci"
)

func generate(t *testing.T, rows int, seed int64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gen.Generate(&b, rows, seed, 2023); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	a, b, c := generate(t, 5000, 7), generate(t, 5000, 7), generate(t, 5000, 8)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different output")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds, same output")
	}
}

// The file has BACI's shape: exact row count, one row per exporter,
// importer and product, BACI's sort order, dropped leading zeros, padded
// NA quantities, the commodity groups' codes and BACI-like cardinalities.
func TestShape(t *testing.T) {
	const rows = 200_000
	data := generate(t, rows, 1)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Scan()
	if sc.Text() != gen.Header {
		t.Fatalf("header %q", sc.Text())
	}
	seen := map[string]bool{}
	exporters, importers, products := map[string]int{}, map[string]int{}, map[string]int{}
	n, na, short := 0, 0, 0
	prev := [3]int{}
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) != 6 || f[0] != "2023" {
			t.Fatalf("line %d: %q", n+2, sc.Text())
		}
		n++
		key := f[1] + "," + f[2] + "," + f[3]
		if seen[key] {
			t.Fatalf("line %d: %s repeated", n+1, key)
		}
		seen[key] = true
		var cur [3]int
		for i := range cur {
			cur[i], _ = strconv.Atoi(f[i+1])
		}
		if cur[0] < prev[0] || (cur[0] == prev[0] && (cur[1] < prev[1] || (cur[1] == prev[1] && cur[2] < prev[2]))) {
			t.Fatalf("line %d: %v after %v breaks the (i, j, k) order", n+1, cur, prev)
		}
		prev = cur
		exporters[f[1]]++
		importers[f[2]]++
		products[f[3]]++
		if len(f[3]) == 5 {
			short++
		}
		if f[5] == "           NA" {
			na++
		} else if _, err := strconv.ParseFloat(f[5], 64); err != nil {
			t.Fatalf("line %d: quantity %q", n+1, f[5])
		}
		if dot := strings.IndexByte(f[4], '.'); dot < 0 || len(f[4])-dot != 4 {
			t.Fatalf("line %d: value %q lacks 3 decimals", n+1, f[4])
		}
	}
	if n != rows {
		t.Errorf("%d rows, want %d", n, rows)
	}
	if share := float64(na) / rows; share < 0.04 || share > 0.06 {
		t.Errorf("%.3f of quantities missing, want about 0.05", share)
	}
	if short == 0 {
		t.Error("no product of chapters 01-09 written without its leading zero")
	}
	if len(exporters) < 200 || len(importers) < 200 || len(products) < 5000 {
		t.Errorf("%d exporters, %d importers, %d products; want BACI-like counts", len(exporters), len(importers), len(products))
	}
	for _, c := range etl.AllGroupCodes() {
		if len(c) == 6 && products[strings.TrimPrefix(c, "0")] == 0 {
			t.Errorf("commodity group code %s never generated", c)
		}
	}
	// Zipf-like skew: the busiest product carries far more than the average.
	top := 0
	for _, c := range products {
		top = max(top, c)
	}
	if avg := rows / len(products); top < 20*avg {
		t.Errorf("busiest product has %d rows, average %d: no skew", top, avg)
	}
}

func TestTooManyRows(t *testing.T) {
	if err := gen.Generate(&bytes.Buffer{}, 300_000_000, 1, 2022); err == nil {
		t.Error("more rows than country pairs times products must fail")
	}
}

// Every generated row loads through the baci kind with the generated
// country codes: no row is rejected.
func TestLoadsWithoutRejections(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, gen.FileName(2023)), generate(t, 20_000, 3), 0o644); err != nil {
		t.Fatal(err)
	}
	var cc bytes.Buffer
	if err := gen.WriteCountryCodes(&cc); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(cc.String(), "\n"); lines != gen.NumCountries+1 {
		t.Errorf("country codes file has %d lines, want %d", lines, gen.NumCountries+1)
	}
	if err := os.WriteFile(filepath.Join(dir, gen.CountryCodesFileName), cc.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src, _, err := etl.BuildSource(etl.JobSpec{Name: "t", Kind: baci.Kind,
		Config: map[string]any{"paths": []any{filepath.Join(dir, "BACI_*.csv")}, "hs_codes": []any{"*"}}}, etl.Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	sink := &etl.MemorySink{}
	defer sink.Release()
	if err := src.Extract(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.Rejections) > 0 {
		t.Fatalf("%d rejections, first %s", len(sink.Rejections), sink.Rejections[0])
	}
	if got := sink.Rows(etl.TradeFlows); got != 20_000 {
		t.Errorf("%d rows loaded, want 20000", got)
	}
}

// Random rows come in no order, repeat keys about as chance predicts, and
// GenerateRandom counts the repeats as a reader of the file would.
func TestGenerateRandom(t *testing.T) {
	const rows = 200_000
	var b bytes.Buffer
	repeats, err := gen.GenerateRandom(&b, rows, 5, 2022)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	sc.Scan()
	if sc.Text() != gen.Header {
		t.Fatalf("header %q", sc.Text())
	}
	seen := map[string]bool{}
	n, again, descents := 0, 0, 0
	prev := ""
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) != 6 || f[0] != "2022" || f[1] == f[2] {
			t.Fatalf("line %d: %q", n+2, sc.Text())
		}
		key := f[1] + "," + f[2] + "," + f[3]
		if seen[key] {
			again++
		}
		seen[key] = true
		if key < prev {
			descents++
		}
		prev = key
		n++
	}
	if n != rows {
		t.Fatalf("%d rows, want %d", n, rows)
	}
	if again != repeats {
		t.Errorf("file repeats %d keys, GenerateRandom counted %d", again, repeats)
	}
	// rows²/(2 keys) is about 61 here.
	if repeats < 30 || repeats > 100 {
		t.Errorf("%d repeats in %d random rows, expected about 61", repeats, rows)
	}
	if descents < rows/3 {
		t.Errorf("only %d of %d rows come before their predecessor: not in random order", descents, rows)
	}
}
