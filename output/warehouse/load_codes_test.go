package warehouse

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/etl"
)

// Duplicates written straight into history are rejected whether the
// codec saw them (a repeat inside a block) or could not tell (a block
// came back).
func TestDirectDuplicates(t *testing.T) {
	deuJpn := func(f etl.TradeFlow) etl.TradeFlow { f.Reporter, f.Partner = "DEU", "JPN"; return f }
	cases := []struct {
		name  string
		flows []etl.TradeFlow
	}{
		{"same block", []etl.TradeFlow{flow(year(2021), "811292", 10, 1), flow(year(2021), "811299", 2, 2),
			flow(year(2021), "811292", 99, 3)}},
		{"blocks came back", []etl.TradeFlow{flow(year(2021), "811292", 10, 1), deuJpn(flow(year(2021), "811292", 2, 2)),
			flow(year(2021), "811292", 99, 3)}},
	}
	export := func(f etl.TradeFlow) etl.TradeFlow { f.Flow = etl.FlowExport; return f }
	other := flow(year(2021), "811299", 5, 2)
	other.Ref = "other.csv"
	cases = append(cases, struct {
		name  string
		flows []etl.TradeFlow
	}{"blocks came back, two flows and files", []etl.TradeFlow{flow(year(2021), "811292", 10, 1), export(other),
		flow(year(2021), "811292", 99, 3), deuJpn(flow(year(2021), "811292", 2, 4))}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := openTest(t, "")
			st, run, err := load(t, w, &testSource{batchRows: 2, flows: tc.flows})
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(len(tc.flows) - 1); st.Loaded != want || st.Rejected != 1 {
				t.Fatalf("got %+v, want %d loaded and 1 rejected", st, want)
			}
			if n := queryInt(t, w, "SELECT count(*) FROM rejected_rows WHERE run_id = ? AND source_row = 3 AND reason = 'duplicate of row 1'", run); n != 1 {
				t.Errorf("row 3 is not rejected as a duplicate of row 1")
			}
			if n := queryInt(t, w, "SELECT count(*) FROM trade_flows WHERE hs_code = '811292' AND reporter_iso3 = 'USA' AND value_usd = 10"); n != 1 {
				t.Error("the first arrival is not the one kept")
			}
			if n := queryInt(t, w, "SELECT count(*) FROM trade_flows_history"); n != int64(len(tc.flows)-1) {
				t.Errorf("%d history rows, want %d", n, len(tc.flows)-1)
			}
		})
	}
}

// dictSource sends its trade-flow batches with the code columns
// dictionary-encoded, as BACI does.
type dictSource struct {
	etl.Source
	t testing.TB
}

func (s dictSource) Extract(ctx context.Context, sink etl.Sink) error {
	return s.Source.Extract(ctx, dictSink{sink, s.t})
}

type dictSink struct {
	etl.Sink
	t testing.TB
}

func (s dictSink) Write(ctx context.Context, t etl.Table, rec arrow.RecordBatch) error {
	if t != etl.TradeFlows {
		return s.Sink.Write(ctx, t, rec)
	}
	d := dictEncode(s.t, rec, "reporter_iso3", "partner_iso3", "hs_code", "commodity", "quantity_unit")
	defer d.Release()
	return s.Sink.Write(ctx, t, d)
}

// Dictionary-encoded batches load the same rows as plain ones, straight
// into history and through staging (a revision).
func TestDictionaryBatches(t *testing.T) {
	first := []etl.TradeFlow{flow(year(2021), "811292", 10, 1), flow(year(2021), "2846", 2, 2)}
	first[1].Commodity, first[1].Quantity, first[1].QuantityUnit = "rare_earths", etl.F(4), "kg"
	second := slices.Clone(first)
	second[0].ValueUSD = etl.F(11)
	q := `SELECT string_agg(concat_ws('|', reporter_iso3, partner_iso3, hs_code, commodity, quantity_unit, value_usd, valid_to IS NULL), ';'
		ORDER BY hs_code, valid_to NULLS LAST) FROM trade_flows_history`
	var want []string
	for _, dict := range []bool{false, true} {
		w := openTest(t, "")
		for i, flows := range [][]etl.TradeFlow{first, second} {
			var src etl.Source = &testSource{flows: flows}
			if dict {
				src = dictSource{src, t}
			}
			st := mustLoad(t, w, src)
			if i == 1 && st.Revised != 1 {
				t.Fatalf("dictionary %t: second load %+v, want 1 revision", dict, st)
			}
			got := queryString(t, w, q)
			if !dict {
				want = append(want, got)
			} else if got != want[i] {
				t.Errorf("load %d: dictionary-encoded history\n%s\nplain\n%s", i+1, got, want[i])
			}
		}
	}
	if !strings.Contains(want[1], "USA|CHN|2846|rare_earths|kg|2.0|true") {
		t.Errorf("history does not read back its codes: %s", want[1])
	}
}
