package etl

import (
	"context"
	"testing"
	"time"
)

func TestTradeFlowWriterBatchesAndRejects(t *testing.T) {
	ctx := context.Background()
	sink := &MemorySink{}
	defer sink.Release()
	w := NewTradeFlowWriter(sink, 2)
	good := TradeFlow{Freq: "A", Period: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), Reporter: "USA",
		Partner: "CHN", Flow: FlowImport, HSCode: "811292", ValueUSD: F(10), Source: "test", Ref: "f.csv"}
	bad := []struct {
		mutate func(*TradeFlow)
		column string
	}{
		{func(t *TradeFlow) { t.Partner = "XXX" }, "partner_iso3"},
		{func(t *TradeFlow) { t.ValueUSD = F(-1) }, "value_usd"},
		{func(t *TradeFlow) { t.HSCode = "81a292" }, "hs_code"},
		{func(t *TradeFlow) { t.Freq = "Q" }, "freq"},
		{func(t *TradeFlow) { t.Reporter = "WLD" }, "reporter_iso3"},
		{func(t *TradeFlow) { t.Period = time.Time{} }, "period"},
	}
	for i := 0; i < 5; i++ {
		g := good
		g.Row = int64(i + 1)
		if err := w.Add(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	for i, b := range bad {
		r := good
		r.Row = int64(100 + i)
		b.mutate(&r)
		if err := w.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(sink.Records[TradeFlows]); got != 3 {
		t.Errorf("%d batches, want 3 of at most 2 rows", got)
	}
	if sink.Rows(TradeFlows) != 5 || w.Written != 5 || w.Rejected != int64(len(bad)) {
		t.Errorf("rows %d written %d rejected %d", sink.Rows(TradeFlows), w.Written, w.Rejected)
	}
	for i, b := range bad {
		r := sink.Rejections[i]
		if r.Column != b.column || r.Row != int64(100+i) || r.Ref != "f.csv" || r.Reason == "" {
			t.Errorf("rejection %d: %+v, want column %s", i, r, b.column)
		}
	}
	// The commodity is derived from the HS code when not given.
	rec := sink.Records[TradeFlows][0]
	if c := rec.Column(7).ValueStr(0); c != "gallium_germanium" {
		t.Errorf("commodity %q", c)
	}
}
