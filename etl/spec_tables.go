package etl

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// TableSpec is what the domain says about a canonical table beside its
// Arrow schema: which columns identify a row, which values make a new
// version when they change, which key prefix groups rows for comparing
// them as a whole, and which columns no source supplies as data.
type TableSpec struct {
	Table  Table
	Schema *arrow.Schema
	// Key is the natural key: two rows with the same key are the same
	// fact, and a load keeps the first arrival.
	Key []string
	// Compare are the values whose change makes a new version of a key.
	Compare []string
	// Group is a prefix of Key whose groups loads fingerprint and
	// compare as a whole.
	Group []string
	// Provenance says where a row came from (the file or request, the
	// row, the column), never what it says.
	Provenance []string
	// Derived are filled by the domain when a source leaves them empty
	// (a trade flow's commodity group from its HS code).
	Derived []string
}

// TradeFlowsSpec is the trade-flow table's spec.
var TradeFlowsSpec = TableSpec{
	Table:      TradeFlows,
	Schema:     TradeFlowsSchema,
	Key:        []string{"source", "freq", "period", "reporter_iso3", "partner_iso3", "flow", "hs_code"},
	Compare:    []string{"hs_revision", "commodity", "value_usd", "net_weight_kg", "quantity", "quantity_unit", "is_aggregate"},
	Group:      []string{"source", "freq", "period", "reporter_iso3"},
	Provenance: []string{"source", "source_ref", "source_row"},
	Derived:    []string{"commodity"},
}

// MineralStatisticsSpec is the mineral-statistics table's spec.
var MineralStatisticsSpec = TableSpec{
	Table:      MineralStatistics,
	Schema:     MineralStatisticsSchema,
	Key:        []string{"source", "edition", "commodity", "year", "country_iso3", "measure", "product", "unit"},
	Compare:    []string{"value", "qualifier"},
	Group:      []string{"source", "edition", "commodity", "year"},
	Provenance: []string{"source", "source_ref", "source_row", "source_column"},
}

// TradeMeasuresSpec is the trade-measures table's spec: a measure is
// its id, and any change to what it says, the file it is read from
// included, makes a new version (etl/measures' Measure.Hash).
var TradeMeasuresSpec = TableSpec{
	Table:  TradeMeasures,
	Schema: TradeMeasuresSchema,
	Key:    []string{"measure_id"},
	Compare: []string{"imposing_iso3", "target_iso3", "measure_type", "commodity", "title", "announced_date",
		"effective_date", "end_date", "status", "suspends_measure_id", "citation", "unsourced", "codes", "origin"},
	Provenance: []string{"source_row"},
}

// DataColumns are the columns a source supplies as data, in schema
// order: every column but provenance and derived ones.
func (s TableSpec) DataColumns() []arrow.Field {
	var out []arrow.Field
	for _, f := range s.Schema.Fields() {
		if !slices.Contains(s.Provenance, f.Name) && !slices.Contains(s.Derived, f.Name) {
			out = append(out, f)
		}
	}
	return out
}
