package report

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The measures table reads each measure's status on the report's day,
// the day its headline speaks of: No. 72 of 2025 suspended the US ban of
// No. 46 of 2024 until 2026-11-27.
func TestMeasureStatusOnTheReportDay(t *testing.T) {
	dir := demoWarehouse(t)
	wh := openWH(t, dir, true)
	for _, tc := range []struct {
		now            string
		want46, want72 string
	}{
		{"2025-06-01", "in_force", "announced"},
		{"2026-06-01", "suspended", "in_force"},
		{"2026-11-27", "suspended", "in_force"},
		{"2026-12-08", "in_force", "ended"},
	} {
		t.Run(tc.now, func(t *testing.T) {
			now, _ := time.Parse("2006-01-02", tc.now)
			r, err := Build(context.Background(), wh.DB(), Options{Commodity: "gallium_germanium", Now: now.Add(9 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, g := range r.Groups {
				for _, s := range g.Sections {
					for _, tb := range s.Tables {
						if tb.Caption != "Trade measures on this group" {
							continue
						}
						for _, row := range tb.Rows {
							id, _, _ := strings.Cut(row[0], ":")
							got[id] = row[7]
						}
					}
				}
			}
			if got["CHN-MOFCOM-2024-46"] != tc.want46 || got["CHN-MOFCOM-2025-72"] != tc.want72 {
				t.Errorf("No. 46 %q, No. 72 %q; want %q, %q", got["CHN-MOFCOM-2024-46"], got["CHN-MOFCOM-2025-72"], tc.want46, tc.want72)
			}
		})
	}
}
