package warehouse

import (
	"context"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// BenchmarkRowHash hashes 1M synthetic rows (batches of the writer's size).
func BenchmarkRowHash(b *testing.B) {
	m := &etl.MemorySink{}
	defer m.Release()
	if err := (synthetic{1_000_000, 1}).Extract(context.Background(), m); err != nil {
		b.Fatal(err)
	}
	f, _ := factOf(etl.TradeFlows)
	gh := make([]uint64, 1<<20)
	for b.Loop() {
		for _, rec := range m.Records[etl.TradeFlows] {
			hashRows(f, rec, gh[:rec.NumRows()])
		}
	}
}
