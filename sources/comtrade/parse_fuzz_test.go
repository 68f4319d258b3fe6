package comtrade

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// fileRun is what one saved file loads as, its path taken out so that two
// copies of a file compare equal.
type fileRun struct {
	flows  []etl.TradeFlow
	rej    []etl.Rejection
	failed bool
}

// loadFile writes data to a file named name of its own and extracts it
// with kind.
func loadFile(t *testing.T, kind, name string, data []byte) fileRun {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sink, err := etltest.Extract(t, etltest.Build(t, kind, map[string]any{"paths": []any{path}}, etl.Runtime{}))
	var run fileRun
	if err != nil {
		if !strings.HasPrefix(err.Error(), kind+": "+path+": ") {
			t.Fatalf("the error does not name the file: %v", err)
		}
		run.failed = true
	}
	run.flows = etltest.TradeFlows(t, sink)
	run.rej = sink.Rejections
	for i := range run.flows {
		if run.flows[i].Ref != path || run.flows[i].Source != SourceName {
			t.Fatalf("row %d: source %q ref %q, want %q %q", run.flows[i].Row, run.flows[i].Source, run.flows[i].Ref, SourceName, path)
		}
		run.flows[i].Ref = ""
	}
	for i := range run.rej {
		if run.rej[i].Ref != path || run.rej[i].Source != SourceName {
			t.Fatalf("rejection %v: source %q, ref not %q", run.rej[i], run.rej[i].Source, path)
		}
		run.rej[i].Ref = ""
	}
	return run
}

// checkRecords asserts that records 1 to n (n < 0 when not known) each
// loaded as one row or one rejection, that figures are finite, and that a
// rejection says why.
func checkRecords(t *testing.T, run fileRun, n int) {
	t.Helper()
	seen := map[int64]bool{}
	once := func(row int64) {
		if row < 1 || (n >= 0 && row > int64(n)) || seen[row] {
			t.Fatalf("record %d loaded twice or out of 1..%d", row, n)
		}
		seen[row] = true
	}
	for _, f := range run.flows {
		once(f.Row)
		for _, v := range []*float64{f.ValueUSD, f.NetWeightKg, f.Quantity} {
			if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
				t.Fatalf("row %d: a figure is %v", f.Row, *v)
			}
		}
		if f.Period.IsZero() || f.Period.Day() != 1 || (f.Freq != "A" && f.Freq != "M") || len(f.Reporter) != 3 {
			t.Fatalf("row %d: %+v", f.Row, f)
		}
	}
	for _, r := range run.rej {
		once(r.Row)
		if r.Reason == "" {
			t.Fatalf("rejection %+v says not why", r)
		}
	}
	if !run.failed && n >= 0 && len(seen) != n {
		t.Fatalf("%d of %d records loaded or rejected", len(seen), n)
	}
}

// csvRecords counts the data records a CSV file holds, -1 when it is no
// CSV at all.
func csvRecords(data []byte) int {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil || len(recs) == 0 {
		return -1
	}
	return len(recs) - 1
}

// FuzzComtradeCSV reads whole comtrade-csv files: each data record loads
// as one row or one rejection, figures are finite, and LF and CRLF line
// ends load the same. Its seeds are in testdata/fuzz/FuzzComtradeCSV.
func FuzzComtradeCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRecords(t, loadFile(t, KindCSV, "records.csv", data), -1)
		lf := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), nil)
		crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
		a, b := loadFile(t, KindCSV, "records.csv", lf), loadFile(t, KindCSV, "records.csv", crlf)
		n := -1
		if !a.failed {
			n = csvRecords(lf)
		}
		checkRecords(t, a, n)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("LF and CRLF load differently:\n LF   %+v\n CRLF %+v", a, b)
		}
	})
}

// FuzzComtradeJSON reads whole comtrade-json files (saved v1 response
// bodies): each element of data loads as one row or one rejection,
// figures are finite, and a byte-order mark changes nothing. Its seeds
// are in testdata/fuzz/FuzzComtradeJSON.
func FuzzComtradeJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		a := loadFile(t, KindJSON, "response.json", data)
		n := -1
		if info, err := readV1(bytes.NewReader(data), nil); err == nil && !a.failed {
			n = info.Rows
		}
		checkRecords(t, a, n)
		if bytes.HasPrefix(data, []byte("\ufeff")) {
			return
		}
		if b := loadFile(t, KindJSON, "response.json", append([]byte("\ufeff"), data...)); !reflect.DeepEqual(a, b) {
			t.Fatalf("a byte-order mark changes the load:\n without %+v\n with    %+v", a, b)
		}
	})
}

// FuzzComtradeV1Response reads v1 response bodies as the API sends them:
// records come 0, 1, 2, ... in order, each the object its raw text holds;
// a body read succeeds only when it is a JSON object whose count (when
// given) is its rows; a read without records agrees; a byte-order mark
// changes nothing. Its seeds are in testdata/fuzz/FuzzComtradeV1Response.
func FuzzComtradeV1Response(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		type rec struct {
			i   int
			rec map[string]any
		}
		read := func(body []byte) ([]rec, v1Info, error) {
			var recs []rec
			info, err := readV1(bytes.NewReader(body), func(i int, r map[string]any, raw json.RawMessage) error {
				if i != len(recs) {
					t.Fatalf("record %d came after %d records", i, len(recs))
				}
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.UseNumber()
				var again map[string]any
				if err := dec.Decode(&again); err != nil || !reflect.DeepEqual(again, r) {
					t.Fatalf("record %d: %v is not what its raw text %s holds (%v)", i, r, raw, err)
				}
				recs = append(recs, rec{i, r})
				return nil
			})
			return recs, info, err
		}
		recs, info, err := read(body)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error that says nothing")
			}
		} else {
			if s := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\ufeff")), " \t\r\n"); len(s) == 0 || s[0] != '{' {
				t.Fatalf("a body that is no JSON object read as %d rows", info.Rows)
			}
			if info.Rows != len(recs) || (info.HasCount && info.Count != info.Rows) {
				t.Fatalf("info %+v after %d records", info, len(recs))
			}
			if scan, err := readV1(bytes.NewReader(body), nil); err != nil || scan != info {
				t.Fatalf("read without records: %+v, %v; with records: %+v", scan, err, info)
			}
		}
		if bytes.HasPrefix(body, []byte("\ufeff")) {
			return
		}
		recs2, info2, err2 := read(append([]byte("\ufeff"), body...))
		if !reflect.DeepEqual(recs, recs2) || info != info2 || (err == nil) != (err2 == nil) {
			t.Fatalf("a byte-order mark changes the read: %+v %v, then %+v %v", info, err, info2, err2)
		}
	})
}
