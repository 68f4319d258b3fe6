package usgsmcs

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// cleanText normalises the spacing of a cell or name: byte-order mark,
// no-break spaces and runs of spaces.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\ufeff", "")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.Join(strings.Fields(s), " ")
}

var (
	// "Less than ½ unit", "Less than 1/2 unit.", "Less than one-half unit":
	// the USGS way of printing a figure that rounds to zero.
	halfUnit = regexp.MustCompile(`(?i)^less than (1/2|½|a half|one-half|one half) unit\.?$`)
	// "Less than 500 carats." in a table kept in millions of carats.
	lessThanCarats = regexp.MustCompile(`(?i)^less than ([0-9][0-9,.]*) carats?\.?$`)
	// an estimate mark before the figure: "e150", " e24,000"
	leadingEstimate = regexp.MustCompile(`^e([0-9])`)
	// a bound in words: "Less than 50,000 tons", "More than 90 percent"
	wordBound = regexp.MustCompile(`(?i)^(less than|under|below|more than|greater than|over|above)\s+([0-9][0-9,.]*)\s*(.*?)\.?$`)
	// a range: "50–300", "500 - 1,000"
	rangeCell = regexp.MustCompile(`^([0-9][0-9,.]*)\s*[–—-]\s*([0-9][0-9,.]*)$`)
)

// boundUnits are the unit words of bounds written in words, by the base
// unit they are given in (the figure is then not scaled by the column's
// power of ten: "Less than 50,000 tons" is 50,000 t in a column of kt).
var boundUnits = map[string]string{
	"t": "t", "ton": "t", "tons": "t", "tonnes": "t", "metric ton": "t", "metric tons": "t",
	"kg": "kg", "kilogram": "kg", "kilograms": "kg",
	"percent": "pct", "%": "pct", "carats": "carats", "carat": "carats",
}

// parseBound reads "Less than 50,000 tons" as 50,000 t with '<'.
func parseBound(s string, u unitDef) (v *float64, qual string, err error) {
	m := wordBound.FindStringSubmatch(s)
	if m == nil {
		return nil, "", errNoMatch
	}
	qual = "<"
	if w := strings.ToLower(m[1]); w != "less than" && w != "under" && w != "below" {
		qual = ">"
	}
	n, err := etl.ParseNumber(m[2])
	if errors.Is(err, etl.ErrNotThousands) {
		return nil, "", err
	}
	if err != nil || n == nil {
		return nil, "", fmt.Errorf("%q: the bound is not a number", s)
	}
	word := strings.ToLower(strings.TrimSpace(m[3]))
	if word == "" {
		return etl.F(scale(*n, u.exp)), qual, nil
	}
	base, ok := boundUnits[word]
	if !ok || base != u.unit {
		return nil, "", fmt.Errorf("%q: a bound in %q where the column is in %s", s, m[3], u.unit)
	}
	return n, qual, nil
}

var errNoMatch = fmt.Errorf("no match")

// parseCell reads one statistics cell for unit u. It returns ok=false for
// an empty cell, or an error saying why the cell is not a figure.
func parseCell(raw string, u unitDef) (v *float64, qual string, ok bool, err error) {
	defer func() {
		// a figure that overflows once scaled to the base unit is none
		if err == nil && ((v != nil && math.IsInf(*v, 0)) || strings.Contains(qual, "Inf")) {
			v, qual, ok, err = nil, "", false, fmt.Errorf("%q is too large a figure once in %s", strings.TrimSpace(raw), u.unit)
		}
	}()
	s := cleanText(raw)
	if s == "" {
		return nil, "", false, nil
	}
	s = strings.ReplaceAll(s, "\u2212", "-") // Unicode minus: net government receipts
	s = leadingEstimate.ReplaceAllString(s, "$1")
	if halfUnit.MatchString(s) {
		return etl.F(scale(0.5, u.exp)), "<", true, nil
	}
	if m := lessThanCarats.FindStringSubmatch(s); m != nil && u.unit == "carats" {
		n, perr := etl.ParseNumber(m[1])
		if perr == nil && n != nil {
			return n, "<", true, nil // already in carats, the base unit
		}
		if errors.Is(perr, etl.ErrNotThousands) {
			return nil, "", false, perr
		}
	}
	if v, q, err := parseBound(s, u); err != errNoMatch {
		return v, q, err == nil, err
	}
	if m := rangeCell.FindStringSubmatch(s); m != nil {
		lo, err1 := etl.ParseNumber(m[1])
		hi, err2 := etl.ParseNumber(m[2])
		if err := errors.Join(err1, err2); errors.Is(err, etl.ErrNotThousands) {
			return nil, "", false, err
		}
		if err1 == nil && err2 == nil && lo != nil && hi != nil && *lo <= *hi {
			// a range has no one value: both bounds stay in the qualifier
			return nil, "range " + fmtNum(scale(*lo, u.exp)) + "-" + fmtNum(scale(*hi, u.exp)), true, nil
		}
	}
	if strings.HasSuffix(s, "%") && u.kind == kindPercent {
		s = strings.TrimSpace(strings.TrimSuffix(s, "%")) // ">50%" in a column of percent
	}
	q, perr := etl.ParseQualified(s)
	if errors.Is(perr, etl.ErrNotThousands) {
		return nil, "", false, perr
	}
	if perr != nil {
		return nil, "", false, fmt.Errorf("%q is neither a number nor a known qualifier (W, NA, E, >n, <n, a range n-m)", strings.TrimSpace(raw))
	}
	if q.Value != nil {
		q.Value = etl.F(scale(*q.Value, u.exp))
	}
	return q.Value, q.Qualifier, true, nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// scale multiplies v by 10^exp as a decimal shift, so that 0.14 million
// carats is exactly 140000 carats and 43 cents exactly 0.43 dollars.
func scale(v float64, exp int) float64 {
	if exp == 0 {
		return v
	}
	s := strconv.FormatFloat(v, 'e', -1, 64)
	i := strings.IndexByte(s, 'e')
	e, _ := strconv.Atoi(s[i+1:])
	out, err := strconv.ParseFloat(s[:i]+"e"+strconv.Itoa(e+exp), 64)
	if err != nil {
		return v * pow10(exp)
	}
	return out
}

func pow10(n int) float64 {
	f := 1.0
	for ; n > 0; n-- {
		f *= 10
	}
	for ; n < 0; n++ {
		f /= 10
	}
	return f
}
