package usgsmcs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// otherISO3 is the code "Other countries" gets, if the country table has
// it; groupISO3 the code of a row naming several countries together
// ("United States and Canada"). Both are areas, never suppliers.
const (
	otherISO3 = "OTH"
	groupISO3 = "XGR"
)

var (
	trailingDigits = regexp.MustCompile(`\s*\d+$`)
	// what separates the countries a group row names: "United States and
	// Canada", "Belgium-Luxembourg", "Australia & New Zealand"
	groupSeparator = regexp.MustCompile(`\s*(?:,|&|/|-|\band\b)\s*`)
	// a qualifier after a country name: "Brazil (beneficiated)", "Argentina, crude ore"
	nameQualifier = regexp.MustCompile(`^(.*?)\s*(\(.*\)|,.*)$`)
	roundedWord   = regexp.MustCompile(`(?i)\brounded\b`)
)

// countryName strips footnote digits and normalises spaces.
func countryName(s string) string {
	return strings.TrimSpace(trailingDigits.ReplaceAllString(cleanText(s), ""))
}

// countryKey tells the countries of a table apart: the ISO3 code when the
// name resolves ("Korea, North" and "Korea, Republic of" differ, the two
// "United States (...)" helium rows do not), else the name itself.
func countryKey(s string) string {
	if l := areaLabel(s); l != "" {
		return l
	}
	if iso, err := resolveCountry(s); err == nil {
		return iso
	}
	return strings.ToLower(countryName(s))
}

// countryQualifier is what follows a country's name, without "rounded".
func countryQualifier(s string) string {
	m := nameQualifier.FindStringSubmatch(countryName(s))
	if m == nil {
		return ""
	}
	return productOf([]string{roundedWord.ReplaceAllString(m[2], " ")})
}

// resolveCountry maps a world-table country to its ISO3 code, or says why not.
func resolveCountry(raw string) (string, error) {
	name := countryName(raw)
	low := strings.ToLower(name)
	switch {
	case name == "":
		return "", fmt.Errorf("missing country")
	case strings.HasPrefix(low, "world total") || low == "world":
		return etl.WorldISO3, nil
	case strings.HasPrefix(low, "other countries") || low == "other" || low == "others":
		return areaCode(name, otherISO3, "a residual group")
	}
	for _, c := range nameCandidates(name) {
		if co, ok := lookupCountry(c); ok {
			return co.ISO3, nil
		}
		if namesCountries(c) {
			return areaCode(name, groupISO3, "a group of countries")
		}
	}
	// a regional residual: "Other Europe", "Other Asia"
	if strings.HasPrefix(low, "other ") {
		return areaCode(name, otherISO3, "a residual group")
	}
	return "", fmt.Errorf("unknown country %q", name)
}

// areaCode is the area code a residual or group row gets, if the country
// table has it.
func areaCode(name, iso3, what string) (string, error) {
	if etl.KnownISO3(iso3) {
		return iso3, nil
	}
	return "", fmt.Errorf("%q is %s and the country table has no %s code for it", name, what, iso3)
}

// nameCandidates are a country name as written and without its qualifier.
func nameCandidates(name string) []string {
	cands := []string{name}
	if m := nameQualifier.FindStringSubmatch(name); m != nil && m[1] != "" {
		cands = append(cands, m[1])
	}
	return cands
}

func lookupCountry(name string) (etl.Country, bool) {
	if co, ok := etl.CountryByName(name); ok {
		return co, true
	}
	// a glued estimate mark: "Japane", "Korea, Republic ofe"
	if strings.HasSuffix(name, "e") {
		return etl.CountryByName(strings.TrimSuffix(name, "e"))
	}
	return etl.Country{}, false
}

// namesCountries reports whether name lists two or more different
// countries, each of which the country table knows.
func namesCountries(name string) bool {
	parts := groupSeparator.Split(name, -1)
	if len(parts) < 2 {
		return false
	}
	seen := map[string]bool{}
	for _, p := range parts {
		co, ok := lookupCountry(p)
		if p == "" || !ok || co.IsArea || seen[co.ISO3] {
			return false
		}
		seen[co.ISO3] = true
	}
	return true
}

// areaLabel is the product part that keeps a group row, or a regional
// residual, apart from the others of its code in one table: the slug of
// its name ("united-states-and-canada"); "" for every other row.
func areaLabel(raw string) string {
	name := countryName(raw)
	low := strings.ToLower(name)
	if strings.HasPrefix(low, "other countries") || low == "other" || low == "others" {
		return ""
	}
	switch iso, err := resolveCountry(raw); {
	case err != nil:
		return ""
	case iso == groupISO3, iso == otherISO3 && strings.HasPrefix(low, "other "):
		cands := nameCandidates(name)
		return productOf([]string{cands[len(cands)-1]})
	}
	return ""
}

// mineWord finds "mine" but not "minerals"; "Mne production" is in a real file.
var mineWord = regexp.MustCompile(`\bmi?ne\b`)

// stageMeasure is the production measure a world Type implies.
func stageMeasure(typ string) string {
	t := strings.ToLower(typ)
	switch {
	case strings.Contains(t, "capacity") && !strings.Contains(t, "production"):
		return mCapacity
	case mineWord.MatchString(t): // "Mne production" is in a real file
		return "mine_production"
	case strings.Contains(t, "refinery"):
		return "refinery_production"
	case strings.Contains(t, "smelter"):
		return "smelter_production"
	case strings.Contains(t, "plant production"):
		return "plant_production"
	case strings.Contains(t, "primary production"):
		// gallium: primary (low-purity) metal recovered from bauxite and zinc
		// processing, before any refining to high purity
		return "primary_production"
	}
	return "unspecified_production"
}

// typeNoise is what a Type says besides the material: stage, scope, units.
var typeNoise = regexp.MustCompile(`(?i)\bworld total\b|\bworld\b|\b(mine|mne|refinery|smelter|plant)\s+p\w*duction\b|\bproduction\b|\bplant capacity\b|\bcapacity\b|\(rounded\)|\brounded\b|\b(thousand|million)?\s*metric tons\b|\bestimated\b`)

// typeProduct is the material a world Type names, as a product slug:
// "Iron ore - mine production - usable ore -thousand metric tons" ->
// iron-ore-usable-ore.
func typeProduct(typ string) string {
	return productOf([]string{typeNoise.ReplaceAllString(cleanText(typ), " ")})
}
