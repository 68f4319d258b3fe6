package warehouse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/etl"
)

// testSource writes its rows through the canonical writers.
type testSource struct {
	flows     []etl.TradeFlow
	stats     []etl.MineralStat
	batchRows int
	// before, when set, is called before each row is added (i counts rows
	// of both tables); an error it returns ends the extract.
	before func(ctx context.Context, i int) error
	// extra, when set, is written as is after the rows (a bulk source).
	extra    func(ctx context.Context, sink etl.Sink) error
	finished chan struct{} // closed when Extract returns, if set
}

func (s *testSource) Extract(ctx context.Context, sink etl.Sink) (err error) {
	if s.finished != nil {
		defer close(s.finished)
	}
	tw := etl.NewTradeFlowWriter(sink, s.batchRows)
	mw := etl.NewMineralStatWriter(sink, s.batchRows)
	defer func() {
		err = errors.Join(err, tw.Close(ctx), mw.Close(ctx))
	}()
	i := 0
	step := func() error {
		i++
		if s.before != nil {
			return s.before(ctx, i)
		}
		return nil
	}
	for _, f := range s.flows {
		if err := step(); err != nil {
			return err
		}
		if err := tw.Add(ctx, f); err != nil {
			return err
		}
	}
	for _, m := range s.stats {
		if err := step(); err != nil {
			return err
		}
		if err := mw.Add(ctx, m); err != nil {
			return err
		}
	}
	if s.extra != nil {
		return s.extra(ctx, sink)
	}
	return nil
}

func year(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }

// flow is a valid trade flow; row doubles as the source row.
func flow(period time.Time, hs string, value float64, row int64) etl.TradeFlow {
	freq := "A"
	if period.Month() != time.January || period.Day() != 1 {
		freq = "M"
	}
	return etl.TradeFlow{Freq: freq, Period: period, Reporter: "USA", Partner: "CHN", Flow: etl.FlowImport,
		HSCode: hs, HSRevision: "HS2017", ValueUSD: etl.F(value), NetWeightKg: etl.F(value / 10),
		Source: "test-trade", Ref: "flows.csv", Row: row}
}

func stat(y int, value float64, row int64) etl.MineralStat {
	return etl.MineralStat{Edition: "MCS2024", Commodity: "gallium", Year: y, Country: "USA", Measure: "imports",
		Product: "", Value: etl.F(value), Unit: "kg", Source: "test-usgs", Ref: "mcs2024_gallium.csv", Row: row,
		Column: fmt.Sprintf("Imports_%d", y)}
}

func openTest(t testing.TB, dir string) *Warehouse {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	w, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// load runs a source as a recorded run, as the pipeline does.
func load(t testing.TB, w *Warehouse, src etl.Source) (etl.LoadStats, int64, error) {
	t.Helper()
	ctx := context.Background()
	id, err := w.StartRun(ctx, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.Load(ctx, id, src)
	if ferr := w.FinishRun(ctx, id, st, err); ferr != nil {
		t.Fatal(ferr)
	}
	return st, id, err
}

func mustLoad(t testing.TB, w *Warehouse, src etl.Source) etl.LoadStats {
	t.Helper()
	st, _, err := load(t, w, src)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// allCounts counts the rows of every table, so a test can see that a
// failed load left nothing behind.
func allCounts(t testing.TB, w *Warehouse) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, n := range []string{"trade_flows_history", "mineral_statistics_history", "rejected_rows", "job_state",
		"countries", "commodity_codes", "settings", "schema_migrations"} {
		out[n] = queryInt(t, w, "SELECT count(*) FROM "+n)
	}
	out["arrow views"] = queryInt(t, w, "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'arrow_batch%'")
	out["closed versions"] = queryInt(t, w,
		"SELECT (SELECT count(*) FROM trade_flows_history WHERE valid_to IS NOT NULL) + (SELECT count(*) FROM mineral_statistics_history WHERE valid_to IS NOT NULL)")
	return out
}

func queryInt(t testing.TB, w *Warehouse, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := w.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func runStatus(t testing.TB, w *Warehouse, id int64) (status, errText string) {
	t.Helper()
	var e *string
	if err := w.DB().QueryRow("SELECT status, error FROM etl_runs WHERE run_id = ?", id).Scan(&status, &e); err != nil {
		t.Fatal(err)
	}
	if e != nil {
		errText = *e
	}
	return status, errText
}

func sameCounts(t *testing.T, before, after map[string]int64) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d rows before the failed load, %d after", k, v, after[k])
		}
	}
}

// dictEncode returns rec with the named string columns dictionary-encoded,
// as a source with coded columns (BACI) sends them.
func dictEncode(t testing.TB, rec arrow.RecordBatch, names ...string) arrow.RecordBatch {
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
