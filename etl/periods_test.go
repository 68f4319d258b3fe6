package etl

import (
	"testing"
	"time"
)

func TestResolvePeriod(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ expr, freq, want string }{
		{"latest", "A", "2026"},
		{"latest", "M", "202611"},
		{"-60m", "M", "202111"},
		{"-5y", "A", "2021"},
		{"-2 years", "M", "202411"},
		{"2019", "A", "2019"},
		{"202301", "M", "202301"},
	} {
		if got := ResolvePeriod(tc.expr, tc.freq, now); got != tc.want {
			t.Errorf("ResolvePeriod(%q, %s) = %q, want %q", tc.expr, tc.freq, got, tc.want)
		}
	}
}

func TestPeriodRange(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, tc := range []struct {
		name          string
		raw           map[string]any
		cursor        Cursor
		window        int
		wantFrom, wTo any
	}{
		{"first run keeps the configured start", map[string]any{"freq": "A", "from": "2000", "to": "latest"}, Cursor{}, 24, "2000", "2026"},
		{"annual cursor less two years", map[string]any{"freq": "A", "from": "2000", "to": "latest"}, Cursor{"A", day("2024-01-01")}, 24, "2022", "2026"},
		{"monthly cursor less the window", map[string]any{"freq": "M", "from": "-60m", "to": "latest"}, Cursor{"M", day("2026-08-01")}, 24, "202401", "202611"},
		{"window past the configured start", map[string]any{"freq": "M", "from": "202501", "to": "latest"}, Cursor{"M", day("2025-06-01")}, 24, "202501", "202611"},
		{"census (no freq) is monthly", map[string]any{"from": "2021", "to": "latest"}, Cursor{"M", day("2026-09-01")}, 3, "202601", "202611"},
		{"file sources untouched", map[string]any{"paths": []any{"x"}}, Cursor{"A", day("2024-01-01")}, 24, nil, nil},
	} {
		got := PeriodRange(tc.raw, tc.cursor, tc.window, now)
		if got["from"] != tc.wantFrom || got["to"] != tc.wTo {
			t.Errorf("%s: from %v to %v, want %v %v", tc.name, got["from"], got["to"], tc.wantFrom, tc.wTo)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	st := LoadStats{Periods: map[string][]string{"A": {"2022-01-01", "2023-01-01"}, "M": {"2023-11-01"}}}
	c := CursorOf(st, Cursor{})
	if c.String() != "M:2023-11-01" {
		t.Fatalf("cursor %s", c)
	}
	back, err := ParseCursor(c.String())
	if err != nil || back != c {
		t.Fatalf("round trip %v %v", back, err)
	}
	if _, err := ParseCursor("X:2020"); err == nil {
		t.Error("bad cursor accepted")
	}
}
