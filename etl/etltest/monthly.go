package etltest

import (
	"strconv"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// MonthlyRow is one row of a reporter's monthly exports by partner.
type MonthlyRow struct {
	Month   string // YYYY-MM-01
	Partner string // ISO3
	Value   float64
	Kg      float64
}

// ReadMonthlyByPartner reads a monthly CSV of exports by partner (period,
// partner name, HS code, value, quantity) as the sheet job maps it, with
// nothing but encoding/csv and the country table: the rows whose partner
// name resolves (the rows a load does not reject), and how many did not.
func ReadMonthlyByPartner(t testing.TB, path string) ([]MonthlyRow, int) {
	t.Helper()
	recs := ReadCSV(t, path)
	var out []MonthlyRow
	unresolved := 0
	for _, r := range recs[1:] {
		c, ok := etl.CountryByName(r[1])
		if !ok {
			unresolved++
			continue
		}
		v, err1 := strconv.ParseFloat(r[3], 64)
		q, err2 := strconv.ParseFloat(r[4], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %v: %v %v", r, err1, err2)
		}
		out = append(out, MonthlyRow{r[0], c.ISO3, v, q})
	}
	return out, unresolved
}
