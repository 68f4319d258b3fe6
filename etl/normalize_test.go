package etl

import "testing"

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
