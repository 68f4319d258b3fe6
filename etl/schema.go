// Package etl holds tradewh's domain: the canonical Arrow schemas every
// source emits, the reference data (countries, commodity groups), the
// normalisation helpers and the small interfaces that sources, loaders and
// jobs meet at.
package etl

import "github.com/apache/arrow-go/v18/arrow"

// Table names a canonical fact table.
type Table string

const (
	TradeFlows         Table = "trade_flows"
	MineralStatistics  Table = "mineral_statistics"
	TradeMeasures      Table = "trade_measures"
	DefaultBatchRows         = 122880 // 60 DuckDB vectors of 2048 rows
	WorldISO3                = "WLD"
	DefaultConcernISO3       = "CHN"
)

var (
	str  = arrow.BinaryTypes.String
	f64  = arrow.PrimitiveTypes.Float64
	i64  = arrow.PrimitiveTypes.Int64
	i32  = arrow.PrimitiveTypes.Int32
	date = arrow.FixedWidthTypes.Date32
	bl   = arrow.FixedWidthTypes.Boolean
)

// TradeFlowsSchema is the one definition of a trade flow row. Provenance
// (source_ref, source_row) says where a row came from: a file path or a
// request URL with secrets removed, and the 1-based data row in it.
var TradeFlowsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "freq", Type: str},          // 'A' annual or 'M' monthly
	{Name: "period", Type: date},       // first day of the year or month
	{Name: "reporter_iso3", Type: str}, // reporting country
	{Name: "partner_iso3", Type: str},  // partner, 'WLD' for the world total
	{Name: "flow", Type: str},          // import, export, re-import, re-export
	{Name: "hs_code", Type: str},       // 2-10 digits, leading zeros kept
	{Name: "hs_revision", Type: str, Nullable: true},
	{Name: "commodity", Type: str, Nullable: true}, // group slug or null
	{Name: "value_usd", Type: f64, Nullable: true},
	{Name: "net_weight_kg", Type: f64, Nullable: true},
	{Name: "quantity", Type: f64, Nullable: true},
	{Name: "quantity_unit", Type: str, Nullable: true},
	{Name: "is_aggregate", Type: bl},
	{Name: "source", Type: str},
	{Name: "source_ref", Type: str},
	{Name: "source_row", Type: i64},
}, nil)

// MineralStatisticsSchema is the one definition of a USGS-style statistic.
// A qualifier keeps what a bare number cannot: '>95' is value 95 with
// qualifier '>', a withheld figure is a null value with qualifier 'W'.
var MineralStatisticsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "edition", Type: str},   // e.g. MCS2024
	{Name: "commodity", Type: str}, // slug, e.g. rare_earths, gallium
	{Name: "year", Type: i32},
	{Name: "country_iso3", Type: str}, // USA for salient tables, WLD for world totals
	{Name: "measure", Type: str},      // imports, exports, production, ...
	{Name: "product", Type: str},      // e.g. compounds-metals; '' when the table has none
	{Name: "value", Type: f64, Nullable: true},
	{Name: "unit", Type: str},                      // t, kg, pct, usd_per_kg, ...
	{Name: "qualifier", Type: str, Nullable: true}, // W, NA, E, >, < or null
	{Name: "source", Type: str},
	{Name: "source_ref", Type: str},
	{Name: "source_row", Type: i64},
	{Name: "source_column", Type: str},
}, nil)

// TradeMeasuresSchema is the one definition of a trade measure row (see
// etl/measures): the measure as its file says it, with the HS codes it
// covers, and where it was read (origin, the file or "default"; source_row,
// its line there).
var TradeMeasuresSchema = arrow.NewSchema([]arrow.Field{
	{Name: "measure_id", Type: str},
	{Name: "imposing_iso3", Type: str},
	{Name: "target_iso3", Type: arrow.ListOf(str), Nullable: true}, // null: every destination
	{Name: "measure_type", Type: str},
	{Name: "commodity", Type: str, Nullable: true}, // group slug(s), comma-separated
	{Name: "title", Type: str},
	{Name: "announced_date", Type: date, Nullable: true},
	{Name: "effective_date", Type: date},
	{Name: "end_date", Type: date, Nullable: true},
	{Name: "status", Type: str},
	{Name: "suspends_measure_id", Type: str, Nullable: true},
	{Name: "citation", Type: str},
	{Name: "unsourced", Type: str, Nullable: true},
	{Name: "codes", Type: arrow.ListOf(arrow.StructOf(
		arrow.Field{Name: "hs_code", Type: str},
		arrow.Field{Name: "hs_revision", Type: str, Nullable: true}))},
	{Name: "origin", Type: str},
	{Name: "source_row", Type: i64},
}, nil)

// SchemaOf returns the canonical schema of a table.
func SchemaOf(t Table) *arrow.Schema {
	switch t {
	case TradeFlows:
		return TradeFlowsSchema
	case MineralStatistics:
		return MineralStatisticsSchema
	case TradeMeasures:
		return TradeMeasuresSchema
	}
	return nil
}

// Flow values.
const (
	FlowImport   = "import"
	FlowExport   = "export"
	FlowReImport = "re-import"
	FlowReExport = "re-export"
)
