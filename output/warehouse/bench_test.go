package warehouse

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// synthetic writes n distinct trade flows over ten years of months.
type synthetic struct {
	n     int
	scale float64 // multiplies values, so a second load can revise them
}

func (s synthetic) Extract(ctx context.Context, sink etl.Sink) error {
	w := etl.NewTradeFlowWriter(sink, 0)
	reporters := []string{"USA", "CHN"}
	for i := range s.n {
		f := etl.TradeFlow{Freq: "M", Period: time.Date(2015+(i%120)/12, time.Month(i%12+1), 1, 0, 0, 0, 0, time.UTC),
			Reporter: reporters[i%2], Partner: "WLD", Flow: etl.FlowImport, HSCode: fmt.Sprintf("%010d", i/120),
			HSRevision: "HS2017", ValueUSD: etl.F(float64(i) * s.scale), NetWeightKg: etl.F(float64(i)),
			Source: "synthetic", Ref: "synthetic.csv", Row: int64(i + 1)}
		if err := w.Add(ctx, f); err != nil {
			w.Close(ctx)
			return err
		}
	}
	return w.Close(ctx)
}

// BenchmarkLoad loads 1M rows into an empty warehouse ("new") and then the
// same rows again ("unchanged") and with every value changed ("revised").
func BenchmarkLoad(b *testing.B) {
	const rows = 1_000_000
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		first  bool // preload the rows once before the timed load
		second synthetic
	}{
		{"new", false, synthetic{rows, 1}},
		{"unchanged", true, synthetic{rows, 1}},
		{"revised", true, synthetic{rows, 2}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				w, err := Open(ctx, Options{Dir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				if tc.first {
					if _, err := w.Load(ctx, 1, synthetic{rows, 1}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				st, err := w.Load(ctx, 2, tc.second)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if st.RowsIn != rows {
					b.Fatalf("loaded %+v", st)
				}
				w.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkRebuildMarts rebuilds the marts over 1M loaded rows: all
// periods, and the one month a small load touched (the nightly case,
// which must not cost in proportion to the history).
func BenchmarkRebuildMarts(b *testing.B) {
	const rows = 1_000_000
	ctx := context.Background()
	w, err := Open(ctx, Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Load(ctx, 1, synthetic{rows, 1}); err != nil {
		b.Fatal(err)
	}
	month := etl.LoadStats{Periods: map[string][]string{"M": {"2020-06-01"}}}
	for _, tc := range []struct {
		name string
		st   etl.LoadStats
		all  bool
	}{{"all", etl.LoadStats{}, true}, {"one-month", month, false}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if err := w.RebuildMarts(ctx, tc.st, tc.all); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
