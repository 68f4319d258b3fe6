package usgsmcs

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// qualifiers are what a cell's qualifier may be besides a range.
var qualifiers = map[string]bool{"": true, "<": true, ">": true, "W": true, "NA": true, "E": true}

// checkStat asserts what any figure read from a table satisfies: finite,
// its qualifier a known one, a plain figure never blank, and a range with
// its bounds in order and no one value.
func checkStat(t *testing.T, what string, v *float64, qual string) {
	t.Helper()
	if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
		t.Fatalf("%s: value %v", what, *v)
	}
	if lohi, ok := strings.CutPrefix(qual, "range "); ok {
		lo, hi, _ := strings.Cut(lohi, "-")
		l, err1 := strconv.ParseFloat(lo, 64)
		h, err2 := strconv.ParseFloat(hi, 64)
		if err1 != nil || err2 != nil || l > h || v != nil {
			t.Fatalf("%s: qualifier %q with value %v", what, qual, v)
		}
		return
	}
	if !qualifiers[qual] || (qual == "" && v == nil) || ((qual == "<" || qual == ">") && v == nil) {
		t.Fatalf("%s: qualifier %q with value %v", what, qual, v)
	}
}

// FuzzUSGSCell reads one statistics cell in a column of a given unit
// suffix (t when the suffix is not one of the units table). Only a blank
// cell is no figure and no error; an error comes with no figure; a figure
// satisfies checkStat; and a plain figure written out again reads back as
// the same figure in a column of its base unit. Its seeds are in
// testdata/fuzz/FuzzUSGSCell.
func FuzzUSGSCell(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw, suffix string) {
		u, ok := units[suffix]
		if !ok {
			u = units["t"]
		}
		v, qual, ok, err := parseCell(raw, u)
		v2, qual2, ok2, err2 := parseCell(raw, u)
		if !reflect.DeepEqual(v, v2) || qual != qual2 || ok != ok2 || (err == nil) != (err2 == nil) {
			t.Fatalf("%q read twice: %v %q %v %v, then %v %q %v %v", raw, v, qual, ok, err, v2, qual2, ok2, err2)
		}
		switch {
		case err != nil:
			if ok || v != nil || qual != "" || err.Error() == "" {
				t.Fatalf("%q: error %v with ok %v value %v qualifier %q", raw, err, ok, v, qual)
			}
			return
		case !ok:
			if cleanText(raw) != "" || v != nil || qual != "" {
				t.Fatalf("%q: no figure and no error, but not blank", raw)
			}
			return
		}
		checkStat(t, strconv.Quote(raw), v, qual)
		if qual != "" || v == nil {
			return
		}
		base := unitDef{unit: u.unit, kind: u.kind}
		s := strconv.FormatFloat(*v, 'g', -1, 64)
		w, wq, ok, err := parseCell(s, base)
		if err != nil || !ok || wq != "" || w == nil || *w != *v {
			t.Fatalf("%q read as %v; written out as %q it reads as %v %q %v", raw, *v, s, show(w), wq, err)
		}
	})
}

// usgsRun is what one table file loads as, its path taken out so that two
// copies of a file compare equal.
type usgsRun struct {
	stats  []etl.MineralStat
	rej    []etl.Rejection
	failed bool
}

// loadUSGS writes data as a salient-statistics CSV file of its own and
// extracts it, a file that cannot be read being rejected whole.
func loadUSGS(t *testing.T, data []byte) usgsRun {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mcs2025-raree_salient.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src := &Source{Paths: []string{path}, Logger: slog.New(slog.DiscardHandler)}
	sink := &etl.MemorySink{}
	defer sink.Release()
	err := src.Extract(context.Background(), sink)
	var run usgsRun
	if err != nil {
		if !strings.Contains(err.Error(), path) {
			t.Fatalf("the error does not name the file: %v", err)
		}
		run.failed = true
	}
	run.stats = etltest.MineralStats(t, sink)
	run.rej = sink.Rejections
	if err == nil && int64(len(run.stats)) != src.Written || int64(len(run.rej)) != src.Rejected {
		t.Fatalf("Written %d Rejected %d, but %d rows and %d rejections", src.Written, src.Rejected, len(run.stats), len(run.rej))
	}
	for i := range run.stats {
		if run.stats[i].Ref != path {
			t.Fatalf("row %+v: ref is not %q", run.stats[i], path)
		}
		run.stats[i].Ref = ""
	}
	for i := range run.rej {
		if !strings.HasPrefix(run.rej[i].Ref, path) || run.rej[i].Reason == "" {
			t.Fatalf("rejection %+v: ref is not %q, or no reason", run.rej[i], path)
		}
		run.rej[i].Ref = ""
		run.rej[i].Reason = strings.ReplaceAll(run.rej[i].Reason, path, "FILE")
		run.rej[i].Raw = strings.ReplaceAll(run.rej[i].Raw, path, "FILE")
	}
	return run
}

// FuzzUSGSFile reads whole MCS table files. Every figure satisfies
// checkStat and names the row and column it came from; the counts the
// source reports are its rows and rejections; LF and CRLF line ends load
// the same. Its seeds are in testdata/fuzz/FuzzUSGSFile.
func FuzzUSGSFile(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range loadUSGS(t, data).stats {
			checkStat(t, "row "+strconv.FormatInt(s.Row, 10)+" column "+s.Column, s.Value, s.Qualifier)
			if s.Row < 1 || s.Column == "" || s.Measure == "" {
				t.Fatalf("row %+v names no row, column or measure", s)
			}
		}
		lf := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), nil)
		crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
		if a, b := loadUSGS(t, lf), loadUSGS(t, crlf); !reflect.DeepEqual(a, b) {
			t.Fatalf("LF and CRLF load differently:\n LF   %+v\n CRLF %+v", a, b)
		}
	})
}
