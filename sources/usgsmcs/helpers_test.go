package usgsmcs

import (
	"context"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// run extracts paths into a MemorySink and returns the rows and rejections.
func run(t *testing.T, edition string, paths ...string) ([]etl.MineralStat, []etl.Rejection) {
	t.Helper()
	src := &Source{Paths: paths, Edition: edition}
	sink := &etl.MemorySink{}
	defer sink.Release()
	if err := src.Extract(context.Background(), sink); err != nil {
		t.Fatalf("Extract(%v): %v", paths, err)
	}
	out := etltest.MineralStats(t, sink)
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
func find(rows []etl.MineralStat, column string, year int, country string) []etl.MineralStat {
	var out []etl.MineralStat
	for _, r := range rows {
		if r.Column == column && r.Year == year && (country == "" || r.Country == country) {
			out = append(out, r)
		}
	}
	return out
}

// one returns the single row of a cell or fails.
func one(t *testing.T, rows []etl.MineralStat, column string, year int, country string) etl.MineralStat {
	t.Helper()
	got := find(rows, column, year, country)
	if len(got) != 1 {
		t.Fatalf("%s %d %s: %d rows, want 1: %+v", column, year, country, len(got), got)
	}
	return got[0]
}

// want checks a row's value (nil = null), qualifier, measure, product and unit.
func want(t *testing.T, r etl.MineralStat, value *float64, qual, measure, product, unit string) {
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
