package census

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// censusRow is one data row of a response as the source maps it.
type censusRow struct {
	n           int64
	tf          etl.TradeFlow
	skip        bool
	column, why string
}

// readResponse reads body as a response to an HS6 import request and maps
// each data row.
func readResponse(t *testing.T, c Config, body []byte) ([]censusRow, error) {
	t.Helper()
	var rows []censusRow
	err := readTable(bytes.NewReader(body), append(c.getVars(FlowImport), "time"), func(n int64, tb table, row []string) error {
		m := rowMapper{flow: FlowImport, v: c.vars(FlowImport), t: tb, lvl: c.Digits()}
		tf, skip, col, why := m.toFlow(row)
		rows = append(rows, censusRow{n, tf, skip, col, why})
		return nil
	})
	return rows, err
}

// FuzzCensusResponse reads Census API response bodies. A body reads only
// when it is a JSON array; data rows come numbered 1, 2, 3, ...; a mapped
// row is a month of a 6-digit code with finite figures, a quantity only
// with its unit; a rejected row names its variable (none when its cells
// do not match the header) and why; CRLF and LF read the same. Its seeds
// are in testdata/fuzz/FuzzCensusResponse.
func FuzzCensusResponse(f *testing.F) {
	raw, probs := Spec.Validate(map[string]any{"commodities": []any{"gallium_germanium"}, "from": "2024-01", "to": "2024-12", "flows": []any{"import"}})
	if len(probs) > 0 {
		f.Fatal(probs)
	}
	c, err := ParseConfig(raw, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	v := c.vars(FlowImport)
	columns := map[string]bool{"CTY_CODE": true, "time": true, v.commodity: true, v.value: true, v.quantity: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, err := readResponse(t, c, body)
		if err == nil {
			if s := bytes.TrimLeft(body, " \t\r\n"); len(s) == 0 || s[0] != '[' {
				t.Fatalf("a body that is no JSON array read as %d rows", len(rows))
			}
		} else if err.Error() == "" {
			t.Fatal("an error that says nothing")
		}
		for i, r := range rows {
			if r.n != int64(i)+1 {
				t.Fatalf("data row %d numbered %d", i+1, r.n)
			}
			switch {
			case r.skip:
			case r.why != "":
				if (r.column == "" && !strings.Contains(r.why, "where the header has")) || (r.column != "" && !columns[r.column]) {
					t.Fatalf("row %d rejected at column %q: %s", r.n, r.column, r.why)
				}
			default:
				tf := r.tf
				if tf.Freq != "M" || tf.Period.Day() != 1 || tf.Period.Location() != time.UTC || tf.Period.Hour() != 0 {
					t.Fatalf("row %d: period %v freq %s", r.n, tf.Period, tf.Freq)
				}
				if len(tf.HSCode) != c.Digits() || !etl.ValidHSCode(tf.HSCode) || tf.Reporter != "USA" || len(tf.Partner) != 3 {
					t.Fatalf("row %d: %+v", r.n, tf)
				}
				for _, x := range []*float64{tf.ValueUSD, tf.Quantity} {
					if x != nil && (math.IsNaN(*x) || math.IsInf(*x, 0)) {
						t.Fatalf("row %d: a figure is %v", r.n, *x)
					}
				}
				if (tf.Quantity == nil) != (tf.QuantityUnit == "") {
					t.Fatalf("row %d: quantity %v in unit %q", r.n, tf.Quantity, tf.QuantityUnit)
				}
			}
		}
		rows2, err2 := readResponse(t, c, bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n")))
		if !reflect.DeepEqual(rows, rows2) || (err == nil) != (err2 == nil) {
			t.Fatalf("LF and CRLF read differently: %d rows (%v), then %d rows (%v)", len(rows), err, len(rows2), err2)
		}
	})
}
