package warehouse

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestMartSettingDefaultsAreAccepted: every declared default passes the
// check SetMartSettings applies.
func TestMartSettingDefaultsAreAccepted(t *testing.T) {
	for _, s := range MartSettings {
		if _, err := checkSetting(s, s.Default); err != nil {
			t.Errorf("%s: its default is refused: %v", s.Name, err)
		}
	}
}

// TestSetMartSettings: a new warehouse lists every setting with its
// default; good values are stored as the scripts read them, bad ones
// refused with the setting and the range named, leaving the table as it was.
func TestSetMartSettings(t *testing.T) {
	w := openTest(t, t.TempDir())
	ctx := context.Background()
	if n := queryInt(t, w, `SELECT count(*) FROM settings WHERE name IN (SELECT unnest(string_split(?, ',')))`, strings.Join(names(), ",")); n != int64(len(MartSettings)) {
		t.Errorf("a new warehouse has %d of the %d mart settings", n, len(MartSettings))
	}
	for _, c := range []struct {
		set, stored, err string
	}{
		{"event_baseline_months=6", "6", ""},
		{"concern_iso3= usa ", "USA", ""},
		{"diversion_min_post_months=3", "3", ""},
		{"alternatives_world_exporters=25", "25", ""},
		{"min_coverage=0.75", "0.75", ""},
		{"event_baseline_months=6.5", "", "event_baseline_months = \"6.5\": want a whole number from 1 to 48"},
		{"event_baseline_months=0", "", "want a whole number from 1 to 48"},
		{"event_window_years=NaN", "", "want a whole number from 1 to 10"},
		{"min_coverage=NaN", "", "want a number from 0 to 1"},
		{"concern_iso3=ZZZ", "", `concern_iso3 = "ZZZ": want a country's ISO3 code`},
		{"concern_iso3=WLD", "", "want a country's ISO3 code"},
		{"concern_iso3=", "", "want a country's ISO3 code"},
		{"diversion_min_post_months=13", "", "diversion_min_post_months (13) is above diversion_months (12)"},
		{"diversion_months=2", "", "diversion_min_post_months (3) is above diversion_months (2)"},
		{"diversion_min_post_years=2", "", "diversion_min_post_years (2) is above diversion_years (1)"},
		{"event_baseline_monthz=6", "", `"event_baseline_monthz" is unknown`},
	} {
		t.Run(c.set, func(t *testing.T) {
			before := queryString(t, w, `SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM settings`)
			err := w.SetMartSettings(ctx, []string{c.set})
			name, _, _ := strings.Cut(c.set, "=")
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := queryString(t, w, `SELECT value FROM settings WHERE name = ?`, strings.TrimSpace(name)); got != c.stored {
					t.Errorf("stored %q, want %q", got, c.stored)
				}
				return
			}
			if !errors.Is(err, ErrBadSetting) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("error %v, want ErrBadSetting with %q", err, c.err)
			}
			if after := queryString(t, w, `SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM settings`); after != before {
				t.Errorf("a refused setting changed the table:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

func names() []string {
	out := make([]string, len(MartSettings))
	for i, s := range MartSettings {
		out[i] = s.Name
	}
	return out
}
