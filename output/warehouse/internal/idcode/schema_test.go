package idcode_test

import (
	"context"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse"
	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
	"github.com/tradewh/tradewh/output/warehouse/internal/loadtest"
)

// idcode.Decode gives what the trade_flow_rows view gives.
func TestDecodeVersionsIsTheView(t *testing.T) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	queryInt := func(q string) int64 {
		t.Helper()
		var n int64
		if err := w.DB().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	flows := []etl.TradeFlow{loadtest.Flow(loadtest.Year(2021), "811292", 10, 1), loadtest.Flow(loadtest.Year(2021), "2846", 2, 2)}
	flows[1].Commodity, flows[1].Quantity, flows[1].QuantityUnit = "rare_earths", etl.F(4), "kg"
	run, err := w.StartRun(ctx, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.Load(ctx, run, loadtest.FlowSource(flows))
	if ferr := w.FinishRun(ctx, run, st, err); err != nil || ferr != nil {
		t.Fatal(err, ferr)
	}
	decoded := idcode.Decode("(SELECT *, rowid AS rid FROM " + idcode.VersionsTable + ")")
	for _, q := range []string{
		"SELECT count(*) FROM (SELECT * FROM trade_flow_rows EXCEPT ALL " + decoded + ")",
		"SELECT count(*) FROM (" + decoded + " EXCEPT ALL SELECT * FROM trade_flow_rows)",
	} {
		if n := queryInt(q); n != 0 {
			t.Errorf("%d rows differ: %s", n, q)
		}
	}
	if n := queryInt("SELECT count(*) FROM (" + decoded + ")"); n != 2 {
		t.Errorf("decoded %d versions, want 2", n)
	}
}
