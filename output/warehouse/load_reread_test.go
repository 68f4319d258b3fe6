package warehouse

import (
	"context"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// countingSource counts Extract calls: the fingerprint pass is one, the
// full load another.
type countingSource struct {
	*testSource
	calls int
}

func (s *countingSource) Extract(ctx context.Context, sink etl.Sink) error {
	s.calls++
	return s.testSource.Extract(ctx, sink)
}

// rereadSource is a countingSource with the Rereadable capability.
type rereadSource struct {
	countingSource
	reread bool
}

func (s *rereadSource) Reread() bool { return s.reread }

// fingerprintFixture spans several groups: two reporters, two periods,
// and mineral statistics of two years.
func fingerprintFixture() *testSource {
	var flows []etl.TradeFlow
	row := int64(1)
	for _, p := range []time.Time{year(2022), time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)} {
		for _, rep := range []string{"USA", "DEU"} {
			for _, hs := range []string{"811292", "810194", "280461"} {
				f := flow(p, hs, float64(row)*100, row)
				f.Reporter = rep
				flows = append(flows, f)
				row++
			}
		}
	}
	return &testSource{flows: flows, stats: []etl.MineralStat{stat(2022, 10, 1), stat(2023, 12, 2)}, batchRows: 4}
}

func TestRereadFastPath(t *testing.T) {
	nullRowHash := func(t *testing.T, w *Warehouse) int64 {
		return queryInt(t, w, "SELECT (SELECT count(*) FROM trade_flows_history WHERE row_hash IS NULL) + (SELECT count(*) FROM mineral_statistics_history WHERE row_hash IS NULL)")
	}
	tests := []struct {
		name   string
		change func(s *testSource) // applied to the re-read input
		noCap  bool                // the re-read source lacks the capability
		legacy bool                // history rows predate row_hash
		calls  int                 // Extract calls of the re-run: 1 = fast path or no capability
		want   etl.LoadStats
	}{
		{name: "unchanged", calls: 1, want: etl.LoadStats{RowsIn: 14, Unchanged: 14}},
		{name: "provenance only", calls: 1, want: etl.LoadStats{RowsIn: 14, Unchanged: 14},
			change: func(s *testSource) {
				for i := range s.flows {
					s.flows[i].Ref, s.flows[i].Row = "other.csv", int64(100+i)
				}
			}},
		{name: "one value changed", calls: 2, want: etl.LoadStats{RowsIn: 14, Loaded: 1, Revised: 1, Unchanged: 13},
			change: func(s *testSource) { s.flows[4].ValueUSD = etl.F(1) }},
		{name: "one statistic changed", calls: 2, want: etl.LoadStats{RowsIn: 14, Loaded: 1, Revised: 1, Unchanged: 13},
			change: func(s *testSource) { s.stats[1].Value = etl.F(13) }},
		{name: "duplicate key", calls: 2, want: etl.LoadStats{RowsIn: 15, Unchanged: 14, Rejected: 1},
			change: func(s *testSource) {
				d := s.flows[2]
				d.Row = 99
				s.flows = append(s.flows, d)
			}},
		{name: "new group", calls: 2, want: etl.LoadStats{RowsIn: 15, Loaded: 1, Unchanged: 14},
			change: func(s *testSource) {
				f := s.flows[0]
				f.Reporter, f.Row = "JPN", 99
				s.flows = append(s.flows, f)
			}},
		{name: "source rejection", calls: 2, want: etl.LoadStats{RowsIn: 15, Unchanged: 14, Rejected: 1},
			change: func(s *testSource) {
				s.extra = func(ctx context.Context, sink etl.Sink) error {
					return sink.Reject(ctx, etl.Rejection{Table: etl.TradeFlows, Source: "test-trade", Ref: "flows.csv", Row: 50, Reason: "bad"})
				}
			}},
		{name: "history without row hashes", legacy: true, calls: 2, want: etl.LoadStats{RowsIn: 14, Unchanged: 14}},
		{name: "no capability", noCap: true, calls: 1, want: etl.LoadStats{RowsIn: 14, Unchanged: 14}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := openTest(t, "")
			first := &rereadSource{countingSource: countingSource{testSource: fingerprintFixture()}, reread: true}
			if st := mustLoad(t, w, first); st.Loaded != 14 || first.calls != 2 {
				t.Fatalf("first load: %+v in %d extracts, want 14 loaded in 2 (the fingerprint pass stops early)", st, first.calls)
			}
			if n := nullRowHash(t, w); n != 0 {
				t.Fatalf("%d history rows without a row hash", n)
			}
			if tc.legacy {
				if _, err := w.DB().Exec("UPDATE trade_flow_versions SET row_hash = NULL WHERE reporter_id = (SELECT id FROM trade_codes WHERE code = 'DEU')"); err != nil {
					t.Fatal(err)
				}
			}
			before := allCounts(t, w)
			in := fingerprintFixture()
			if tc.change != nil {
				tc.change(in)
			}
			src := &rereadSource{countingSource: countingSource{testSource: in}, reread: !tc.noCap}
			st := mustLoad(t, w, src)
			if src.calls != tc.calls {
				t.Errorf("re-run extracted %d times, want %d", src.calls, tc.calls)
			}
			if err := st.Reconciles(); err != nil {
				t.Error(err)
			}
			got := [5]int64{st.RowsIn, st.Loaded, st.Revised, st.Unchanged, st.Rejected}
			if w := tc.want; got != [5]int64{w.RowsIn, w.Loaded, w.Revised, w.Unchanged, w.Rejected} {
				t.Errorf("stats %+v, want %+v", got, tc.want)
			}
			if len(st.Periods["A"]) != 1 || len(st.Periods["M"]) != 1 || len(st.StatYears) != 2 {
				t.Errorf("periods %v, years %v: want one annual, one monthly period and two years", st.Periods, st.StatYears)
			}
			if tc.calls == 1 && !tc.noCap {
				sameCounts(t, before, allCounts(t, w))
			}
			if !tc.legacy {
				if n := nullRowHash(t, w); n != 0 {
					t.Errorf("%d history rows without a row hash", n)
				}
			}
		})
	}
}
