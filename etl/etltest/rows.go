package etltest

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tradewh/tradewh/etl"
)

// TradeFlows reads every trade_flows row in sink back into etl.TradeFlow,
// failing when a batch's schema is not the canonical one. Nullable
// strings read back as "" and nullable numbers as nil, mirroring the
// writer.
func TradeFlows(t testing.TB, sink *etl.MemorySink) []etl.TradeFlow {
	t.Helper()
	return readRows(t, sink, etl.TradeFlows, func(c cols, i int) etl.TradeFlow {
		return etl.TradeFlow{
			Freq: c.str(0, i), Period: c.rec.Column(1).(*array.Date32).Value(i).ToTime(),
			Reporter: c.str(2, i), Partner: c.str(3, i), Flow: c.str(4, i),
			HSCode: c.str(5, i), HSRevision: c.str(6, i), Commodity: c.str(7, i),
			ValueUSD: c.num(8, i), NetWeightKg: c.num(9, i), Quantity: c.num(10, i),
			QuantityUnit: c.str(11, i), IsAggregate: c.rec.Column(12).(*array.Boolean).Value(i),
			Source: c.str(13, i), Ref: c.str(14, i), Row: c.rec.Column(15).(*array.Int64).Value(i),
		}
	})
}

// MineralStats is TradeFlows for mineral_statistics.
func MineralStats(t testing.TB, sink *etl.MemorySink) []etl.MineralStat {
	t.Helper()
	return readRows(t, sink, etl.MineralStatistics, func(c cols, i int) etl.MineralStat {
		return etl.MineralStat{
			Edition: c.str(0, i), Commodity: c.str(1, i), Year: int(c.rec.Column(2).(*array.Int32).Value(i)),
			Country: c.str(3, i), Measure: c.str(4, i), Product: c.str(5, i), Value: c.num(6, i),
			Unit: c.str(7, i), Qualifier: c.str(8, i), Source: c.str(9, i), Ref: c.str(10, i),
			Row: c.rec.Column(11).(*array.Int64).Value(i), Column: c.str(12, i),
		}
	})
}

// readRows converts every row of table in sink with row, after checking
// each batch against the table's canonical schema.
func readRows[T any](t testing.TB, sink *etl.MemorySink, table etl.Table, row func(c cols, i int) T) []T {
	t.Helper()
	var out []T
	for _, rec := range sink.Records[table] {
		if err := etl.CheckSchema(table, rec.Schema()); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, row(cols{rec}, i))
		}
	}
	return out
}

// cols reads the nullable columns of one batch.
type cols struct{ rec arrow.RecordBatch }

func (c cols) str(col, i int) string {
	return strings.Clone(etl.StringsOf(c.rec.Column(col))(i))
}

func (c cols) num(col, i int) *float64 {
	a := c.rec.Column(col).(*array.Float64)
	if a.IsNull(i) {
		return nil
	}
	return etl.F(a.Value(i))
}
