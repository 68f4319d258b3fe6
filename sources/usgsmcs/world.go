package usgsmcs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// otherISO3 is the code "Other countries" gets, if the country table has it.
const otherISO3 = "OTH"

var (
	trailingDigits = regexp.MustCompile(`\s*\d+$`)
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
	case strings.HasPrefix(low, "other countries") || low == "other":
		if etl.KnownISO3(otherISO3) {
			return otherISO3, nil
		}
		return "", fmt.Errorf("%q is a residual group and the country table has no %s code for it", name, otherISO3)
	}
	cands := []string{name}
	if m := nameQualifier.FindStringSubmatch(name); m != nil && m[1] != "" {
		cands = append(cands, m[1])
	}
	for _, c := range cands {
		if co, ok := etl.CountryByName(c); ok {
			return co.ISO3, nil
		}
		// a glued estimate mark: "Japane", "Korea, Republic ofe"
		if strings.HasSuffix(c, "e") {
			if co, ok := etl.CountryByName(strings.TrimSuffix(c, "e")); ok {
				return co.ISO3, nil
			}
		}
	}
	return "", fmt.Errorf("unknown country %q", name)
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
