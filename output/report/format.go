package report

import (
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
)

func pct1(v float64) string { return fmt.Sprintf("%.1f %%", v*100) }
func pct0(v float64) string { return fmt.Sprintf("%.0f %%", v*100) }
func pctOrNA(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return pct1(v.Float64)
}
func ppSigned(v float64) string {
	if math.Abs(v) < 0.05 {
		return "±0 pp"
	}
	return fmt.Sprintf("%+.0f pp", v)
}
func ppOrNA(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return fmt.Sprintf("%+.1f", v.Float64)
}

// thousands formats a number rounded to an integer with thin grouping.
func thousands(v float64) string {
	neg := v < 0
	s := strconv.FormatFloat(math.Round(math.Abs(v)), 'f', 0, 64)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "−" + string(out)
	}
	return string(out)
}

func usd(v float64) string {
	a := math.Abs(v)
	sign := ""
	if v < 0 {
		sign = "−"
	}
	switch {
	case a >= 1e9:
		return fmt.Sprintf("%s%.2f bn", sign, a/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%s%.1f M", sign, a/1e6)
	}
	return sign + thousands(a)
}

func usdOrNA(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return usd(v.Float64)
}

func intOrNA(v sql.NullInt64) string {
	if !v.Valid {
		return "—"
	}
	return strconv.FormatInt(v.Int64, 10)
}

// pctChange formats a relative change: "+69 %", "−80 %".
func pctChange(r float64) string {
	p := math.Round(r * 100)
	switch {
	case p > 0:
		return "+" + grouped(p, 0) + " %"
	case p < 0:
		return grouped(p, 0) + " %"
	}
	return "±0 %"
}

func num2(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return fmt.Sprintf("%.2f", v.Float64)
}

func numOrNA(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return thousands(v.Float64)
}

func withUnit(v sql.NullFloat64, unit sql.NullString) string {
	if !v.Valid {
		return "—"
	}
	return strings.TrimSpace(thousands(v.Float64) + " " + unit.String)
}

func signedUSD(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	if v.Float64 > 0 {
		return "+" + usd(v.Float64)
	}
	return usd(v.Float64)
}
