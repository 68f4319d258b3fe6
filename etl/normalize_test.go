package etl

import (
	"errors"
	"testing"
)

// TestParseNumberRejectsNonFinite: strconv.ParseFloat takes NaN, Inf,
// Infinity and hexadecimal floats; none of them is a figure a table
// publishes, so none may load as one.
func TestParseNumberRejectsNonFinite(t *testing.T) {
	for _, s := range []string{"NaN", "nan", "inf", "-Inf", "+Infinity", "infinity", "0x1p4", "1e400", "-1e999", "."} {
		if v, err := ParseNumber(s); err == nil {
			t.Errorf("ParseNumber(%q) = %v, want an error", s, *v)
		}
		if q, err := ParseQualified(s); err == nil {
			t.Errorf("ParseQualified(%q) = %+v, want an error", s, q)
		}
		if q, err := ParseQualified(">" + s); err == nil {
			t.Errorf("ParseQualified(%q) = %+v, want an error", ">"+s, q)
		}
	}
	for s, want := range map[string]float64{"7,900": 7900, "1.5e3": 1500, "-2": -2, "120e": 120, " 3 000 ": 3000} {
		v, err := ParseNumber(s)
		if err != nil || v == nil || *v != want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", s, v, err, want)
		}
	}
}

// A comma that is not a thousands separator would scale the figure if it
// were dropped: "12,5" is not 125.
func TestParseNumberCommas(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64 // 0: an error
	}{
		{"7,900", 7900}, {"1,234,567.25", 1234567.25}, {"-1,000", -1000}, {" 12,000 ", 12000},
		{"12,5", 0}, {"12.200,5", 0}, {"1,2345", 0}, {"1234,567", 0}, {",500", 0}, {"500,", 0}, {"1,,000", 0},
		{"1 000,000", 0}, // spaces group thousands here, so the comma is a decimal one
	} {
		v, err := ParseNumber(tc.in)
		switch {
		case tc.want == 0 && !errors.Is(err, ErrNotThousands):
			t.Errorf("ParseNumber(%q) = %v, %v; want ErrNotThousands", tc.in, v, err)
		case tc.want != 0 && (err != nil || *v != tc.want):
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", tc.in, v, err, tc.want)
		}
	}
}
