package usgsmcs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tradewh/tradewh/etl"
)

// dataDir finds the shared real data next to the repository, or skips.
func dataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(d, "usgs")); err != nil {
		t.Skipf("real USGS data not found at %s (absent on a fresh clone): %v", d, err)
	}
	return d
}

// stat is a written row, read back from the Arrow batches.
type stat struct {
	Edition, Commodity, Country, Measure, Product, Unit, Qualifier, Ref, Column string
	Year                                                                        int
	Value                                                                       *float64
	Row                                                                         int64
}

// run extracts paths into a MemorySink and returns the rows and rejections.
func run(t *testing.T, edition string, paths ...string) ([]stat, []etl.Rejection) {
	t.Helper()
	src := &Source{Paths: paths, Edition: edition}
	sink := &etl.MemorySink{}
	defer sink.Release()
	if err := src.Extract(context.Background(), sink); err != nil {
		t.Fatalf("Extract(%v): %v", paths, err)
	}
	var out []stat
	for _, rec := range sink.Records[etl.MineralStatistics] {
		col := func(i int) *array.String { return rec.Column(i).(*array.String) }
		val := rec.Column(6).(*array.Float64)
		for r := 0; r < int(rec.NumRows()); r++ {
			s := stat{Edition: col(0).Value(r), Commodity: col(1).Value(r),
				Year:    int(rec.Column(2).(*array.Int32).Value(r)),
				Country: col(3).Value(r), Measure: col(4).Value(r), Product: col(5).Value(r),
				Unit: col(7).Value(r), Ref: col(10).Value(r),
				Row: rec.Column(11).(*array.Int64).Value(r), Column: col(12).Value(r)}
			if !col(8).IsNull(r) {
				s.Qualifier = col(8).Value(r)
			}
			if !val.IsNull(r) {
				v := val.Value(r)
				s.Value = &v
			}
			out = append(out, s)
		}
	}
	if int64(len(out)) != src.Written {
		t.Errorf("Written = %d, rows in sink = %d", src.Written, len(out))
	}
	if int64(len(sink.Rejections)) != src.Rejected {
		t.Errorf("Rejected = %d, rejections in sink = %d", src.Rejected, len(sink.Rejections))
	}
	return out, sink.Rejections
}

// find returns the rows of one cell: source column and year (and country,
// ” for any).
func find(rows []stat, column string, year int, country string) []stat {
	var out []stat
	for _, r := range rows {
		if r.Column == column && r.Year == year && (country == "" || r.Country == country) {
			out = append(out, r)
		}
	}
	return out
}

// one returns the single row of a cell or fails.
func one(t *testing.T, rows []stat, column string, year int, country string) stat {
	t.Helper()
	got := find(rows, column, year, country)
	if len(got) != 1 {
		t.Fatalf("%s %d %s: %d rows, want 1: %+v", column, year, country, len(got), got)
	}
	return got[0]
}

// want checks a row's value (nil = null), qualifier, measure, product and unit.
func want(t *testing.T, r stat, value *float64, qual, measure, product, unit string) {
	t.Helper()
	switch {
	case (value == nil) != (r.Value == nil), value != nil && *value != *r.Value:
		t.Errorf("%s %d: value %v, want %v", r.Column, r.Year, show(r.Value), show(value))
	}
	if r.Qualifier != qual || r.Measure != measure || r.Product != product || r.Unit != unit {
		t.Errorf("%s %d: got (%q, %q, %q, %q), want (%q, %q, %q, %q)", r.Column, r.Year,
			r.Qualifier, r.Measure, r.Product, r.Unit, qual, measure, product, unit)
	}
}

func show(v *float64) any {
	if v == nil {
		return "null"
	}
	return *v
}
