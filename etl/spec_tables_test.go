package etl

import (
	"slices"
	"testing"
)

// Every column a spec names is a column of its schema; the group is a
// prefix-set of the key; key and compared values do not overlap.
func TestTableSpecs(t *testing.T) {
	for _, s := range []TableSpec{TradeFlowsSpec, MineralStatisticsSpec, TradeMeasuresSpec} {
		t.Run(string(s.Table), func(t *testing.T) {
			if s.Schema != SchemaOf(s.Table) {
				t.Fatal("the spec's schema is not the table's")
			}
			for _, list := range [][]string{s.Key, s.Compare, s.Group, s.Provenance, s.Derived} {
				for _, c := range list {
					if len(s.Schema.FieldIndices(c)) != 1 {
						t.Errorf("%s is not a column of %s", c, s.Table)
					}
				}
			}
			for _, c := range s.Group {
				if !slices.Contains(s.Key, c) {
					t.Errorf("group column %s is not in the key", c)
				}
			}
			for _, c := range s.Compare {
				if slices.Contains(s.Key, c) {
					t.Errorf("%s is both key and compared value", c)
				}
			}
			// Key and values cover every column but provenance.
			n := len(s.Key) + len(s.Compare)
			for _, c := range s.Provenance {
				if !slices.Contains(s.Key, c) {
					n++
				}
			}
			if n != len(s.Schema.Fields()) {
				t.Errorf("key, values and provenance cover %d of %d columns", n, len(s.Schema.Fields()))
			}
		})
	}
	var names []string
	for _, f := range TradeFlowsSpec.DataColumns() {
		names = append(names, f.Name)
	}
	want := []string{"freq", "period", "reporter_iso3", "partner_iso3", "flow", "hs_code", "hs_revision",
		"value_usd", "net_weight_kg", "quantity", "quantity_unit", "is_aggregate"}
	if !slices.Equal(names, want) {
		t.Errorf("trade-flow data columns %v, want %v", names, want)
	}
}
