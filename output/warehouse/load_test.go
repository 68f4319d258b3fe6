package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/etl"
)

func TestLoadTwiceIsUnchanged(t *testing.T) {
	w := openTest(t, "")
	src := &testSource{batchRows: 3} // several batches, so batch order matters
	for i, hs := range []string{"811292", "811299", "280530", "2846", "261710"} {
		src.flows = append(src.flows, flow(year(2022), hs, float64(100+i), int64(i+1)))
		src.flows = append(src.flows, flow(time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC), hs, float64(200+i), int64(i+10)))
	}
	src.stats = []etl.MineralStat{stat(2022, 1, 1), stat(2023, 2, 2)}
	src.stats[1].Value, src.stats[1].Qualifier = nil, "W" // withheld: null value kept

	st := mustLoad(t, w, src)
	want := etl.LoadStats{RowsIn: 12, Loaded: 12,
		Periods:   map[string][]string{"A": {"2022-01-01"}, "M": {"2023-03-01"}},
		StatYears: []int{2022, 2023}}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("first load: got %+v, want %+v", st, want)
	}
	history := queryInt(t, w, "SELECT count(*) FROM trade_flows_history") + queryInt(t, w, "SELECT count(*) FROM mineral_statistics_history")

	st = mustLoad(t, w, src)
	want.Loaded, want.Unchanged = 0, 12
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("second load: got %+v, want %+v", st, want)
	}
	again := queryInt(t, w, "SELECT count(*) FROM trade_flows_history") + queryInt(t, w, "SELECT count(*) FROM mineral_statistics_history")
	if again != history {
		t.Errorf("history grew from %d to %d rows on an unchanged load", history, again)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'arrow_batch%'"); n != 0 {
		t.Errorf("%d Arrow views left behind", n)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM trade_flows WHERE commodity IS NULL"); n != 0 {
		t.Errorf("%d flows lack their commodity group", n)
	}
}

func TestLoadRevision(t *testing.T) {
	type check struct {
		current, asOf string // query of the compared value: current view, as-of macro (%s = timestamp)
	}
	tradeQ := check{
		current: "SELECT coalesce(CAST(value_usd AS VARCHAR), 'null') || '/' || coalesce(CAST(net_weight_kg AS VARCHAR), 'null') FROM trade_flows WHERE hs_code = '811292'",
		asOf:    "SELECT coalesce(CAST(value_usd AS VARCHAR), 'null') || '/' || coalesce(CAST(net_weight_kg AS VARCHAR), 'null') FROM trade_flows_as_of(CAST(? AS TIMESTAMP)) WHERE hs_code = '811292'",
	}
	statQ := check{
		current: "SELECT coalesce(CAST(value AS VARCHAR), 'null') || '/' || coalesce(qualifier, 'null') FROM mineral_statistics WHERE year = 2023",
		asOf:    "SELECT coalesce(CAST(value AS VARCHAR), 'null') || '/' || coalesce(qualifier, 'null') FROM mineral_statistics_as_of(CAST(? AS TIMESTAMP)) WHERE year = 2023",
	}
	base := flow(year(2023), "811292", 100, 1)
	other := flow(year(2023), "280530", 7, 2)
	noWeight := base
	noWeight.NetWeightKg = nil
	revised := base
	revised.ValueUSD = etl.F(150)
	withheld := stat(2023, 5, 1)
	withheld.Value, withheld.Qualifier = nil, "W"

	tests := []struct {
		name          string
		first, second *testSource
		q             check
		table         string
		before, after string
	}{
		{"trade value revised", &testSource{flows: []etl.TradeFlow{base, other}},
			&testSource{flows: []etl.TradeFlow{revised, other, flow(year(2023), "2846", 3, 3)}},
			tradeQ, "trade_flows_history", "100.0/10.0", "150.0/10.0"},
		{"trade weight withdrawn", &testSource{flows: []etl.TradeFlow{base, other}},
			&testSource{flows: []etl.TradeFlow{noWeight, other, flow(year(2023), "2846", 3, 3)}},
			tradeQ, "trade_flows_history", "100.0/10.0", "100.0/null"},
		{"statistic withheld", &testSource{stats: []etl.MineralStat{stat(2023, 5, 1), stat(2022, 4, 2)}},
			&testSource{stats: []etl.MineralStat{withheld, stat(2022, 4, 2), stat(2021, 3, 3)}},
			statQ, "mineral_statistics_history", "5.0/null", "null/W"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := openTest(t, "")
			_, run1, err := load(t, w, tc.first)
			if err != nil {
				t.Fatal(err)
			}
			st, run2, err := load(t, w, tc.second)
			if err != nil {
				t.Fatal(err)
			}
			// One revised, one unchanged, one new.
			if st.Loaded != 2 || st.Revised != 1 || st.Unchanged != 1 || st.Rejected != 0 || st.RowsIn != 3 {
				t.Fatalf("second load: %+v", st)
			}
			ts1, ts2 := loadTime(t, w, tc.table, run1), loadTime(t, w, tc.table, run2)
			if !ts2.After(ts1) {
				t.Fatalf("second load time %v not after first %v", ts2, ts1)
			}
			if got := queryString(t, w, tc.q.current); got != tc.after {
				t.Errorf("current: got %s, want %s", got, tc.after)
			}
			for _, c := range []struct {
				at   time.Time
				want string
			}{{ts1, tc.before}, {ts2.Add(-time.Microsecond), tc.before}, {ts2, tc.after}, {ts2.Add(time.Hour), tc.after}} {
				if got := queryString(t, w, tc.q.asOf, c.at.Format("2006-01-02 15:04:05.999999")); got != c.want {
					t.Errorf("as of %v: got %s, want %s", c.at, got, c.want)
				}
			}
			// The old version is kept, closed at the new one's valid_from.
			closed := queryInt(t, w, "SELECT count(*) FROM "+tc.table+" WHERE run_id = ? AND valid_to = (SELECT max(valid_from) FROM "+tc.table+")", run1)
			if closed != 1 {
				t.Errorf("%d closed versions from the first load, want 1", closed)
			}
			if n := queryInt(t, w, "SELECT count(*) FROM "+tc.table); n != 4 {
				t.Errorf("history holds %d rows, want 4 (2 first, 1 revision, 1 new)", n)
			}
		})
	}
}

func loadTime(t *testing.T, w *Warehouse, table string, run int64) time.Time {
	t.Helper()
	var ts time.Time
	if err := w.DB().QueryRow("SELECT max(valid_from) FROM "+table+" WHERE run_id = ?", run).Scan(&ts); err != nil {
		t.Fatal(err)
	}
	return ts
}

func queryString(t *testing.T, w *Warehouse, q string, args ...any) string {
	t.Helper()
	var s sql.NullString
	if err := w.DB().QueryRow(q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s.String
}

// bulkFlows writes one batch built directly in Arrow, as bulk sources do;
// a row with a null hs_code must be rejected by name, not fail the load.
func bulkFlows(ctx context.Context, sink etl.Sink) error {
	b := array.NewRecordBuilder(memory.DefaultAllocator, etl.TradeFlowsSchema)
	defer b.Release()
	for i, hs := range []string{"250410", ""} {
		b.Field(0).(*array.StringBuilder).Append("A")
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(year(2021)))
		b.Field(2).(*array.StringBuilder).Append("USA")
		b.Field(3).(*array.StringBuilder).Append("WLD")
		b.Field(4).(*array.StringBuilder).Append("export")
		if hs == "" {
			b.Field(5).AppendNull()
		} else {
			b.Field(5).(*array.StringBuilder).Append(hs)
		}
		for f := 6; f <= 11; f++ {
			b.Field(f).AppendNull()
		}
		b.Field(12).(*array.BooleanBuilder).Append(false)
		b.Field(13).(*array.StringBuilder).Append("test-bulk")
		b.Field(14).(*array.StringBuilder).Append("bulk.parquet")
		b.Field(15).(*array.Int64Builder).Append(int64(i + 1))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return sink.Write(ctx, etl.TradeFlows, rec)
}

func TestLoadRejections(t *testing.T) {
	w := openTest(t, "")
	badReporter := flow(year(2023), "811292", 1, 3)
	badReporter.Reporter = "XXX"
	negative := flow(year(2023), "811299", -5, 4)
	dupSameFile := flow(year(2023), "280530", 99, 5) // duplicate of row 2
	dupOtherFile := flow(year(2023), "280530", 98, 1)
	dupOtherFile.Ref = "later.csv"
	noUnit := stat(2023, 1, 7)
	noUnit.Unit = ""
	src := &testSource{batchRows: 2,
		flows: []etl.TradeFlow{flow(year(2023), "2846", 1, 1), flow(year(2023), "280530", 10, 2), badReporter, negative,
			dupSameFile, dupOtherFile},
		stats: []etl.MineralStat{stat(2023, 1, 6), noUnit, stat(2023, 2, 8)}, // row 8 duplicates row 6
		extra: bulkFlows,
	}
	st, run, err := load(t, w, src)
	if err != nil {
		t.Fatal(err)
	}
	want := etl.LoadStats{RowsIn: 11, Loaded: 4, Rejected: 7,
		Periods: map[string][]string{"A": {"2021-01-01", "2023-01-01"}}, StatYears: []int{2023}}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("got %+v, want %+v", st, want)
	}
	rows, err := w.DB().Query(`SELECT target, source_ref, source_row, source_column, reason, raw IS NOT NULL
		FROM rejected_rows WHERE run_id = ? ORDER BY target DESC, source_ref, source_row`, run)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var target, ref, col, reason string
		var row int64
		var hasRaw bool
		if err := rows.Scan(&target, &ref, &row, &col, &reason, &hasRaw); err != nil {
			t.Fatal(err)
		}
		if !hasRaw {
			t.Errorf("%s row %d: no raw value", ref, row)
		}
		got = append(got, strings.Join([]string{target, ref, strconv.FormatInt(row, 10), col, reason}, " | "))
	}
	wantRows := []string{
		"trade_flows | bulk.parquet | 2 | hs_code | missing hs_code",
		`trade_flows | flows.csv | 3 | reporter_iso3 | unknown reporter country "XXX"`,
		"trade_flows | flows.csv | 4 | value_usd | negative value -5",
		"trade_flows | flows.csv | 5 |  | duplicate of row 2",
		"trade_flows | later.csv | 1 |  | duplicate of flows.csv row 2",
		"mineral_statistics | mcs2024_gallium.csv | 7 | Imports_2023 | missing unit",
		"mineral_statistics | mcs2024_gallium.csv | 8 |  | duplicate of row 6",
	}
	if !reflect.DeepEqual(got, wantRows) {
		t.Errorf("rejected rows:\n got %q\nwant %q", got, wantRows)
	}
	// The first of each duplicate set is the one kept.
	if v := queryString(t, w, "SELECT CAST(value_usd AS VARCHAR) FROM trade_flows WHERE hs_code = '280530'"); v != "10.0" {
		t.Errorf("kept duplicate has value %s, want the first (10.0)", v)
	}
	if v := queryString(t, w, "SELECT CAST(value AS VARCHAR) FROM mineral_statistics"); v != "1.0" {
		t.Errorf("kept statistic has value %s, want the first (1.0)", v)
	}
	var status string
	var in, loaded, unchanged, rejected int64
	if err := w.DB().QueryRow("SELECT status, rows_in, rows_loaded, rows_unchanged, rows_rejected FROM etl_runs WHERE run_id = ?", run).
		Scan(&status, &in, &loaded, &unchanged, &rejected); err != nil {
		t.Fatal(err)
	}
	if status != StatusOK || in != 11 || loaded != 4 || unchanged != 0 || rejected != 7 {
		t.Errorf("etl_runs: %s in=%d loaded=%d unchanged=%d rejected=%d", status, in, loaded, unchanged, rejected)
	}
}

// wrongSchema writes a batch that is not canonical.
func wrongSchema(ctx context.Context, sink etl.Sink) error {
	s := arrow.NewSchema([]arrow.Field{{Name: "freq", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append("A")
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := sink.Write(ctx, etl.TradeFlows, rec); err != nil {
		return err
	}
	// A source that keeps writing after the loader failed must be stopped.
	for {
		if err := bulkFlows(ctx, sink); err != nil {
			return err
		}
	}
}

func TestFailedLoadLeavesWarehouseUnchanged(t *testing.T) {
	many := func() *testSource {
		s := &testSource{batchRows: 10}
		for i := range 100 {
			s.flows = append(s.flows, flow(time.Date(2020+i/12, time.Month(i%12+1), 1, 0, 0, 0, 0, time.UTC), "811292", float64(i+1), int64(i+1)))
		}
		s.stats = []etl.MineralStat{stat(2019, 5, 1)}
		bad := flow(year(2020), "811292", 1, 500)
		bad.Partner = "ZZZ" // a rejection, which must vanish too
		s.flows = append(s.flows, bad)
		return s
	}
	tests := []struct {
		name    string
		prepare func(s *testSource, cancel context.CancelFunc)
		status  string
		errText string
	}{
		{"source fails halfway", func(s *testSource, _ context.CancelFunc) {
			s.before = func(_ context.Context, i int) error {
				if i == 55 {
					return errors.New("connection reset")
				}
				return nil
			}
		}, StatusFailed, "connection reset"},
		{"cancelled", func(s *testSource, cancel context.CancelFunc) {
			s.before = func(ctx context.Context, i int) error {
				if i == 55 {
					cancel()
					return ctx.Err()
				}
				return nil
			}
		}, StatusCancelled, "context canceled"},
		{"source panics", func(s *testSource, _ context.CancelFunc) {
			s.before = func(_ context.Context, i int) error {
				if i == 101 {
					panic("index out of range")
				}
				return nil
			}
		}, StatusFailed, "source panicked: index out of range"},
		{"batch not canonical", func(s *testSource, _ context.CancelFunc) {
			s.extra = wrongSchema
		}, StatusFailed, "trade_flows batch with 1 columns, the canonical schema has 16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := openTest(t, "")
			first := many()
			first.flows = first.flows[:30] // some history the failed load would revise
			mustLoad(t, w, first)
			before := allCounts(t, w)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			src := many()
			for i := range src.flows {
				src.flows[i].ValueUSD = etl.F(1e6)
			}
			src.finished = make(chan struct{})
			tc.prepare(src, cancel)
			run, err := w.StartRun(ctx, "test", "test")
			if err != nil {
				t.Fatal(err)
			}
			st, loadErr := w.Load(ctx, run, src)
			select {
			case <-src.finished:
			default:
				t.Error("Load returned while the source was still running")
			}
			if loadErr == nil {
				t.Fatalf("load succeeded: %+v", st)
			}
			if err := w.FinishRun(ctx, run, st, loadErr); err != nil { // ctx may be cancelled: still recorded
				t.Fatal(err)
			}
			if !strings.Contains(loadErr.Error(), tc.errText) {
				t.Errorf("error %q does not contain %q", loadErr, tc.errText)
			}
			sameCounts(t, before, allCounts(t, w))
			if n := queryInt(t, w, "SELECT count(*) FROM trade_flows WHERE value_usd = 1e6"); n != 0 {
				t.Errorf("%d rows of the failed load are visible", n)
			}
			status, errText := runStatus(t, w, run)
			if status != tc.status || errText != loadErr.Error() {
				t.Errorf("run recorded as %s %q, want %s %q", status, errText, tc.status, loadErr)
			}
			// The connection is usable and the next load works.
			st = mustLoad(t, w, many())
			if st.Loaded != 70 || st.Unchanged != 31 || st.Rejected != 1 {
				t.Errorf("load after the failure: %+v", st)
			}
		})
	}
}

// Loads may run in parallel (one per source); their merges take turns.
func TestConcurrentLoads(t *testing.T) {
	w := openTest(t, "")
	srcs := []*testSource{{}, {}, {}}
	for i, s := range srcs {
		for j := range 200 {
			s.flows = append(s.flows, flow(year(2020+i), "8112"+strconv.Itoa(10+j%90)+strconv.Itoa(j/90), float64(j), int64(j+1)))
		}
		s.batchRows = 50
	}
	errs := make(chan error, len(srcs))
	for _, s := range srcs {
		go func() {
			st, err := w.Load(context.Background(), 1, s)
			if err == nil && st.Loaded != 200 {
				err = fmt.Errorf("loaded %+v", st)
			}
			errs <- err
		}()
	}
	for range srcs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := queryInt(t, w, "SELECT count(*) FROM trade_flows"); n != 600 {
		t.Errorf("%d current rows, want 600", n)
	}
	if n := queryInt(t, w, "SELECT count(DISTINCT valid_from) FROM trade_flows_history"); n != 3 {
		t.Errorf("%d distinct load times, want 3", n)
	}
}

// DuckDB's out-of-memory advice names settings tradewh does not expose:
// the load's error keeps the step and the first line only.
func TestOutOfMemoryIsReworded(t *testing.T) {
	duck := errors.New("merge trade_flows: find rows: Out of Memory Error: failed to pin block of size 256.0 KiB (91.3 MiB/91.5 MiB used)\n\nPossible solutions:\n* Reducing the number of threads (SET threads=X)\n* Increasing the memory limit (SET memory_limit='...GB')")
	got := outOfMemory(duck)
	if !errors.Is(got, duck) {
		t.Error("the reworded error does not wrap DuckDB's")
	}
	msg := got.Error()
	if strings.Contains(msg, "SET ") || strings.Contains(msg, "Possible solutions") {
		t.Errorf("advice left in: %q", msg)
	}
	if !strings.HasPrefix(msg, "merge trade_flows: find rows: Out of Memory Error: failed to pin block") || !strings.Contains(msg, "nothing of the load was written") {
		t.Errorf("message %q", msg)
	}
	other := errors.New("constraint violated")
	if outOfMemory(other) != other {
		t.Error("another error was changed")
	}
}
