package sql

import (
	"fmt"
	"strings"
)

// SettingKind is what a mart setting's value must be.
type SettingKind int

const (
	Number  SettingKind = iota // a number from Min to Max
	Count                      // a whole number from Min to Max
	Country                    // a country's ISO3 code (no area)
)

// Setting is a row of the settings table the mart scripts read.
type Setting struct {
	Name     string
	Kind     SettingKind
	Default  string // written when a warehouse is opened for writing and has no row for it
	Min, Max float64
	Doc      string
}

// Settings are every setting the mart scripts read, the one place their
// defaults are declared: the scripts read the rows without a fallback, so
// whatever runs them seeds every row first (a test checks the scripts
// read these and no others).
var Settings = []Setting{
	{"concern_iso3", Country, "CHN", 0, 0, "the country of concern (import_shares, dependency_trends, supplier_alternatives)"},
	{"min_coverage", Number, "0.8", 0, 1,
		"share of the reported World total the countries among the partners must cover for coverage_flag 'full'"},
	{"hhi_highly_concentrated", Number, "1800", 0, 10000, "HHI above which hhi_band is 'highly_concentrated'"},
	{"hhi_moderately_concentrated", Number, "1000", 0, 10000, "HHI from which hhi_band is 'moderately_concentrated'"},
	{"single_supplier_share", Number, "0.65", 0, 1, "share above which one country is a single_supplier"},
	{"event_window_months", Count, "12", 1, 48, "event_windows: t runs -N ... +N months"},
	{"event_baseline_months", Count, "12", 1, 48, "event_windows: the baseline (index 100) is the mean of t -N ... -1 months"},
	{"event_window_years", Count, "3", 1, 10, "event_windows: t runs -N ... +N years"},
	{"event_baseline_years", Count, "3", 1, 10, "event_windows: the baseline is the mean of t -N ... -1 years"},
	{"diversion_months", Count, "12", 1, 48, "diversion: pre t -N ... -1, post t 0 ... N-1 months (both cut to one length where the data end or begin)"},
	{"diversion_years", Count, "1", 1, 10, "diversion: pre t -N ... -1, post t 0 ... N-1 years (likewise)"},
	{"diversion_min_post_months", Count, "12", 1, 48, "diversion: a comparison with fewer post months reported is incomplete, not ranked (at most diversion_months)"},
	{"diversion_min_post_years", Count, "1", 1, 10, "diversion: likewise in years (at most diversion_years)"},
	{"alternatives_world_exporters", Count, "20", 0, 1000, "supplier_alternatives: the code's largest exporters to the world listed as candidates"},
}

// Range describes the values a setting takes, for help texts.
func (s Setting) Range() string {
	switch s.Kind {
	case Country:
		return "a country's ISO3 code"
	case Count:
		return fmt.Sprintf("a whole number from %g to %g", s.Min, s.Max)
	}
	return fmt.Sprintf("%g to %g", s.Min, s.Max)
}

// SettingDefaults is a relation (name, value) of every setting's default.
func SettingDefaults() string {
	rows := make([]string, len(Settings))
	for i, s := range Settings {
		rows[i] = "(" + literal(s.Name) + ", " + literal(s.Default) + ")"
	}
	return "SELECT name, value FROM (VALUES " + strings.Join(rows, ", ") + ") d(name, value)"
}

// SeedSettings is the statement that writes the default of every setting
// a settings table has no row for.
func SeedSettings() string {
	return "INSERT INTO settings " + SettingDefaults() + " ON CONFLICT DO NOTHING"
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
