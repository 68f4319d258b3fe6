package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse"
)

// impact heads its window with the measure's status on the day it is
// read: No. 72 of 2025 suspended the US ban of No. 46 of 2024 until
// 2026-11-27, so on 2026-12-08 the suspension has ended and the ban applies.
func TestImpactStatusOnTheDayItIsRead(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		day, measure, want string
	}{
		{"2026-06-01", "CHN-MOFCOM-2025-72", "CHN, on USA, effective 2025-11-09 to 2026-11-27; status on 2026-06-01: in force\n"},
		{"2026-06-01", "CHN-MOFCOM-2024-46", "CHN, on USA, effective 2024-12-03; status on 2026-06-01: suspended\n"},
		{"2026-12-08", "CHN-MOFCOM-2025-72", "CHN, on USA, effective 2025-11-09 to 2026-11-27; status on 2026-12-08: ended\n"},
		{"2026-12-08", "CHN-MOFCOM-2024-46", "CHN, on USA, effective 2024-12-03; status on 2026-12-08: in force\n"},
		{"2026-12-08", "CHN-MOFCOM-MOST-2023-TECH", "CHN, on every destination, effective 2023-12-21; status on 2026-12-08: in force\n\n" +
			"the measure covers no HS code, so it has no event window (why: tradewh query \"SELECT unsourced FROM trade_measures WHERE measure_id = 'CHN-MOFCOM-MOST-2023-TECH'\")\n"},
	} {
		t.Run(tc.day+" "+tc.measure, func(t *testing.T) {
			day, _ := time.Parse(time.DateOnly, tc.day)
			wh, err := warehouse.Open(ctx, warehouse.Options{Dir: dir, Now: func() time.Time { return day.Add(20 * time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
			defer wh.Close()
			if err := wh.RebuildMarts(ctx, etl.LoadStats{}, true); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := printImpact(ctx, wh, &out, warehouse.EventWindowFilter{Measure: tc.measure, Event: "effective"}); err != nil {
				t.Fatal(err)
			}
			_, head, _ := strings.Cut(out.String(), "\n")
			if !strings.HasPrefix(head, tc.want) {
				t.Errorf("got\n%s\nwant a second line of\n%s", out.String(), tc.want)
			}
		})
	}
}
