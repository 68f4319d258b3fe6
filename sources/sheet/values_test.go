package sheet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

func TestParseValue(t *testing.T) {
	xlsx := cellCtx{xlsx: true}
	show := func(v any) string {
		switch x := v.(type) {
		case period:
			return fmt.Sprintf("%c %s", x.kind, x.start.Format("2006-01-02"))
		case *float64:
			return fmt.Sprint(*x)
		case etl.Qualified:
			if x.Value == nil {
				return "nil " + x.Qualifier
			}
			return fmt.Sprint(*x.Value, " ", x.Qualifier)
		}
		return fmt.Sprint(v)
	}
	for _, tc := range []struct {
		kind valueKind
		cx   cellCtx
		in   string
		want string // '' with err set
		err  string
	}{
		{kPeriod, cellCtx{}, "2023", "A 2023-01-01", ""},
		{kPeriod, cellCtx{}, "2023.0", "A 2023-01-01", ""},
		{kPeriod, cellCtx{}, "202307", "M 2023-07-01", ""},
		{kPeriod, cellCtx{}, "2023-7", "M 2023-07-01", ""},
		{kPeriod, cellCtx{}, "2023-12-31", "D 2023-12-31", ""},
		{kPeriod, cellCtx{}, "2023-12-31T00:00:00Z", "D 2023-12-31", ""},
		{kPeriod, xlsx, "45366", "D 2024-03-15", ""}, // an Excel date serial
		{kPeriod, xlsx, "45366.75", "D 2024-03-15", ""},
		{kPeriod, cellCtx{xlsx: true, date1904: true}, "43904", "D 2024-03-15", ""},
		{kPeriod, cellCtx{}, "45366", "", "is not YYYY, YYYYMM"}, // text files hold no serials
		{kPeriod, xlsx, "202313", "", "is not YYYY, YYYYMM"},
		{kPeriod, cellCtx{}, "FY2023", "", "is not YYYY, YYYYMM"},
		{kYear, xlsx, "2021", "2021", ""},
		{kYear, cellCtx{}, "2021-05", "", `year "2021-05" is not YYYY`},
		{kHSCode, xlsx, "81129", "081129", ""},
		{kHSCode, cellCtx{}, "2846.10", "284610", ""},
		{kHSCode, cellCtx{}, " 8112 92 ", "811292", ""},
		{kHSCode, cellCtx{}, "8112-92", "", "not 2 to 10 digits"},
		{kCountry, cellCtx{}, "chn", "CHN", ""},
		{kCountry, cellCtx{}, "DE", "DEU", ""},
		{kCountry, cellCtx{}, "\ufeffUnited\u00a0States ", "USA", ""},
		{kCountry, cellCtx{}, "Narnia", "", `unknown country "Narnia"`},
		{kFlow, cellCtx{}, "Re-Exports", "re-export", ""},
		{kFlow, cellCtx{}, "X", "export", ""},
		{kFreq, cellCtx{}, "monthly", "M", ""},
		{kFreq, cellCtx{}, "Q", "", "neither A"},
		{kBool, cellCtx{}, "Yes", "true", ""},
		{kNumber, cellCtx{}, "1,234,567.5", "1.2345675e+06", ""},
		{kNumber, cellCtx{}, "1,5", "", "comma that is not a thousands separator"},
		{kNumber, cellCtx{}, "1.234,5", "", "comma that is not a thousands separator"},
		{kNumber, cellCtx{}, "1234,567", "", "comma that is not a thousands separator"},
		{kQualified, cellCtx{}, "<1,5", "", "comma that is not a thousands separator"},
		{kQualified, cellCtx{}, ">= 1,500", "1500 >", ""},
		{kNumber, cellCtx{decimalComma: true}, "1.234,5", "1234.5", ""},
		{kNumber, cellCtx{}, "W", "", `"W" is not a number`},
		{kNumber, cellCtx{}, "n/a, see note", "", "is not a number"},
		{kQualified, cellCtx{}, ">95", "95 >", ""},
		{kQualified, cellCtx{}, "w", "nil W", ""},
		{kQualified, cellCtx{}, "1,200e", "1200 ", ""},
		{kQualifier, cellCtx{}, "na", "NA", ""},
		{kSlug, cellCtx{}, "Rare Earths", "rare_earths", ""},
	} {
		got, err := parseValue(tc.kind, tc.in, tc.cx)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%d %q: got %v, %v; want error %q", tc.kind, tc.in, got, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%d %q: %v", tc.kind, tc.in, err)
		case tc.err == "" && show(got) != tc.want:
			t.Errorf("%d %q: got %s, want %s", tc.kind, tc.in, show(got), tc.want)
		}
	}
	if v, err := parseValue(kCountry, "  ", cellCtx{}); v != nil || err != nil {
		t.Errorf("blank cell: %v %v", v, err)
	}
}

func TestHeaderKeys(t *testing.T) {
	for _, tc := range []struct {
		config, file string
		match        bool
	}{
		{"Value (USD thousand)", "\ufeffValue (USD thousand)¹", true},
		{"HS code", "HS code 2", true},
		{"hs CODE", "  HS\u00a0\u00a0code  ", true},
		{"Partner", "Partner*", true},
		{"Partner", "Partner (1)", true},
		{"Partner", "Partner [12] †", true},
		{"Weight (t)", "Weight (kg)", false},
		{"Value", "Value added", false},
		{"Value 2023", "Value 2023", true},
	} {
		got := false
		for _, strip := range []bool{false, true} {
			got = got || keyOf([]string{tc.config}, strip) == keyOf([]string{tc.file}, strip)
		}
		if got != tc.match {
			t.Errorf("%q vs %q: match %v, want %v", tc.config, tc.file, got, tc.match)
		}
	}
	// Years stay apart even though trailing digits are footnote marks.
	g := &grid{cells: [][]string{{"Country", "2022", "2023"}}}
	h := locate(g, 1, 0)
	if c, err := h.find("2023", g); c != 3 || err != nil {
		t.Errorf("find 2023: column %d, %v", c, err)
	}
	if c, err := h.find("Country 3", g); c != 1 || err != nil {
		t.Errorf("find a footnoted config name: column %d, %v", c, err)
	}
}
