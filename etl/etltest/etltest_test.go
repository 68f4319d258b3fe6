package etltest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// Rows written through the etl writers read back field for field,
// nulls included, across more than one batch.
func TestRowsRoundTrip(t *testing.T) {
	ctx := context.Background()
	sink := &etl.MemorySink{}
	t.Cleanup(sink.Release)
	flows := []etl.TradeFlow{
		{Freq: "A", Period: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), Reporter: "USA", Partner: "CHN",
			Flow: etl.FlowImport, HSCode: "811292", HSRevision: "HS2022", Commodity: "gallium_germanium",
			ValueUSD: etl.F(1.5), NetWeightKg: etl.F(2), Quantity: etl.F(3), QuantityUnit: "kg",
			Source: "comtrade-csv", Ref: "a.csv", Row: 1},
		{Freq: "M", Period: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Reporter: "USA", Partner: "WLD",
			Flow: etl.FlowExport, HSCode: "2846", Commodity: "rare_earths", IsAggregate: true,
			Source: "census", Ref: "b", Row: 7},
	}
	fw := etl.NewTradeFlowWriter(sink, 1)
	for _, f := range flows {
		if err := fw.Add(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	stats := []etl.MineralStat{
		{Edition: "MCS2024", Commodity: "gallium", Year: 2022, Country: "USA", Measure: "imports",
			Product: "metal", Value: etl.F(95), Unit: "kg", Qualifier: ">", Source: "usgs-mcs", Ref: "c.csv", Row: 3, Column: "Imports_kg"},
		{Edition: "MCS2024", Commodity: "gallium", Year: 2023, Country: "WLD", Measure: "production",
			Unit: "t", Qualifier: "W", Source: "usgs-mcs", Ref: "c.csv", Row: 4, Column: "Prod_t"},
	}
	mw := etl.NewMineralStatWriter(sink, 0)
	for _, m := range stats {
		if err := mw.Add(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sink.Rejections) != 0 || len(sink.Records[etl.TradeFlows]) != 2 {
		t.Fatalf("rejections %v, %d trade_flows batches, want none and 2", sink.Rejections, len(sink.Records[etl.TradeFlows]))
	}

	got := TradeFlows(t, sink)
	if len(got) != len(flows) {
		t.Fatalf("%d flows, want %d", len(got), len(flows))
	}
	for i := range got {
		// Compare instants, then the rest: a time's location pointer differs
		// between time.Date and an Arrow date's UTC time.
		if !got[i].Period.Equal(flows[i].Period) {
			t.Errorf("flow %d: period %v, want %v", i, got[i].Period, flows[i].Period)
		}
		got[i].Period, flows[i].Period = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got[i], flows[i]) {
			t.Errorf("flow %d:\n got %+v\nwant %+v", i, got[i], flows[i])
		}
	}
	if ms := MineralStats(t, sink); !reflect.DeepEqual(ms, stats) {
		t.Errorf("mineral stats:\n got %+v\nwant %+v", ms, stats)
	}
}

func TestSharedFile(t *testing.T) {
	data := SharedData(t)
	if !filepath.IsAbs(data) || filepath.Base(data) != "data" {
		t.Errorf("SharedData = %s, want an absolute path ending in shared/data", data)
	}
	if _, err := os.Stat(filepath.Join(data, "README.md")); err != nil {
		t.Errorf("no README.md in %s: %v", data, err)
	}
	ok := false
	t.Run("absent", func(t *testing.T) {
		SharedFile(t, "no/such/file.csv")
		ok = true
	})
	if ok {
		t.Error("SharedFile went on past a missing file instead of skipping")
	}
}

// spy counts the errors a helper reports instead of failing the test.
type spy struct {
	testing.TB
	errors int
}

func (s *spy) Errorf(string, ...any) { s.errors++ }

func TestNoSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("resp.json", `{"url":"https://x?key=REDACTED"}`)
	clean := &spy{TB: t}
	NoSecret(clean, "s3cr3t", dir, "GET https://x?key=REDACTED")
	if clean.errors != 0 {
		t.Errorf("%d leaks reported in a clean landing zone", clean.errors)
	}

	write("req-s3cr3t.json", "{}")               // in a file name
	write("log.txt", "GET https://x?key=s3cr3t") // in a body
	leaky := &spy{TB: t}
	NoSecret(leaky, "s3cr3t", dir, "error: key=s3cr3t rejected", "fine")
	if leaky.errors != 3 {
		t.Errorf("%d leaks reported, want 3 (a text, a file name, a body)", leaky.errors)
	}
}
