// Package loadtest holds what the tests of the warehouse and of its load
// engine build their input from: valid rows and canonical batches.
package loadtest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/etl"
)

// Year is January 1 of y, UTC.
func Year(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }

// Flow is a valid trade flow; row doubles as the source row.
func Flow(period time.Time, hs string, value float64, row int64) etl.TradeFlow {
	freq := "A"
	if period.Month() != time.January || period.Day() != 1 {
		freq = "M"
	}
	return etl.TradeFlow{Freq: freq, Period: period, Reporter: "USA", Partner: "CHN", Flow: etl.FlowImport,
		HSCode: hs, HSRevision: "HS2017", ValueUSD: etl.F(value), NetWeightKg: etl.F(value / 10),
		Source: "test-trade", Ref: "flows.csv", Row: row}
}

// Stat is a valid mineral statistic of year y; row doubles as the source row.
func Stat(y int, value float64, row int64) etl.MineralStat {
	return etl.MineralStat{Edition: "MCS2024", Commodity: "gallium", Year: y, Country: "USA", Measure: "imports",
		Product: "", Value: etl.F(value), Unit: "kg", Source: "test-usgs", Ref: "mcs2024_gallium.csv", Row: row,
		Column: fmt.Sprintf("Imports_%d", y)}
}

// DictEncode returns rec with the named string columns dictionary-encoded,
// as a source with coded columns (BACI) sends them.
func DictEncode(t testing.TB, rec arrow.RecordBatch, names ...string) arrow.RecordBatch {
	t.Helper()
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	fields := rec.Schema().Fields()
	cols := make([]arrow.Array, len(fields))
	for i := range fields {
		cols[i] = rec.Column(i)
		cols[i].Retain()
		if !slices.Contains(names, fields[i].Name) {
			continue
		}
		src := cols[i].(*array.String)
		b := array.NewDictionaryBuilder(memory.DefaultAllocator, dt).(*array.BinaryDictionaryBuilder)
		for r := range src.Len() {
			if src.IsNull(r) {
				b.AppendNull()
			} else if err := b.AppendString(src.Value(r)); err != nil {
				t.Fatal(err)
			}
		}
		cols[i].Release()
		cols[i] = b.NewArray()
		b.Release()
		fields[i].Type = dt
	}
	out := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}

// Synthetic writes N distinct trade flows over ten years of months.
type Synthetic struct {
	N     int
	Scale float64 // multiplies values, so a second load can revise them
}

func (s Synthetic) Extract(ctx context.Context, sink etl.Sink) error {
	w := etl.NewTradeFlowWriter(sink, 0)
	reporters := []string{"USA", "CHN"}
	for i := range s.N {
		f := etl.TradeFlow{Freq: "M", Period: time.Date(2015+(i%120)/12, time.Month(i%12+1), 1, 0, 0, 0, 0, time.UTC),
			Reporter: reporters[i%2], Partner: "WLD", Flow: etl.FlowImport, HSCode: fmt.Sprintf("%010d", i/120),
			HSRevision: "HS2017", ValueUSD: etl.F(float64(i) * s.Scale), NetWeightKg: etl.F(float64(i)),
			Source: "synthetic", Ref: "synthetic.csv", Row: int64(i + 1)}
		if err := w.Add(ctx, f); err != nil {
			w.Close(ctx)
			return err
		}
	}
	return w.Close(ctx)
}

// Flows writes flows through the canonical writer, batchRows a batch
// (0 for the writer's size), into a MemorySink the caller releases.
func Flows(t testing.TB, batchRows int, flows ...etl.TradeFlow) *etl.MemorySink {
	t.Helper()
	m := &etl.MemorySink{}
	if err := writeFlows(context.Background(), m, batchRows, flows); err != nil {
		t.Fatal(err)
	}
	return m
}

// FlowSource is a source of flows, written through the canonical writer
// in batches of the writer's size.
type FlowSource []etl.TradeFlow

func (s FlowSource) Extract(ctx context.Context, sink etl.Sink) error {
	return writeFlows(ctx, sink, 0, s)
}

func writeFlows(ctx context.Context, sink etl.Sink, batchRows int, flows []etl.TradeFlow) error {
	w := etl.NewTradeFlowWriter(sink, batchRows)
	for _, f := range flows {
		if err := w.Add(ctx, f); err != nil {
			w.Close(ctx)
			return err
		}
	}
	return w.Close(ctx)
}
