package usgsmcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// TestAreaNames: residual and group rows of a world table are areas, never
// unknown countries; a country whose name holds "and" stays a country.
func TestAreaNames(t *testing.T) {
	for _, c := range []struct{ raw, iso, label, errPart string }{
		{"United States and Canada", groupISO3, "united-states-and-canada", ""},
		{"United States and Canada4", groupISO3, "united-states-and-canada", ""},
		{"Belgium-Luxembourg", groupISO3, "belgium-luxembourg", ""},
		{"Australia & New Zealand (combined)", groupISO3, "australia-new-zealand", ""},
		{"Congo (Kinshasa) and Zambia", groupISO3, "congo-kinshasa-and-zambia", ""},
		{"Other Europe", otherISO3, "other-europe", ""},
		{"Other Asia6", otherISO3, "other-asia", ""},
		{"Other countries (includes crude)", otherISO3, "", ""},
		{"Others", otherISO3, "", ""},
		{"World total (rounded)", etl.WorldISO3, "", ""},
		{"Trinidad and Tobago", "TTO", "", ""},
		{"Bosnia and Herzegovina", "BIH", "", ""},
		{"Guinea-Bissau", "GNB", "", ""},
		{"Brazil (crude and beneficiated)", "BRA", "", ""},
		{"Korea, North", "PRK", "", ""},
		{"Atlantis and Canada", "", "", `unknown country "Atlantis and Canada"`},
		{"Canada and World", "", "", `unknown country`},
		{"Canada and Canada", "", "", `unknown country`},
		{"and", "", "", `unknown country`},
		{"Canada and", "", "", `unknown country`},
	} {
		iso, err := resolveCountry(c.raw)
		if c.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Errorf("%q: %q, error %v, want %q", c.raw, iso, err, c.errPart)
			}
			continue
		}
		if err != nil || iso != c.iso {
			t.Errorf("%q: %q, %v; want %q", c.raw, iso, err, c.iso)
		}
		if l := areaLabel(c.raw); l != c.label {
			t.Errorf("%q: label %q, want %q", c.raw, l, c.label)
		}
		if co, ok := etl.CountryByISO3(iso); !ok || co.IsArea != (c.label != "" || iso == otherISO3 || iso == etl.WorldISO3) {
			t.Errorf("%q: %s is_area %v (known %v)", c.raw, iso, co.IsArea, ok)
		}
	}
}

// TestWorldAreaRows: in a world table written in the USGS layout, two
// group rows and two regional residuals load apart, as areas, beside the
// countries they name; only the row naming an unknown country is rejected.
func TestWorldAreaRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcs2025-abras_world.csv")
	csv := "\ufeffSource,Country,Type,Cap_t_2023,Cap_t_est_2024,Prod_notes\n" +
		"MCS2025,United States,\"Plant capacity, fused aluminum oxide\",10,10,\n" +
		"MCS2025,United States and Canada,\"Plant capacity, fused aluminum oxide\",60000,\"61,000\",\n" +
		"MCS2025,Belgium-Luxembourg,\"Plant capacity, fused aluminum oxide\",500,400,\n" +
		"MCS2025,Other Europe,\"Plant capacity, fused aluminum oxide\",70,80,\n" +
		"MCS2025,Other Asia,\"Plant capacity, fused aluminum oxide\",90,95,\n" +
		"MCS2025,Atlantis and Canada,\"Plant capacity, fused aluminum oxide\",1,1,\n" +
		"MCS2025,Other countries,\"Plant capacity, fused aluminum oxide\",80000,80000,\n" +
		"MCS2025,World total (rounded),\"Plant capacity, fused aluminum oxide\",1310000,1300000,\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, rej := run(t, "", path)
	if len(rej) != 1 || rej[0].Row != 6 || rej[0].Column != "Country" || !strings.Contains(rej[0].Reason, `unknown country "Atlantis and Canada"`) {
		t.Errorf("rejections: %+v, want row 6's country only", rej)
	}
	f := etl.F
	for _, c := range []struct {
		iso, product string
		value        float64
	}{
		{"USA", "", 10},
		{groupISO3, "united-states-and-canada", 61000},
		{groupISO3, "belgium-luxembourg", 400},
		{otherISO3, "other-europe", 80},
		{otherISO3, "other-asia", 95},
		{otherISO3, "", 80000},
		{etl.WorldISO3, "", 1300000},
	} {
		var got []etl.MineralStat
		for _, r := range find(rows, "Cap_t_est_2024", 2024, c.iso) {
			if r.Product == c.product {
				got = append(got, r)
			}
		}
		if len(got) != 1 {
			t.Errorf("%s %q: %d rows, want 1", c.iso, c.product, len(got))
			continue
		}
		want(t, got[0], f(c.value), "", "capacity", c.product, "t")
	}
	if len(rows) != 14 {
		t.Errorf("%d rows, want 7 rows x 2 years", len(rows))
	}
}
