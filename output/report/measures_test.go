package report

import (
	"testing"
	"time"
)

// The headline names the kinds of measure in force and since when; a
// suspended ban reads as such until the suspension ends.
func TestInForce(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	ms := []measure{
		{id: "23", typ: "licensing", effective: "2023-08-01", eff: d("2023-08-01")},
		{id: "46", typ: "ban", effective: "2024-12-03", eff: d("2024-12-03")},
		{id: "72", typ: "suspension", effective: "2025-11-10", end: "2026-11-27", suspends: "46", eff: d("2025-11-10")},
	}
	for _, tc := range []struct{ at, want string }{
		{"2023-07-31", ""},
		{"2024-06-01", "licensing since Aug 2023"},
		{"2025-01-01", "licensing since Aug 2023, ban since Dec 2024"},
		{"2026-01-15", "licensing since Aug 2023, ban suspended since Nov 2025"},
		{"2026-12-01", "licensing since Aug 2023, ban since Dec 2024"},
	} {
		if got := inForce(ms, d(tc.at)); got != tc.want {
			t.Errorf("at %s: %q, want %q", tc.at, got, tc.want)
		}
	}
}
