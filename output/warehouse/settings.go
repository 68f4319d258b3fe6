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
	whsql "github.com/tradewh/tradewh/sql"
)

// MartSetting is a setting the mart scripts read from the settings table,
// declared with the scripts (whsql.Settings).
type MartSetting = whsql.Setting

// SettingKind is what a mart setting's value must be.
type SettingKind = whsql.SettingKind

const (
	Number  = whsql.Number
	Count   = whsql.Count
	Country = whsql.Country
)

// MartSettings are every setting the mart scripts read, as documented in
// the README.
var MartSettings = whsql.Settings

// ErrBadSetting marks a mart setting SetMartSettings refused.
var ErrBadSetting = errors.New("bad mart setting")

// checkSetting returns the value of s as it is stored, or why it is refused.
func checkSetting(s MartSetting, value string) (string, error) {
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
	if _, err := w.db.ExecContext(ctx, whsql.SeedSettings()); err != nil {
		return fmt.Errorf("mart settings: %w", err)
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
		v, err := checkSetting(spec, value)
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
