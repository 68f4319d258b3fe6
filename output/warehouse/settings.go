package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MartSetting is a threshold the marts read from the settings table.
type MartSetting struct {
	Name     string
	Default  string // written by migration 006
	Min, Max float64
	Doc      string
}

// MartSettings are the marts' thresholds, as documented in the README.
var MartSettings = []MartSetting{
	{"min_coverage", "0.8", 0, 1,
		"share of the reported World total the countries among the partners must cover for coverage_flag 'full'"},
	{"hhi_highly_concentrated", "1800", 0, 10000, "HHI above which hhi_band is 'highly_concentrated'"},
	{"hhi_moderately_concentrated", "1000", 0, 10000, "HHI from which hhi_band is 'moderately_concentrated'"},
	{"single_supplier_share", "0.65", 0, 1, "share above which one country is a single_supplier"},
}

// ErrBadSetting marks a mart setting SetMartSettings refused.
var ErrBadSetting = errors.New("bad mart setting")

// SetMartSettings checks and writes mart settings (NAME=VALUE each) and,
// in the same transaction, leaves every period's marts pending: they rest
// on the old values until the next rebuild (RebuildMarts) includes them.
func (w *Warehouse) SetMartSettings(ctx context.Context, sets []string) error {
	if w.readOnly {
		return errors.New("set mart settings: the warehouse is open read-only")
	}
	vals := map[string]float64{}
	for _, s := range MartSettings {
		v, _ := strconv.ParseFloat(s.Default, 64)
		vals[s.Name] = v
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
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				vals[n] = f
			}
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
		var spec *MartSetting
		for i := range MartSettings {
			if MartSettings[i].Name == name {
				spec = &MartSettings[i]
			}
		}
		if spec == nil {
			names := make([]string, len(MartSettings))
			for i, m := range MartSettings {
				names[i] = m.Name
			}
			return fmt.Errorf("%w: %q is unknown (known: %s)", ErrBadSetting, name, strings.Join(names, ", "))
		}
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || f < spec.Min || f > spec.Max {
			return fmt.Errorf("%w: %s = %q: want a number from %g to %g", ErrBadSetting, name, value, spec.Min, spec.Max)
		}
		vals[name] = f
		changes = append(changes, kv{name, strconv.FormatFloat(f, 'f', -1, 64)})
	}
	if vals["hhi_moderately_concentrated"] > vals["hhi_highly_concentrated"] {
		return fmt.Errorf("%w: hhi_moderately_concentrated (%g) is above hhi_highly_concentrated (%g)",
			ErrBadSetting, vals["hhi_moderately_concentrated"], vals["hhi_highly_concentrated"])
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	return inTx(ctx, w.db, func(tx *sql.Tx) error {
		for _, c := range changes {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO settings VALUES (?, ?)`, c.name, c.value); err != nil {
				return fmt.Errorf("set mart setting %s: %w", c.name, err)
			}
		}
		// The thresholds shape dependency_trends alone: its periods wait.
		_, err := tx.ExecContext(ctx, `INSERT INTO mart_pending
			SELECT freq, period, ? FROM (SELECT DISTINCT freq, period FROM dependency_trends)
			ON CONFLICT DO NOTHING`, w.now())
		if err != nil {
			return fmt.Errorf("set mart settings: pending periods: %w", err)
		}
		return nil
	})
}
