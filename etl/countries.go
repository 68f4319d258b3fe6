package etl

// Country is a row of the countries reference table.
type Country struct {
	ISO3   string // ISO 3166-1 alpha-3, or the project's code for an area (WLD, S19, ...)
	ISO2   string
	M49    int    // UN M49 numeric as used by UN Comtrade (842 USA, 251 France, 699 India)
	Census string // US Census Schedule C code, '' when none
	Name   string
	IsArea bool // World and 'nes' areas: not a country
}

// TODO(countries.csv): replaced by the embedded reference table.
var stubCountries = []Country{
	{"WLD", "", 0, "", "World", true}, {"USA", "US", 842, "1000", "United States", false},
	{"CHN", "CN", 156, "5700", "China", false},
}

func CountryByISO3(s string) (Country, bool) {
	for _, c := range stubCountries {
		if c.ISO3 == s {
			return c, true
		}
	}
	return Country{}, false
}

func CountryByM49(n int) (Country, bool) {
	for _, c := range stubCountries {
		if c.M49 == n {
			return c, true
		}
	}
	return Country{}, false
}

func KnownISO3(s string) bool { _, ok := CountryByISO3(s); return ok }
