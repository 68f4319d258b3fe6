package sheet

import (
	"bytes"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tradewh/tradewh/etl"
)

// FuzzSheetHeader reads a CSV file's first row as a header and looks want
// up in it. LF and CRLF line ends read the same cells; every column is
// found by the name rejections give it (or the name is said to match
// several columns); a lookup ignores case and finds a column that has
// text. Its seeds are in testdata/fuzz/FuzzSheetHeader.
func FuzzSheetHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, want string) {
		g, err := readCSV(data, ',', false)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error that says nothing")
			}
			return
		}
		lf := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), nil)
		crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
		a, errA := readCSV(lf, ',', false)
		b, errB := readCSV(crlf, ',', false)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("LF reads with error %v, CRLF with %v", errA, errB)
		}
		if errA == nil && (!reflect.DeepEqual(a.cells, b.cells) || !reflect.DeepEqual(a.oversized, b.oversized)) {
			t.Fatalf("LF and CRLF read differently: %q, then %q", a.cells, b.cells)
		}

		h := locate(g, 1, 0)
		for i, c := range h.cols {
			if c.name == "" {
				continue
			}
			col, err := h.find(c.name, g)
			if (err == nil && col != i+1) || (err != nil && !strings.Contains(err.Error(), "matches")) {
				t.Fatalf("column %d is named %q, which finds column %d (%v)", i+1, c.name, col, err)
			}
		}
		col, err := h.find(want, g)
		if err == nil && (col < 1 || col > len(h.cols) || len(h.cols[col-1].parts) == 0) {
			t.Fatalf("%q found column %d of %d, which has no text", want, col, len(h.cols))
		}
		if !utf8.ValidString(want) {
			return
		}
		lower, errLower := h.find(strings.ToLower(want), g)
		if lower != col || (err == nil) != (errLower == nil) {
			t.Fatalf("%q finds column %d (%v) but %q column %d (%v)", want, col, err, strings.ToLower(want), lower, errLower)
		}
	})
}

// FuzzSheetValue reads one cell as each kind of column. A blank cell is
// no value and no error; an error comes with no value (or a zero one); a number is finite
// and written out again reads back the same; a period starts at midnight
// UTC (a year on 1 January, a month on its first day); codes, countries,
// slugs and flows read back as themselves. Its seeds are in
// testdata/fuzz/FuzzSheetValue.
func FuzzSheetValue(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, s string, xlsx, date1904, decimalComma bool) {
		k := valueKind(int(kind) % (int(kBool) + 1))
		cx := cellCtx{xlsx: xlsx, date1904: date1904 && xlsx, decimalComma: decimalComma && !xlsx}
		v, err := parseValue(k, s, cx)
		v2, err2 := parseValue(k, s, cx)
		if !reflect.DeepEqual(v, v2) || (err == nil) != (err2 == nil) {
			t.Fatalf("kind %d %q read twice: %v (%v), then %v (%v)", k, s, v, err, v2, err2)
		}
		switch {
		case err != nil:
			if (v != nil && !reflect.ValueOf(v).IsZero()) || err.Error() == "" {
				t.Fatalf("kind %d %q: %v with error %v", k, s, v, err)
			}
			return
		case cleanCell(s) == "":
			if v != nil {
				t.Fatalf("kind %d: blank %q read as %v", k, s, v)
			}
			return
		}
		same := func(v any) {
			t.Helper()
			again, err := parseValue(k, v.(string), cellCtx{})
			if err != nil || again != v {
				t.Fatalf("kind %d %q read as %q, which reads as %v (%v)", k, s, v, again, err)
			}
		}
		finite := func(x *float64) {
			t.Helper()
			if x != nil && (math.IsNaN(*x) || math.IsInf(*x, 0)) {
				t.Fatalf("kind %d %q read as %v", k, s, *x)
			}
		}
		switch k {
		case kText:
			if v != cleanCell(s) {
				t.Fatalf("text %q read as %q", s, v)
			}
		case kSlug, kCountry, kFlow:
			same(v)
		case kHSCode:
			same(v)
			if !etl.ValidHSCode(v.(string)) {
				t.Fatalf("HS code %q read as %q", s, v)
			}
		case kNumber:
			x := v.(*float64)
			finite(x)
			if x == nil {
				t.Fatalf("number %q read as no number", s)
			}
			out := strconv.FormatFloat(*x, 'g', -1, 64)
			again, err := parseValue(kNumber, out, cellCtx{})
			if err != nil || again == nil || *again.(*float64) != *x {
				t.Fatalf("number %q read as %v, written out as %q reads as %v (%v)", s, *x, out, again, err)
			}
		case kQualified:
			q := v.(etl.Qualified)
			finite(q.Value)
			if (q.Value == nil && q.Qualifier == "") || !strings.Contains(",,W,NA,E,>,<,", ","+q.Qualifier+",") {
				t.Fatalf("statistic %q read as %v %q", s, q.Value, q.Qualifier)
			}
		case kPeriod:
			p := v.(period)
			y, m, d := p.start.Date()
			if p.start.Location() != time.UTC || p.start.Hour()+p.start.Minute()+p.start.Second()+p.start.Nanosecond() != 0 ||
				(p.kind == 'A' && (m != 1 || d != 1)) || (p.kind == 'M' && d != 1) || y < 0 || y > 9999 || !strings.ContainsRune("AMD", rune(p.kind)) {
				t.Fatalf("period %q read as %c %v", s, p.kind, p.start)
			}
		case kYear:
			if y := v.(int); y < 0 || y > 9999 {
				t.Fatalf("year %q read as %d", s, y)
			}
		case kFreq:
			if v != "A" && v != "M" {
				t.Fatalf("frequency %q read as %v", s, v)
			}
		case kBool:
			_ = v.(bool)
		case kQualifier:
			if !strings.Contains(",W,NA,E,>,<,", ","+v.(string)+",") {
				t.Fatalf("qualifier %q read as %v", s, v)
			}
		}
	})
}
