package etl

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData returns ../shared/data next to the module root, or skips.
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data not available (%s): %v", p, err)
	}
	return p
}

func TestCountryCodeLookups(t *testing.T) {
	tests := []struct {
		name   string
		lookup func() (Country, bool)
		want   string // ISO3; "" means not found
	}{
		{"iso3 upper", func() (Country, bool) { return CountryByISO3("CHN") }, "CHN"},
		{"iso3 lower and spaces", func() (Country, bool) { return CountryByISO3(" deu ") }, "DEU"},
		{"iso3 area", func() (Country, bool) { return CountryByISO3("s19") }, "S19"},
		{"iso3 unknown", func() (Country, bool) { return CountryByISO3("ZZZ") }, ""},
		{"iso3 empty", func() (Country, bool) { return CountryByISO3("") }, ""},
		{"iso2", func() (Country, bool) { return CountryByISO2("gb") }, "GBR"},
		{"iso2 former SCG keeps CS", func() (Country, bool) { return CountryByISO2("CS") }, "SCG"},
		{"iso2 empty is not World", func() (Country, bool) { return CountryByISO2("") }, ""},
		{"census China", func() (Country, bool) { return CountryByCensus("5700") }, "CHN"},
		{"census Canada", func() (Country, bool) { return CountryByCensus("1220") }, "CAN"},
		{"census Mexico", func() (Country, bool) { return CountryByCensus("2010") }, "MEX"},
		{"census Japan", func() (Country, bool) { return CountryByCensus("5880") }, "JPN"},
		{"census South Korea", func() (Country, bool) { return CountryByCensus("5800") }, "KOR"},
		{"census Germany", func() (Country, bool) { return CountryByCensus("4280") }, "DEU"},
		{"census United Kingdom", func() (Country, bool) { return CountryByCensus("4120") }, "GBR"},
		{"census Taiwan", func() (Country, bool) { return CountryByCensus(" 5830") }, "TWN"},
		{"census India", func() (Country, bool) { return CountryByCensus("5330") }, "IND"},
		{"census France", func() (Country, bool) { return CountryByCensus("4279") }, "FRA"},
		{"census Kosovo", func() (Country, bool) { return CountryByCensus("4803") }, "XKX"},
		{"census unknown", func() (Country, bool) { return CountryByCensus("8220") }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := tc.lookup()
			if ok != (tc.want != "") || c.ISO3 != tc.want {
				t.Fatalf("got %q, %v; want %q", c.ISO3, ok, tc.want)
			}
		})
	}
}

func TestCountryByM49(t *testing.T) {
	tests := []struct {
		code   int
		want   string
		isArea bool
	}{
		{0, "WLD", true}, {156, "CHN", false},
		{251, "FRA", false}, {250, "FRA", false},
		{579, "NOR", false}, {578, "NOR", false},
		{699, "IND", false}, {356, "IND", false},
		{757, "CHE", false}, {756, "CHE", false},
		{842, "USA", false}, {840, "USA", false}, {841, "USA", false},
		{380, "ITA", false}, {381, "ITA", false},
		{490, "S19", true}, {97, "EUR", true}, {899, "XAN", true},
		{837, "X1", true}, {838, "X2", true}, {839, "XX", true},
		{568, "E19", true}, {577, "F19", true}, {636, "A79", true}, {527, "O19", true},
		{473, "XLA", true}, {129, "A49", true}, {471, "R91", true}, {697, "R20", true},
		{637, "A59", true}, {290, "F49", true}, {879, "F97", true}, {536, "NTZ", true},
		{221, "E29", true},
		// 492 is Monaco's ISO numeric, but in Comtrade data it is 'Europe EU, nes'.
		{492, "XEU", true},
		{200, "CSK", false}, {280, "DEU", false}, {891, "SCG", false}, {720, "YMD", false},
		{810, "SUN", false}, {58, "BEL", false}, {158, "TWN", false},
	}
	for _, tc := range tests {
		c, ok := CountryByM49(tc.code)
		if !ok || c.ISO3 != tc.want || c.IsArea != tc.isArea {
			t.Errorf("CountryByM49(%d) = %+v, %v; want %s area=%v", tc.code, c, ok, tc.want, tc.isArea)
		}
	}
	if c, ok := CountryByM49(999999); ok {
		t.Errorf("CountryByM49(999999) = %+v, want not found", c)
	}
	if c, _ := CountryByISO3("MCO"); c.M49 != 492 || c.Census != "4272" {
		t.Errorf("Monaco row = %+v, want M49 492 and census 4272", c)
	}
}

func TestTaiwanAndOtherAsiaStaySeparate(t *testing.T) {
	tw, ok1 := CountryByISO3("TWN")
	oa, ok2 := CountryByISO3("S19")
	if !ok1 || !ok2 || tw.IsArea || !oa.IsArea || tw.M49 == oa.M49 {
		t.Fatalf("TWN=%+v S19=%+v", tw, oa)
	}
	if c, _ := CountryByName("Taiwan"); c.ISO3 != "TWN" {
		t.Errorf("Taiwan resolves to %s", c.ISO3)
	}
	if c, _ := CountryByName("Other Asia, nes"); c.ISO3 != "S19" {
		t.Errorf("Other Asia, nes resolves to %s", c.ISO3)
	}
}

func TestCountryByName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"United States", "USA"}, {"United\u00a0States1", "USA"}, {"\ufeffUnited States", "USA"},
		{"  china ", "CHN"}, {"China2", "CHN"}, {"Chinae", "CHN"}, {"CHINA", "CHN"},
		{"Burma", "MMR"}, {"Congo (Kinshasa)", "COD"}, {"Congo (Brazzaville)", "COG"},
		{"Korea, Republic of", "KOR"}, {"Korea, Republic ofe", "KOR"}, {"Korea, North", "PRK"},
		{"Russia", "RUS"}, {"Russiae", "RUS"}, {"Vietnam", "VNM"}, {"Laos", "LAO"}, {"Iran", "IRN"},
		{"Turkey", "TUR"}, {"Türkiye", "TUR"}, {"Czechia", "CZE"}, {"Bolivia", "BOL"},
		{"Venezuela", "VEN"}, {"Tanzania", "TZA"}, {"Syria", "SYR"}, {"Moldova", "MDA"},
		{"Macedonia", "MKD"}, {"North Macedonia", "MKD"}, {"Cote d'Ivoire", "CIV"},
		{"Côte d’Ivoire", "CIV"}, {"Côte d'Ivoire", "CIV"}, {"Brunei", "BRN"}, {"Eswatini", "SWZ"},
		{"Swaziland", "SWZ"}, {"United Kingdom", "GBR"}, {"Netherlands", "NLD"},
		{"World total", "WLD"}, {"World total (rounded)", "WLD"}, {"World total (rounded)10", "WLD"},
		{"World total, natural and synthetic", "WLD"}, {"Brazil (beneficiated, marketable)", "BRA"},
		{"Turkey, refined borates", "TUR"}, {"Denmark (processed)5", "DNK"}, {"New Caledonia11", "NCL"},
		{"Greecee", "GRC"}, {"Rep. of Korea", "KOR"}, {"China, Hong Kong SAR", "HKG"},
		{"USA", "USA"}, {"Fed. Rep. of Germany", "DEU"}, {"Bosnia Herzegovina", "BIH"},
		{"Other countries4", "OTH"}, {"Other countries", "OTH"}, {"Other countriese", "OTH"},
		{"United States and Canada", ""}, {"", ""}, {"\ufeff", ""}, {"Korea", ""},
	}
	for _, tc := range tests {
		c, ok := CountryByName(tc.in)
		if ok != (tc.want != "") || c.ISO3 != tc.want {
			t.Errorf("CountryByName(%q) = %q, %v; want %q", tc.in, c.ISO3, ok, tc.want)
		}
	}
}

// TestComtradeReporters checks the table against UN Comtrade's own reporter
// list: every reporter that is not a group resolves by its code to the ISO3
// Comtrade gives it.
func TestComtradeReporters(t *testing.T) {
	p := sharedData(t, "comtrade/reference_reporters.json")
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []struct {
			Code    int    `json:"reporterCode"`
			Desc    string `json:"reporterDesc"`
			ISO3    string `json:"reporterCodeIsoAlpha3"`
			IsGroup bool   `json:"isGroup"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if len(doc.Results) < 200 {
		t.Fatalf("%s: only %d reporters", p, len(doc.Results))
	}
	checked := 0
	for _, r := range doc.Results {
		if r.IsGroup {
			continue
		}
		checked++
		c, ok := CountryByM49(r.Code)
		if !ok || c.ISO3 != strings.TrimSpace(r.ISO3) {
			t.Errorf("reporter %d %q: got %q (found=%v), Comtrade says %q", r.Code, r.Desc, c.ISO3, ok, r.ISO3)
		}
	}
	if checked < 240 {
		t.Errorf("checked only %d non-group reporters", checked)
	}
}

// TestUSGSWorldNames resolves every Country cell of the MCS 2024 world
// tables. Aggregates are the only names allowed not to resolve.
func TestUSGSWorldNames(t *testing.T) {
	dir := sharedData(t, "usgs/mcs2024/world")
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no world tables in %s: %v", dir, err)
	}
	isAggregate := func(name string) bool {
		k := nameKey(name)
		return k == "" || k == "united states and canada"
	}
	// "Other countries" rows are kept, as the OTH area, so world totals add up.
	isOther := func(name string) bool { return strings.HasPrefix(nameKey(name), "other") }
	resolved := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(fh)
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		col := -1
		for i, h := range rows[0] {
			if strings.TrimPrefix(h, "\ufeff") == "Country" {
				col = i
			}
		}
		if col < 0 {
			t.Fatalf("%s: no Country column in %q", f, rows[0])
		}
		for i, row := range rows[1:] {
			name := row[col]
			c, ok := CountryByName(name)
			switch {
			case isOther(name):
				if !ok || c.ISO3 != "OTH" {
					t.Errorf("%s line %d: %q resolved to %q, want OTH", filepath.Base(f), i+2, name, c.ISO3)
				}
			case isAggregate(name):
				if ok {
					t.Errorf("%s line %d: aggregate %q resolved to %s", filepath.Base(f), i+2, name, c.ISO3)
				}
			case !ok:
				t.Errorf("%s line %d: %q does not resolve", filepath.Base(f), i+2, name)
			case strings.HasPrefix(nameKey(name), "world total") && c.ISO3 != "WLD":
				t.Errorf("%s line %d: %q resolved to %s, want WLD", filepath.Base(f), i+2, name, c.ISO3)
			default:
				resolved++
			}
		}
	}
	if resolved < 1000 {
		t.Errorf("only %d names resolved", resolved)
	}
}

func TestCountriesTableIntegrity(t *testing.T) {
	rows := Countries()
	iso3, iso2, m49, census := map[string]bool{}, map[string]bool{}, map[int]string{}, map[string]bool{}
	countriesWithISO2 := 0
	for _, c := range rows {
		if iso3[c.ISO3] {
			t.Errorf("duplicate ISO3 %s", c.ISO3)
		}
		iso3[c.ISO3] = true
		if c.ISO2 != "" {
			if iso2[c.ISO2] {
				t.Errorf("duplicate ISO2 %s", c.ISO2)
			}
			iso2[c.ISO2] = true
			if !c.IsArea {
				countriesWithISO2++
			}
		}
		if prev, ok := m49[c.M49]; ok && c.M49 >= 0 { // -1: a project-only area without a code
			// The one shared code: see TestCountryByM49.
			if pair := prev + "/" + c.ISO3; pair != "MCO/XEU" {
				t.Errorf("duplicate M49 %d: %s", c.M49, pair)
			}
		}
		m49[c.M49] = c.ISO3
		if c.Census != "" {
			if census[c.Census] {
				t.Errorf("duplicate census code %s", c.Census)
			}
			census[c.Census] = true
		}
		if got, _ := CountryByName(c.Name); got.ISO3 != c.ISO3 {
			t.Errorf("name %q of %s resolves to %q", c.Name, c.ISO3, got.ISO3)
		}
	}
	if countriesWithISO2 < 249 {
		t.Errorf("%d countries with ISO2, want every ISO 3166-1 country (249)", countriesWithISO2)
	}
	if len(census) < 230 {
		t.Errorf("only %d census codes", len(census))
	}
	rows[0].Name = "changed"
	if Countries()[0].Name == "changed" {
		t.Error("Countries returns the table itself, not a copy")
	}
}

func TestLoadCountriesErrors(t *testing.T) {
	const head = "iso3,iso2,m49,census_code,name,is_area,aliases,m49_alt\n"
	const ok = "AAA,AA,1,1000,Alpha,false,,\n"
	tests := []struct{ name, body, want string }{
		{"bad header", "iso,iso2,m49,census_code,name,is_area,aliases,m49_alt\n" + ok, "line 1 column 1"},
		{"duplicate iso3", ok + "AAA,AB,2,,Beta,false,,\n", "line 3 column iso3"},
		{"duplicate iso2", ok + "BBB,AA,2,,Beta,false,,\n", "line 3 column iso2"},
		{"bad m49", "AAA,AA,x,,Alpha,false,,\n", "line 2 column m49"},
		{"duplicate m49", ok + "BBB,BB,1,,Beta,false,,\n", "line 3 column m49"},
		{"alternate clash", ok + "BBB,BB,2,,Beta,false,,1\n", "line 3 column m49"},
		{"bad census", "AAA,AA,1,57,Alpha,false,,\n", "line 2 column census_code"},
		{"duplicate census", ok + "BBB,BB,2,1000,Beta,false,,\n", "line 3 column census_code"},
		{"bad is_area", "AAA,AA,1,,Alpha,yes,,\n", "line 2 column is_area"},
		{"alias clash", ok + "BBB,BB,2,,Beta,false,Álpha,\n", "line 3 column aliases"},
		{"short row", "AAA,AA,1\n", "wrong number of fields"},
		{"no rows", "", "no rows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if tc.name != "bad header" {
				body = head + body
			}
			_, err := loadCountries(strings.NewReader(body), "test.csv")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "test.csv") {
				t.Fatalf("err = %v, want one naming test.csv and %q", err, tc.want)
			}
		})
	}
	// An area and a country may share a code; the area owns it.
	tab, err := loadCountries(strings.NewReader(head+ok+"X9,,1,,Alpha area,true,,\n"), "test.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.rows[tab.byM49[1]].ISO3; got != "X9" {
		t.Errorf("shared code 1 resolves to %s, want the area X9", got)
	}
}

// TestAgencyNames: the short and common forms agencies, the press and
// analysts write resolve, from the countries table or its alias table.
func TestAgencyNames(t *testing.T) {
	for name, iso3 := range map[string]string{
		"UAE": "ARE", "U.A.E.": "ARE", "South Korea": "KOR", "Korea, Rep.": "KOR", "Taiwan": "TWN",
		"Chinese Taipei": "TWN", "Taiwan, China": "TWN", "Hong Kong": "HKG", "Hong Kong SAR, China": "HKG",
		"Russia": "RUS", "Iran": "IRN", "Iran, Islamic Rep.": "IRN", "Vietnam": "VNM", "Türkiye": "TUR",
		"Turkey": "TUR", "Czechia": "CZE", "Czech Republic": "CZE", "Laos": "LAO", "Egypt, Arab Rep.": "EGY",
		"Yemen, Rep.": "YEM", "Gambia, The": "GMB", "Bahamas, The": "BHS", "The Netherlands": "NLD",
		"Bosnia": "BIH", "KSA": "SAU", "Venezuela, RB": "VEN", "USA": "USA", "Slovakia": "SVK",
	} {
		if c, ok := CountryByName(name); !ok || c.ISO3 != iso3 {
			t.Errorf("CountryByName(%q) = %q, %v; want %s", name, c.ISO3, ok, iso3)
		}
	}
}

func TestAliasTableErrors(t *testing.T) {
	for body, want := range map[string]string{
		"alias,iso3,used_by\nUAE,XXX,\n":                 `line 2 column iso3: "XXX" is not in`,
		"alias,iso3,used_by\nTurkiye,TUR,\n":             `line 2 column alias: "Turkiye" already names TUR`,
		"alias,iso3,used_by\nEmirat,ARE,\nEmirat,ARE,\n": `line 3 column alias: "Emirat" already names ARE`,
		"name,code,x\nUAE,ARE,\n":                        "want alias,iso3,used_by",
	} {
		tbl, err := loadCountries(strings.NewReader(countriesCSV), countriesFile)
		if err != nil {
			t.Fatal(err)
		}
		err = tbl.loadAliases(strings.NewReader(body), "aliases.csv")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "aliases.csv") {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}
