package warehouse

import (
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// Rows held as possible repeats are settled before the commit: a false
// alarm is loaded, a repeat rejected (the first arrival wins, even when it
// was held and the later one went to history), and held rows follow the
// load into staging when it meets existing history.
func TestHeldRepeats(t *testing.T) {
	deuJpn := func(f etl.TradeFlow) etl.TradeFlow { f.Reporter, f.Partner = "DEU", "JPN"; return f }
	t.Run("false alarm", func(t *testing.T) {
		w := openTest(t, "")
		// 811299 comes in a block that came back: held, but no repeat.
		st := mustLoad(t, w, &testSource{batchRows: 2, flows: []etl.TradeFlow{flow(year(2021), "811292", 10, 1),
			deuJpn(flow(year(2021), "811292", 2, 2)), flow(year(2021), "811299", 5, 3)}})
		if st.Loaded != 3 || st.Rejected != 0 {
			t.Fatalf("got %+v, want 3 loaded", st)
		}
		if n := queryInt(t, w, "SELECT count(*) FROM trade_flows WHERE hs_code = '811299' AND value_usd = 5 AND source_row = 3"); n != 1 {
			t.Error("the held row was not loaded")
		}
	})
	t.Run("held first arrival", func(t *testing.T) {
		w := openTest(t, "")
		// Rows out of order in one batch: row 9 streams into history, row 5
		// repeats its key and is held, yet arrived first.
		st, run, err := load(t, w, &testSource{flows: []etl.TradeFlow{flow(year(2021), "811292", 10, 9),
			flow(year(2021), "811292", 99, 5)}})
		if err != nil {
			t.Fatal(err)
		}
		if st.Loaded != 1 || st.Rejected != 1 {
			t.Fatalf("got %+v, want 1 loaded and 1 rejected", st)
		}
		if n := queryInt(t, w, "SELECT count(*) FROM rejected_rows WHERE run_id = ? AND source_row = 9 AND reason = 'duplicate of row 5'", run); n != 1 {
			t.Error("row 9 is not rejected as a duplicate of row 5")
		}
		if n := queryInt(t, w, "SELECT count(*) FROM trade_flows_history WHERE value_usd = 99 AND source_row = 5"); n != 1 {
			t.Error("history does not hold the first arrival alone")
		}
		if n := queryInt(t, w, "SELECT count(*) FROM trade_flows_history"); n != 1 {
			t.Errorf("%d history rows, want 1", n)
		}
	})
	t.Run("into staging", func(t *testing.T) {
		w := openTest(t, "")
		mustLoad(t, w, &testSource{flows: []etl.TradeFlow{flow(year(2020), "811292", 1, 1)}})
		// 2021 streams, its repeat is held; then a 2020 row meets history.
		st, run, err := load(t, w, &testSource{batchRows: 2, flows: []etl.TradeFlow{flow(year(2021), "811292", 10, 1),
			deuJpn(flow(year(2021), "811292", 2, 2)), flow(year(2021), "811292", 99, 3), flow(year(2021), "811299", 7, 4),
			flow(year(2020), "811292", 3, 5)}})
		if err != nil {
			t.Fatal(err)
		}
		if st.Loaded != 4 || st.Revised != 1 || st.Rejected != 1 {
			t.Fatalf("got %+v, want 4 loaded (1 revised) and 1 rejected", st)
		}
		if n := queryInt(t, w, "SELECT count(*) FROM rejected_rows WHERE run_id = ? AND source_row = 3 AND reason = 'duplicate of row 1'", run); n != 1 {
			t.Error("row 3 is not rejected as a duplicate of row 1")
		}
		if n := queryInt(t, w, "SELECT count(*) FROM trade_flows WHERE period = DATE '2021-01-01'"); n != 3 {
			t.Errorf("%d current 2021 rows, want 3", n)
		}
		if n := queryInt(t, w, "SELECT count(*) FROM trade_flows WHERE period = DATE '2020-01-01' AND value_usd = 3"); n != 1 {
			t.Error("the 2020 revision is not current")
		}
	})
}
