package etl

import (
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Country is a row of the countries reference table.
type Country struct {
	ISO3   string // ISO 3166-1 alpha-3, or the project's code for an area (WLD, S19, ...)
	ISO2   string
	M49    int    // UN M49 numeric as used by UN Comtrade (842 USA, 251 France, 699 India)
	Census string // US Census Schedule C code, '' when none
	Name   string
	IsArea bool // World and 'nes' areas: not a country
}

// countriesCSV is the reference table: every ISO 3166-1 country, the areas
// UN Comtrade reports as partners, and former reporters Comtrade still uses
// for old years. m49 is the code Comtrade uses; m49_alt lists other numeric
// codes for the same row (the plain ISO numeric where Comtrade differs, and
// former codes Comtrade folds into the successor). Area codes are
// Comtrade's own (S19, EUR, X1, R20, ...) except XAN (899 'Areas, nes'),
// XLA (473 'LAIA, nes') and XEU (492 'Europe EU, nes'), taken from ISO's
// user-assigned X range: Comtrade's codes for the first two are unconfirmed
// and for the third it gives Monaco's MCO.
//
//go:embed countries.csv
var countriesCSV string

const countriesFile = "etl/countries.csv"

// aliasesCSV lists the other names agencies, the press and analysts give
// countries ("UAE", "Korea, Rep.", "Taiwan, China"): one alias a line with
// the ISO3 code it names and who writes it so. An alias may not repeat a
// name the countries table or another alias already has.
//
//go:embed country_aliases.csv
var aliasesCSV string

const aliasesFile = "etl/country_aliases.csv"

var countriesHeader = []string{"iso3", "iso2", "m49", "census_code", "name", "is_area", "aliases", "m49_alt"}

type countryTable struct {
	rows     []Country
	byISO3   map[string]int
	byISO2   map[string]int
	byM49    map[int]int
	byCensus map[string]int
	byName   map[string]int
}

var countries = mustLoadCountries()

func mustLoadCountries() *countryTable {
	t, err := loadCountries(strings.NewReader(countriesCSV), countriesFile)
	if err == nil {
		err = t.loadAliases(strings.NewReader(aliasesCSV), aliasesFile)
	}
	if err != nil {
		// The table is embedded at build time; a bad row is a programming
		// error that the package tests catch before release.
		panic(err)
	}
	return t
}

var (
	iso3Pattern   = regexp.MustCompile(`^[A-Z_][A-Z0-9]{1,2}$`)
	iso2Pattern   = regexp.MustCompile(`^[A-Z]{2}$`)
	censusPattern = regexp.MustCompile(`^[0-9]{4}$`)
)

// loadCountries parses and indexes the table. Errors name the file, the
// 1-based line and the column.
func loadCountries(r io.Reader, file string) (*countryTable, error) {
	cr := NewCSVReader(r)
	cr.FieldsPerRecord = len(countriesHeader)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", file, err)
	}
	for i, h := range countriesHeader {
		if header[i] != h {
			return nil, fmt.Errorf("%s line 1 column %d: header %q, want %q", file, i+1, header[i], h)
		}
	}
	t := &countryTable{
		byISO3: map[string]int{}, byISO2: map[string]int{}, byM49: map[int]int{},
		byCensus: map[string]int{}, byName: map[string]int{},
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		fail := func(col, format string, a ...any) error {
			return fmt.Errorf("%s line %d column %s: %s", file, line, col, fmt.Sprintf(format, a...))
		}
		if err := t.add(rec, fail); err != nil {
			return nil, err
		}
	}
	if len(t.rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", file)
	}
	return t, nil
}

// loadAliases adds the names of an alias table. Errors name the file, the
// line and the column.
func (t *countryTable) loadAliases(r io.Reader, file string) error {
	cr := NewCSVReader(r)
	cr.FieldsPerRecord = 3
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: reading header: %w", file, err)
	}
	if header[0] != "alias" || header[1] != "iso3" {
		return fmt.Errorf("%s line 1: header %q, want alias,iso3,used_by", file, header)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		idx, ok := t.byISO3[rec[1]]
		if !ok {
			return fmt.Errorf("%s line %d column iso3: %q is not in %s", file, line, rec[1], countriesFile)
		}
		k := nameKey(rec[0])
		if k == "" {
			return fmt.Errorf("%s line %d column alias: empty name", file, line)
		}
		if prev, ok := t.byName[k]; ok {
			return fmt.Errorf("%s line %d column alias: %q already names %s", file, line, rec[0], t.rows[prev].ISO3)
		}
		t.byName[k] = idx
	}
}

func (t *countryTable) add(rec []string, fail func(col, format string, a ...any) error) error {
	c := Country{ISO3: rec[0], ISO2: rec[1], Census: rec[3], Name: rec[4]}
	idx := len(t.rows)
	if !iso3Pattern.MatchString(c.ISO3) {
		return fail("iso3", "%q is not a 2-3 character upper-case code", c.ISO3)
	}
	if prev, ok := t.byISO3[c.ISO3]; ok {
		return fail("iso3", "%s already used by %s", c.ISO3, t.rows[prev].Name)
	}
	if c.ISO2 != "" {
		if !iso2Pattern.MatchString(c.ISO2) {
			return fail("iso2", "%q is not two upper-case letters", c.ISO2)
		}
		if prev, ok := t.byISO2[c.ISO2]; ok {
			return fail("iso2", "%s already used by %s", c.ISO2, t.rows[prev].ISO3)
		}
	}
	// An empty m49 marks a project-only area with no numeric code
	// (OTH: USGS's "Other countries"; XGR: a USGS row naming countries
	// together, "United States and Canada").
	m49 := -1
	if rec[2] != "" {
		n, err := strconv.Atoi(rec[2])
		if err != nil || n < 0 {
			return fail("m49", "%q is not a non-negative number", rec[2])
		}
		m49 = n
	}
	c.M49 = m49
	if c.Census != "" {
		if !censusPattern.MatchString(c.Census) {
			return fail("census_code", "%q is not a 4-digit Schedule C code", c.Census)
		}
		if prev, ok := t.byCensus[c.Census]; ok {
			return fail("census_code", "%s already used by %s", c.Census, t.rows[prev].ISO3)
		}
	}
	if strings.TrimSpace(c.Name) == "" {
		return fail("name", "empty")
	}
	switch rec[5] {
	case "true":
		c.IsArea = true
	case "false":
	default:
		return fail("is_area", "%q is not true or false", rec[5])
	}
	var codes []int
	if m49 >= 0 {
		codes = append(codes, m49)
	}
	if rec[7] != "" {
		for _, s := range strings.Split(rec[7], "|") {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return fail("m49_alt", "%q is not a non-negative number", s)
			}
			codes = append(codes, n)
		}
	}
	for _, n := range codes {
		if err := t.claimM49(n, idx, c, fail); err != nil {
			return err
		}
	}
	names := []string{c.Name}
	if rec[6] != "" {
		names = append(names, strings.Split(rec[6], "|")...)
	}
	for _, n := range names {
		k := nameKey(n)
		if k == "" {
			return fail("aliases", "empty name in %q", rec[6])
		}
		if prev, ok := t.byName[k]; ok && prev != idx {
			return fail("aliases", "%q already names %s", n, t.rows[prev].ISO3)
		}
		t.byName[k] = idx
	}
	t.rows = append(t.rows, c)
	t.byISO3[c.ISO3] = idx
	if c.ISO2 != "" {
		t.byISO2[c.ISO2] = idx
	}
	if c.Census != "" {
		t.byCensus[c.Census] = idx
	}
	return nil
}

// claimM49 indexes a numeric code. A code may be shared only by an area and
// a country, and then names the area: Comtrade reports 492 as 'Europe EU,
// nes' (its partner list even gives it Monaco's ISO3, since 492 is Monaco's
// ISO numeric), while Monaco's own trade is reported within France.
func (t *countryTable) claimM49(n, idx int, c Country, fail func(col, format string, a ...any) error) error {
	prev, ok := t.byM49[n]
	if !ok {
		t.byM49[n] = idx
		return nil
	}
	if prev == idx {
		return fail("m49_alt", "%d repeats the row's own code", n)
	}
	p := t.rows[prev]
	switch {
	case p.IsArea && !c.IsArea:
		return nil
	case c.IsArea && !p.IsArea:
		t.byM49[n] = idx
		return nil
	}
	return fail("m49", "%d already used by %s", n, p.ISO3)
}

// CountryByISO3 looks up an ISO 3166-1 alpha-3 code (or an area code such as
// WLD or S19), case-insensitively.
func CountryByISO3(s string) (Country, bool) {
	return countries.lookup(countries.byISO3, strings.ToUpper(strings.TrimSpace(s)))
}

// CountryByISO2 looks up an ISO 3166-1 alpha-2 code, case-insensitively.
func CountryByISO2(s string) (Country, bool) {
	return countries.lookup(countries.byISO2, strings.ToUpper(strings.TrimSpace(s)))
}

// CountryByM49 looks up a UN Comtrade reporter or partner code. Both the
// code Comtrade uses and the plain ISO numeric are accepted where they
// differ (842 and 840 are the USA), as are former codes Comtrade still
// uses for old years (280 Fed. Rep. of Germany is DEU).
func CountryByM49(n int) (Country, bool) {
	i, ok := countries.byM49[n]
	if !ok {
		return Country{}, false
	}
	return countries.rows[i], true
}

// CountryByCensus looks up a US Census Schedule C country code ("5700" is China).
func CountryByCensus(code string) (Country, bool) {
	return countries.lookup(countries.byCensus, strings.TrimSpace(code))
}

// KnownISO3 reports whether s is a code in the table.
func KnownISO3(s string) bool { _, ok := CountryByISO3(s); return ok }

// Countries returns every row of the table in file order.
func Countries() []Country { return append([]Country(nil), countries.rows...) }

func (t *countryTable) lookup(m map[string]int, k string) (Country, bool) {
	i, ok := m[k]
	if !ok {
		return Country{}, false
	}
	return t.rows[i], true
}

// CountryByName resolves a country name as written by the sources: case,
// surrounding spaces, a UTF-8 byte-order mark, non-breaking spaces,
// accents and punctuation do not matter. USGS tables add marks that are
// stripped when the name does not resolve as written: footnote digits
// ("China2"), the estimate marker e ("Chinae") and a lower-case qualifier
// ("Brazil (beneficiated)", "Turkey, refined borates"). Names of aggregates
// ("Other countries", "United States and Canada") are not found, so the
// caller decides what to do with them; "World total" is World (WLD).
func CountryByName(name string) (Country, bool) {
	s := strings.TrimSpace(strings.NewReplacer("\ufeff", "", "\u00a0", " ").Replace(name))
	for s != "" {
		if c, ok := countries.byNameKey(s); ok {
			return c, true
		}
		if t := strings.TrimRightFunc(s, unicode.IsDigit); t != s {
			s = strings.TrimSpace(t)
			continue
		}
		if c, ok := countries.byNameKey(strings.TrimSuffix(s, "e")); ok && estimateMarked(s) {
			return c, true
		}
		t := stripQualifier(s)
		if t == s {
			break
		}
		s = t
	}
	return Country{}, false
}

func (t *countryTable) byNameKey(s string) (Country, bool) {
	return t.lookup(t.byName, nameKey(s))
}

// estimateMarked reports whether s may end in USGS's estimate marker: an
// e glued to a word ("Irane"); only tried when the whole name is unknown.
func estimateMarked(s string) bool {
	r := []rune(s)
	return len(r) > 2 && r[len(r)-1] == 'e' && unicode.IsLetter(r[len(r)-2])
}

// stripQualifier removes a trailing qualifier that starts in lower case:
// "(crude)" or ", ulexite". Capitalised ones are part of the name:
// "Congo (Kinshasa)", "Korea, North".
func stripQualifier(s string) string {
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, "("); i > 0 && startsLower(s[i+1:]) {
			return strings.TrimSpace(s[:i])
		}
		return s
	}
	if i := strings.LastIndex(s, ","); i > 0 && startsLower(strings.TrimSpace(s[i+1:])) {
		return strings.TrimSpace(s[:i])
	}
	return s
}

func startsLower(s string) bool {
	for _, r := range s {
		return unicode.IsLower(r)
	}
	return false
}

// nameKey folds a name for matching: lower case, accents removed, '&' read
// as 'and', every run of other characters (spaces, punctuation, curly
// quotes) one space.
func nameKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if f, ok := foldRune[r]; ok {
			r = f
		}
		switch {
		case r == '&':
			b.WriteString(" and ")
			space = false
		case r == 'ß':
			b.WriteString("ss")
			space = false
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		default:
			space = true
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// foldRune maps the accented letters found in country names to ASCII.
var foldRune = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'a': "áàâäãåāăą", 'c': "çćč", 'd': "ď", 'e': "éèêëēėęě", 'g': "ğ", 'i': "íìîïīı",
		'l': "łľ", 'n': "ñńň", 'o': "óòôöõøō", 'r': "ř", 's': "śšş", 't': "ťţ",
		'u': "úùûüūů", 'y': "ýÿ", 'z': "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
