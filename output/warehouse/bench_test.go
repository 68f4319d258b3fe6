package warehouse

import (
	"context"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/loadtest"
)

// BenchmarkLoad loads 1M rows into an empty warehouse ("new") and then the
// same rows again ("unchanged") and with every value changed ("revised").
func BenchmarkLoad(b *testing.B) {
	const rows = 1_000_000
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		first  bool // preload the rows once before the timed load
		second loadtest.Synthetic
	}{
		{"new", false, loadtest.Synthetic{N: rows, Scale: 1}},
		{"unchanged", true, loadtest.Synthetic{N: rows, Scale: 1}},
		{"revised", true, loadtest.Synthetic{N: rows, Scale: 2}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				w, err := Open(ctx, Options{Dir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				if tc.first {
					if _, err := w.Load(ctx, 1, loadtest.Synthetic{N: rows, Scale: 1}); err != nil {
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
	if _, err := w.Load(ctx, 1, loadtest.Synthetic{N: rows, Scale: 1}); err != nil {
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
