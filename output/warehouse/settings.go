package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// SettingKind is what a mart setting's value must be.
type SettingKind int

const (
	Number  SettingKind = iota // a number from Min to Max
	Count                      // a whole number from Min to Max
	Country                    // a country's ISO3 code (no area)
)

// MartSetting is a setting the mart scripts read from the settings table.
type MartSetting struct {
	Name     string
	Kind     SettingKind
	Default  string // written when a warehouse is opened for writing and has no row for it
	Min, Max float64
	Doc      string
}

// MartSettings are every setting the mart scripts read, as documented in
// the README (a test checks the scripts read these and no others, with
// these defaults).
var MartSettings = []MartSetting{
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

// ErrBadSetting marks a mart setting SetMartSettings refused.
var ErrBadSetting = errors.New("bad mart setting")

// check returns the value as it is stored, or why it is refused.
func (s MartSetting) check(value string) (string, error) {
	if s.Kind == Country {
		c, ok := etl.CountryByISO3(value)
		if !ok || c.IsArea {
			return "", fmt.Errorf("%w: %s = %q: want a country's ISO3 code, e.g. CHN", ErrBadSetting, s.Name, value)
		}
		return c.ISO3, nil
	}
	want := "a number"
	if s.Kind == Count {
		want = "a whole number"
	}
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || math.IsNaN(f) || f < s.Min || f > s.Max || (s.Kind == Count && f != math.Trunc(f)) {
		return "", fmt.Errorf("%w: %s = %q: want %s from %g to %g", ErrBadSetting, s.Name, value, want, s.Min, s.Max)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// Range describes the values a setting takes, for help texts.
func (s MartSetting) Range() string {
	switch s.Kind {
	case Country:
		return "a country's ISO3 code"
	case Count:
		return fmt.Sprintf("a whole number from %g to %g", s.Min, s.Max)
	}
	return fmt.Sprintf("%g to %g", s.Min, s.Max)
}

func martSetting(name string) (MartSetting, bool) {
	for _, s := range MartSettings {
		if s.Name == name {
			return s, true
		}
	}
	return MartSetting{}, false
}

// seedMartSettings writes the default of every mart setting the
// warehouse has no row for, so the settings table lists them all.
func (w *Warehouse) seedMartSettings(ctx context.Context) error {
	for _, s := range MartSettings {
		if _, err := w.db.ExecContext(ctx, `INSERT INTO settings VALUES (?, ?) ON CONFLICT DO NOTHING`, s.Name, s.Default); err != nil {
			return fmt.Errorf("mart setting %s: %w", s.Name, err)
		}
	}
	return nil
}

// settingPairs must hold in every warehouse: the first is at most the second.
var settingPairs = [][2]string{
	{"hhi_moderately_concentrated", "hhi_highly_concentrated"},
	{"diversion_min_post_months", "diversion_months"},
	{"diversion_min_post_years", "diversion_years"},
}

// SetMartSettings checks and writes mart settings (NAME=VALUE each) and,
// in the same transaction, leaves pending the periods of import_shares
// and dependency_trends that rest on a changed one: they keep the old
// values until the next rebuild (RebuildMarts) includes them. The other
// marts note the settings they were built with and rebuild themselves
// at the next rebuild when those changed.
func (w *Warehouse) SetMartSettings(ctx context.Context, sets []string) error {
	if w.readOnly {
		return errors.New("set mart settings: the warehouse is open read-only")
	}
	vals := map[string]string{}
	for _, s := range MartSettings {
		vals[s.Name] = s.Default
	}
	rows, err := w.db.QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return fmt.Errorf("set mart settings: %w", err)
	}
	for rows.Next() {
		var n, v string
		if err := rows.Scan(&n, &v); err != nil {
			rows.Close()
			return fmt.Errorf("set mart settings: %w", err)
		}
		if _, ok := vals[n]; ok {
			vals[n] = v
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("set mart settings: %w", err)
	}
	type kv struct{ name, value string }
	var changes []kv
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" {
			return fmt.Errorf("%w: %q is not NAME=VALUE", ErrBadSetting, s)
		}
		spec, ok := martSetting(name)
		if !ok {
			names := make([]string, len(MartSettings))
			for i, m := range MartSettings {
				names[i] = m.Name
			}
			return fmt.Errorf("%w: %q is unknown (known: %s)", ErrBadSetting, name, strings.Join(names, ", "))
		}
		v, err := spec.check(value)
		if err != nil {
			return err
		}
		vals[name] = v
		changes = append(changes, kv{name, v})
	}
	for _, p := range settingPairs {
		lo, _ := strconv.ParseFloat(vals[p[0]], 64)
		hi, _ := strconv.ParseFloat(vals[p[1]], 64)
		if lo > hi {
			return fmt.Errorf("%w: %s (%g) is above %s (%g)", ErrBadSetting, p[0], lo, p[1], hi)
		}
	}
	// Which periods rest on the changes: the country of concern shapes
	// import_shares and dependency_trends, the thresholds dependency_trends.
	var pending []string
	for _, c := range changes {
		switch c.name {
		case "concern_iso3":
			pending = append(pending, "import_shares", "dependency_trends")
		case "min_coverage", "hhi_highly_concentrated", "hhi_moderately_concentrated", "single_supplier_share":
			pending = append(pending, "dependency_trends")
		}
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	return inTx(ctx, w.db, func(tx *sql.Tx) error {
		for _, c := range changes {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO settings VALUES (?, ?)`, c.name, c.value); err != nil {
				return fmt.Errorf("set mart setting %s: %w", c.name, err)
			}
		}
		for _, table := range pending {
			_, err := tx.ExecContext(ctx, `INSERT INTO mart_pending
				SELECT freq, period, ? FROM (SELECT DISTINCT freq, period FROM `+table+`)
				ON CONFLICT DO NOTHING`, w.now())
			if err != nil {
				return fmt.Errorf("set mart settings: pending periods: %w", err)
			}
		}
		return nil
	})
}
