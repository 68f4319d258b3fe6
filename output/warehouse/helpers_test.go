package warehouse

import (
	"context"
	"errors"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/loadtest"
)

var (
	year       = loadtest.Year
	flow       = loadtest.Flow
	stat       = loadtest.Stat
	dictEncode = loadtest.DictEncode
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
