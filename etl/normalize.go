package etl

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// TotalCode is UN Comtrade's commodity code of a country's total trade
// over all commodities. It is kept as a code of its own, so that a
// mineral's share of a country's total trade can be computed; it belongs to
// no commodity group, so the marts' group figures never include it.
const TotalCode = "TOTAL"

// ValidHSCode reports whether s is 2 to 10 digits.
func ValidHSCode(s string) bool {
	if len(s) < 2 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeHSCode trims a code and restores a leading zero lost by a
// spreadsheet or a numeric column (HS chapters 01-09 have odd-length codes
// once the zero is dropped: 28461 -> 028461 would be wrong, so only codes
// of odd length below 10 digits are padded).
func NormalizeHSCode(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ".0")
	s = strings.ReplaceAll(s, ".", "")
	if len(s)%2 == 1 && len(s) < 10 {
		s = "0" + s
	}
	return s
}

// Qualified is a number read from a statistical table: a value, a
// qualifier, or both ('>95' is 95 with qualifier '>').
type Qualified struct {
	Value     *float64
	Qualifier string
}

// qualifierWords are the non-numeric cells of USGS tables that carry meaning.
var qualifierWords = map[string]string{
	"W": "W", "NA": "NA", "E": "E", "XX": "NA", "--": "NA", "—": "NA", "-": "NA",
}

// ParseQualified parses a statistical cell: thousands separators, the
// qualifiers W, NA and E, and bounds such as >95 or <1. An empty cell is
// (nil, "", nil): no figure at all. Anything else that is not a number is
// an error, never a silent zero.
func ParseQualified(cell string) (Qualified, error) {
	s := strings.TrimSpace(strings.Trim(cell, "\ufeff"))
	if s == "" {
		return Qualified{}, nil
	}
	if q, ok := qualifierWords[strings.ToUpper(s)]; ok {
		return Qualified{Qualifier: q}, nil
	}
	q := ""
	switch {
	case strings.HasPrefix(s, ">"):
		q, s = ">", strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, ">"), "="))
	case strings.HasPrefix(s, "<"):
		q, s = "<", strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "<"), "="))
	}
	v, err := ParseNumber(s)
	if err != nil {
		return Qualified{}, err
	}
	if v == nil {
		return Qualified{}, fmt.Errorf("qualifier %q without a number", q)
	}
	return Qualified{Value: v, Qualifier: q}, nil
}

// ParseNumber parses a number that may carry thousands separators, spaces or
// a trailing estimate mark ('e'). An empty string is nil, no error. A comma
// that is not a thousands separator is an error (ErrNotThousands): dropped,
// it would scale the figure ("12,5" read as 125).
func ParseNumber(cell string) (*float64, error) {
	s := strings.TrimSpace(cell)
	if s == "" {
		return nil, nil
	}
	s = strings.ReplaceAll(s, " ", "")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "e"), "E")
	grouped := s
	s = strings.ReplaceAll(s, ",", "")
	if !decimalText(s) {
		return nil, fmt.Errorf("%q is not a number", cell)
	}
	if !ThousandsCommas(grouped) {
		return nil, fmt.Errorf("%q %w", cell, ErrNotThousands)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("%q is not a finite number", cell)
	}
	return &v, nil
}

// ErrNotThousands says a number holds a comma that is not a thousands
// separator (a decimal comma, or groups not of three digits).
var ErrNotThousands = errors.New("has a comma that is not a thousands separator")

// ThousandsCommas reports whether every comma of a number's text (spaces
// removed) separates thousands: one to three digits, then groups of three,
// and a decimal point only after the last group ("1,234.5", not "12,5",
// "1,2345", "1234,567" or "12.200,5"). Text without a comma is true.
func ThousandsCommas(s string) bool {
	if !strings.Contains(s, ",") {
		return true
	}
	whole, frac, _ := strings.Cut(strings.TrimLeft(s, "+-"), ".")
	if strings.Contains(frac, ",") {
		return false
	}
	groups := strings.Split(whole, ",")
	if n := len(groups[0]); n < 1 || n > 3 || !allDigits(groups[0]) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decimalText reports whether s is written with decimal digits, a point,
// signs and an exponent only: strconv.ParseFloat also takes NaN, Inf,
// Infinity and hexadecimal floats, none of which is a published figure.
func decimalText(s string) bool {
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E':
		default:
			return false
		}
	}
	return digits
}

// EscapeInvalidUTF8 returns s with every byte that is not part of valid
// UTF-8 written as \xNN, so a rejected row's raw text can be stored and
// shown while its bad bytes stay visible. Valid text is returned as is.
func EscapeInvalidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, "\\x%02X", s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// InvalidUTF8 returns the index of the first field of rec that is not valid
// UTF-8, or -1.
func InvalidUTF8(rec []string) int {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return i
		}
	}
	return -1
}

// PeriodStart parses a period such as 2023 (annual) or 202301 / 2023-01
// (monthly) and returns its frequency and first day.
func PeriodStart(p string) (freq string, start time.Time, err error) {
	p = strings.TrimSpace(p)
	p = strings.ReplaceAll(p, "-", "")
	switch len(p) {
	case 4:
		y, e := strconv.Atoi(p)
		if e != nil {
			break
		}
		return "A", time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case 6:
		y, e1 := strconv.Atoi(p[:4])
		m, e2 := strconv.Atoi(p[4:])
		if e1 != nil || e2 != nil || m < 1 || m > 12 {
			break
		}
		return "M", time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC), nil
	}
	return "", time.Time{}, fmt.Errorf("period %q is neither YYYY nor YYYYMM", p)
}

// Slug turns a name such as "Rare Earths" or "Other countries4" into a
// lower-case identifier ("rare_earths", "other_countries").
func Slug(name string) string {
	var b strings.Builder
	lastUnderscore := true
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
			lastUnderscore = false
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			lastUnderscore = false
		default:
			if !lastUnderscore {
				b.WriteByte('_')
				lastUnderscore = true
			}
		}
	}
	return strings.TrimRight(b.String(), "_")
}
