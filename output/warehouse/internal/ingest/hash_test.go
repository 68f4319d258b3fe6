package ingest

import (
	"context"
	"reflect"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/loadtest"
)

var (
	year       = loadtest.Year
	flow       = loadtest.Flow
	dictEncode = loadtest.DictEncode
)

// TestRowHashIgnoresProvenance checks what the hash covers: the key and
// values, not where a row came from.
func TestRowHashIgnoresProvenance(t *testing.T) {
	f, _ := factOf(etl.TradeFlows)
	hash := func(fl etl.TradeFlow) uint64 {
		m := loadtest.Flows(t, 1, fl)
		defer m.Release()
		return hashRows(f, m.Records[etl.TradeFlows][0], nil)[0]
	}
	base := flow(year(2022), "811292", 100, 1)
	moved := base
	moved.Ref, moved.Row = "elsewhere.csv", 7
	if hash(base) != hash(moved) {
		t.Error("provenance changed the row hash")
	}
	for name, change := range map[string]func(*etl.TradeFlow){
		"value":     func(f *etl.TradeFlow) { f.ValueUSD = etl.F(101) },
		"null":      func(f *etl.TradeFlow) { f.NetWeightKg = nil },
		"partner":   func(f *etl.TradeFlow) { f.Partner = "DEU" },
		"period":    func(f *etl.TradeFlow) { f.Period = year(2023) },
		"aggregate": func(f *etl.TradeFlow) { f.IsAggregate = true },
	} {
		c := base
		change(&c)
		if hash(c) == hash(base) {
			t.Errorf("changing the %s kept the row hash", name)
		}
	}
}

// Row hashes are stored in history and compared with those of later
// loads, so their values must never change: these were computed when
// history first stored them. A batch of several rows takes the per-row
// paths, a single row the constant-column ones; a dictionary-encoded
// copy must hash the same.
func TestRowHashValuesAreStable(t *testing.T) {
	f, _ := factOf(etl.TradeFlows)
	other := flow(year(2021), "2846", 7.5, 2)
	other.Partner, other.Commodity, other.Quantity, other.QuantityUnit = "DEU", "rare_earths", etl.F(3), "kg"
	m := loadtest.Flows(t, 0, flow(year(2022), "811292", 100, 1), other)
	defer m.Release()
	rec := m.Records[etl.TradeFlows][0]
	want := []uint64{0x37b4fc12ce32c6b6, 0x118825a25b461706}
	got := hashRows(f, rec, nil)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("row hashes %#x, want %#x", got, want)
	}
	one := rec.NewSlice(0, 1)
	defer one.Release()
	if h := hashRows(f, one, nil)[0]; h != want[0] {
		t.Errorf("alone, the first row hashes %#x, want %#x", h, want[0])
	}
	dict := dictEncode(t, rec, "reporter_iso3", "partner_iso3", "hs_code", "commodity")
	defer dict.Release()
	if got := hashRows(f, dict, nil); !reflect.DeepEqual(got, want) {
		t.Errorf("dictionary-encoded, row hashes %#x, want %#x", got, want)
	}
}

// BenchmarkRowHash hashes 1M synthetic rows (batches of the writer's size).
func BenchmarkRowHash(b *testing.B) {
	m := &etl.MemorySink{}
	defer m.Release()
	if err := (loadtest.Synthetic{N: 1_000_000, Scale: 1}).Extract(context.Background(), m); err != nil {
		b.Fatal(err)
	}
	f, _ := factOf(etl.TradeFlows)
	gh := make([]uint64, 1<<20)
	for b.Loop() {
		for _, rec := range m.Records[etl.TradeFlows] {
			hashRows(f, rec, gh[:rec.NumRows()])
		}
	}
}
