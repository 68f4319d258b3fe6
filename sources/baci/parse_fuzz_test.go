package baci_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/sources/baci"
)

// baciRun is what one file loads as, its path taken out so that two
// copies of a file compare equal. Only whether the file failed is kept:
// a failure quotes the line at fault as it is, line end and all.
type baciRun struct {
	flows  []etl.TradeFlow
	rej    []etl.Rejection
	failed bool
}

// loadBACI writes data as a BACI file of its own and extracts it, every
// product kept.
func loadBACI(t *testing.T, data []byte) baciRun {
	t.Helper()
	path := filepath.Join(t.TempDir(), "BACI_HS17_Y2022_V202401.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src := etltest.Build(t, baci.Kind, map[string]any{"paths": []any{path}, "hs_codes": []any{"*"}}, etl.Runtime{})
	sink, err := etltest.Extract(t, src)
	var run baciRun
	if err != nil {
		if !strings.HasPrefix(err.Error(), "baci: "+path+": ") {
			t.Fatalf("the error does not name the file: %v", err)
		}
		run.failed = true
	}
	run.flows = etltest.TradeFlows(t, sink)
	run.rej = sink.Rejections
	for i := range run.flows {
		if run.flows[i].Ref != path {
			t.Fatalf("row %d: source_ref %q, want %q", run.flows[i].Row, run.flows[i].Ref, path)
		}
		run.flows[i].Ref = ""
	}
	for i := range run.rej {
		if run.rej[i].Ref != path {
			t.Fatalf("rejection %v: ref is not %q", run.rej[i], path)
		}
		run.rej[i].Ref = ""
	}
	return run
}

// checkBACI asserts what holds of any file: figures are finite and not
// negative, kilograms are the tonnes times 1000, every row and rejection
// has a data row of its own, and a rejection names its column of t,i,j,k,v,q
// (none when the whole row is at fault) and why.
func checkBACI(t *testing.T, run baciRun) {
	t.Helper()
	seen := map[int64]bool{}
	once := func(row int64) {
		if row < 1 || seen[row] {
			t.Fatalf("data row %d emitted twice or out of range", row)
		}
		seen[row] = true
	}
	finite := func(row int64, col string, v *float64) {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0 || math.Signbit(*v)) {
			t.Fatalf("row %d: %s %v is not a finite figure of at least 0", row, col, *v)
		}
	}
	for _, f := range run.flows {
		once(f.Row)
		finite(f.Row, "value_usd", f.ValueUSD)
		finite(f.Row, "quantity", f.Quantity)
		finite(f.Row, "net_weight_kg", f.NetWeightKg)
		if (f.Quantity == nil) != (f.NetWeightKg == nil) {
			t.Fatalf("row %d: quantity %v but net weight %v", f.Row, f.Quantity, f.NetWeightKg)
		}
		if f.Quantity != nil && math.Abs(*f.NetWeightKg-*f.Quantity*1000) > 1e-9*math.Max(1, *f.NetWeightKg) {
			t.Fatalf("row %d: %v t weighs %v kg", f.Row, *f.Quantity, *f.NetWeightKg)
		}
		if y := f.Period.Year(); y < 1900 || y > 2200 || f.Period.YearDay() != 1 || f.Freq != "A" {
			t.Fatalf("row %d: period %v freq %s", f.Row, f.Period, f.Freq)
		}
		if len(f.Reporter) != 3 || len(f.Partner) != 3 || len(f.HSCode) != 6 || f.Flow != etl.FlowImport {
			t.Fatalf("row %d: %+v", f.Row, f)
		}
	}
	for _, r := range run.rej {
		once(r.Row)
		if (r.Column != "" && !strings.Contains(",t,i,j,k,v,q,", ","+r.Column+",")) || r.Reason == "" || r.Source != baci.Kind {
			t.Fatalf("rejection %+v names no column of t,i,j,k,v,q or no reason", r)
		}
	}
}

// dataRows lists the data rows of a file of LF line ends: the non-empty
// lines after the header, numbered from 1.
func dataRows(lf []byte) map[int64]bool {
	rows := map[int64]bool{}
	lines := bytes.Split(lf, []byte("\n"))
	for i, l := range lines[1:] {
		if len(l) > 0 {
			rows[int64(i)+1] = true
		}
	}
	return rows
}

// FuzzBACIRows reads whole BACI files. Besides what checkBACI asserts of
// any file: once line ends are LF or CRLF, each non-empty data line loads
// as exactly one row or one rejection, and the two line ends load the same.
// Its seeds are in testdata/fuzz/FuzzBACIRows.
func FuzzBACIRows(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkBACI(t, loadBACI(t, data))

		lf := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), nil)
		crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
		a, b := loadBACI(t, lf), loadBACI(t, crlf)
		checkBACI(t, a)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("LF and CRLF load differently:\n LF   %+v\n CRLF %+v", a, b)
		}
		if a.failed {
			return
		}
		got := map[int64]bool{}
		for _, fl := range a.flows {
			got[fl.Row] = true
		}
		for _, r := range a.rej {
			got[r.Row] = true
		}
		if want := dataRows(lf); !reflect.DeepEqual(got, want) {
			t.Fatalf("rows loaded or rejected %v, want the data lines %v", got, want)
		}
	})
}
