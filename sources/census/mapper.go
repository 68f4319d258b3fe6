package census

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// isGrouping reports a CTY_CODE of a country grouping rather than a
// country: codes 0001-0099 (European Union, Pacific Rim, Euro Area, USMCA,
// OPEC, ...) and the continent codes written with X (1XXX North America,
// 4XXX Europe, 5XXX Asia, ...). Their rows add up rows that are present
// country by country. Countries' Schedule C codes are 1000-9999.
func isGrouping(code string) bool {
	return len(code) == 4 && (code[0] == '0' || strings.HasSuffix(code, "XXX"))
}

// partner maps a CTY_CODE to ISO3; skip is set for a grouping.
func partner(code string) (iso3 string, skip bool, reason string) {
	switch {
	case code == WorldCode:
		return etl.WorldISO3, false, ""
	case isGrouping(code):
		return "", true, ""
	case code == "":
		return "", false, "missing CTY_CODE"
	}
	c, ok := etl.CountryByCensus(code)
	if !ok {
		return "", false, fmt.Sprintf("unknown CTY_CODE %q (not a Schedule C code in the countries table)", code)
	}
	return c.ISO3, false, ""
}

// hsRevision is the HS edition US trade statistics use in a year: the US
// adopts each edition on 1 January of its year.
func hsRevision(year int) string {
	switch {
	case year >= 2022:
		return "HS2022"
	case year >= 2017:
		return "HS2017"
	case year >= 2012:
		return "HS2012"
	case year >= 2007:
		return "HS2007"
	}
	return "HS2002"
}

// units maps the API's quantity units to the canonical spelling of
// quantity_unit; others are kept as the API writes them.
var units = map[string]string{
	"KG": "kg", "T": "t", "NO": "u", "L": "l", "M": "m", "M2": "m2", "M3": "m3", "DOZ": "12u", "PRS": "2u",
}

// noUnit are the units of lines without a quantity: X (none collected)
// and '-' (not applicable). Their quantity is a meaningless 0.
var noUnit = map[string]bool{"": true, "X": true, "-": true}

// rowMapper maps rows of one request.
type rowMapper struct {
	flow string
	v    vars
	t    table
	lvl  int // code digits
}

// toFlow maps a data row, or returns the variable at fault and why. skip
// reports a grouping row, which is not loaded on purpose.
func (m rowMapper) toFlow(row []string) (tf etl.TradeFlow, skip bool, column, reason string) {
	if len(row) != m.t.width {
		return tf, false, "", fmt.Sprintf("%d cells where the header has %d", len(row), m.t.width)
	}
	get := func(name string) string { return m.t.get(row, name) }
	var why string
	if tf.Partner, skip, why = partner(get("CTY_CODE")); skip {
		return tf, true, "", ""
	} else if why != "" {
		return tf, false, "CTY_CODE", why
	}
	tm := get("time")
	f, start, err := etl.PeriodStart(tm)
	if err != nil || f != "M" || len(strings.ReplaceAll(tm, "-", "")) != 6 {
		return tf, false, "time", fmt.Sprintf("time %q is not a month YYYY-MM", tm)
	}
	tf.Freq, tf.Period, tf.HSRevision = "M", start, hsRevision(start.Year())
	tf.Reporter, tf.Flow = "USA", m.flow

	code := get(m.v.commodity)
	if len(code) != m.lvl || !etl.ValidHSCode(code) {
		return tf, false, m.v.commodity, fmt.Sprintf("%s %q is not a code of %d digits", m.v.commodity, code, m.lvl)
	}
	tf.HSCode = code
	if tf.ValueUSD, why = number(get(m.v.value)); why != "" {
		return tf, false, m.v.value, m.v.value + " " + why
	}
	unit := get(unitVar)
	if !noUnit[unit] {
		if tf.Quantity, why = number(get(m.v.quantity)); why != "" {
			return tf, false, m.v.quantity, m.v.quantity + " " + why
		}
		if tf.QuantityUnit = units[unit]; tf.QuantityUnit == "" {
			tf.QuantityUnit = unit
		}
		if tf.Quantity == nil {
			tf.QuantityUnit = ""
		}
	}
	return tf, false, "", ""
}

// number parses an optional amount strictly: "" is null, anything that is
// not a finite number is an error (never a silent zero).
func number(s string) (*float64, string) {
	if s == "" {
		return nil, ""
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Sprintf("%q is not a number", s)
	}
	return &f, ""
}
