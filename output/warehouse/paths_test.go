package warehouse

import (
	"reflect"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// A load starts straight into history (2021 is new) and moves to staging
// when a batch meets existing history (2020); a duplicate spanning that
// move is still caught, the first arrival kept.
func TestLoadMovesToStaging(t *testing.T) {
	w := openTest(t, "")
	mustLoad(t, w, &testSource{flows: []etl.TradeFlow{
		flow(year(2020), "811292", 1, 1), flow(year(2020), "811299", 2, 2), flow(year(2020), "280530", 3, 3)}})

	src := &testSource{batchRows: 2, flows: []etl.TradeFlow{
		flow(year(2021), "811292", 10, 1), flow(year(2021), "811299", 20, 2), // batch 1: straight into history
		flow(year(2020), "811292", 5, 3), flow(year(2021), "811292", 99, 4), // batch 2: a revision and a duplicate of row 1
		flow(year(2020), "811299", 2, 5), flow(year(2020), "280530", 3, 6), // batch 3: unchanged
	}}
	st, run, err := load(t, w, src)
	if err != nil {
		t.Fatal(err)
	}
	want := etl.LoadStats{RowsIn: 6, Loaded: 3, Revised: 1, Unchanged: 2, Rejected: 1,
		Periods: map[string][]string{"A": {"2020-01-01", "2021-01-01"}}}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("got %+v, want %+v", st, want)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM rejected_rows WHERE run_id = ? AND source_row = 4 AND reason = 'duplicate of row 1'", run); n != 1 {
		t.Errorf("%d rejections of row 4 as a duplicate of row 1", n)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM trade_flows WHERE period = DATE '2021-01-01' AND hs_code = '811292' AND value_usd = 10"); n != 1 {
		t.Error("the first arrival of the duplicate key is not the one kept")
	}
	if n := queryInt(t, w, "SELECT count(*) FROM trade_flows"); n != 5 {
		t.Errorf("%d current rows, want 5", n)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM trade_flows_history"); n != 6 {
		t.Errorf("%d history rows, want 6 (3 + 2 new + 1 revision)", n)
	}
}

// A reload where one group changed merges that group only; a duplicate
// inside it is rejected, while equal groups count as unchanged.
func TestLoadChangedGroupOnly(t *testing.T) {
	w := openTest(t, "")
	base := []etl.TradeFlow{flow(year(2020), "811292", 1, 1), flow(year(2020), "811299", 2, 2)}
	other := flow(year(2020), "811292", 7, 3)
	other.Reporter = "DEU"
	base = append(base, other)
	mustLoad(t, w, &testSource{flows: base})

	again := append([]etl.TradeFlow{}, base...)
	again[0].ValueUSD = etl.F(100)                          // USA group changes
	again = append(again, flow(year(2020), "811299", 2, 4)) // duplicate of row 2 in the USA group
	st, _, err := load(t, w, &testSource{flows: again})
	if err != nil {
		t.Fatal(err)
	}
	if st.Loaded != 1 || st.Revised != 1 || st.Unchanged != 2 || st.Rejected != 1 {
		t.Errorf("got %+v, want 1 loaded (revised), 2 unchanged, 1 rejected", st)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM trade_flows"); n != 3 {
		t.Errorf("%d current rows, want 3", n)
	}
}
