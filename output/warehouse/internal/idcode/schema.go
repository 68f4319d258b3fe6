package idcode

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/output/warehouse/internal/sqltext"
)

// The tables of id-coded history: codes, parts, and one row per version.
const (
	CodesTable    = "trade_codes"
	PartsTable    = "trade_flow_parts"
	VersionsTable = "trade_flow_versions"
)

// Schema is a batch of trade_flow_versions without valid_to.
var Schema = func() *arrow.Schema {
	i32, f64 := arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float64
	return arrow.NewSchema([]arrow.Field{
		{Name: "part_id", Type: i32, Nullable: true},
		{Name: "period", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "reporter_id", Type: i32, Nullable: true},
		{Name: "partner_id", Type: i32, Nullable: true},
		{Name: "hs_id", Type: i32, Nullable: true},
		{Name: "commodity_id", Type: i32, Nullable: true},
		{Name: "value_usd", Type: f64, Nullable: true},
		{Name: "net_weight_kg", Type: f64, Nullable: true},
		{Name: "quantity", Type: f64, Nullable: true},
		{Name: "quantity_unit_id", Type: i32, Nullable: true},
		{Name: "is_aggregate", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "source_row", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "row_hash", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	}, nil)
}()

// Decode is what the trade_flow_rows view (migration 004) gives
// for the versions of rel (alias v, with their row id as rid). Filtering
// the view on ids would decode every version first.
func Decode(rel string) string {
	return sqltext.Fill(`SELECT p.freq, v.period, r.code AS reporter_iso3, pa.code AS partner_iso3, p.flow, hs.code AS hs_code,
		p.hs_revision, c.code AS commodity, v.value_usd, v.net_weight_kg, v.quantity, u.code AS quantity_unit,
		v.is_aggregate, p.source, p.source_ref, v.source_row, p.run_id, p.valid_from, v.valid_to, v.row_hash,
		v.rid, v.part_id, v.reporter_id, v.partner_id, v.hs_id, v.commodity_id, v.quantity_unit_id
		FROM ${rel} v
		JOIN ${parts} p ON p.part_id = v.part_id
		JOIN ${codes} r ON r.id = v.reporter_id
		JOIN ${codes} pa ON pa.id = v.partner_id
		JOIN ${codes} hs ON hs.id = v.hs_id
		LEFT JOIN ${codes} c ON c.id = v.commodity_id
		LEFT JOIN ${codes} u ON u.id = v.quantity_unit_id`, sqltext.Parts{"rel": rel, "parts": PartsTable, "codes": CodesTable})
}

// IDCols are the columns of Schema staged with a batch of the
// id-coded table (by position in Schema), so the merge inserts
// staged rows without looking their codes up again.
var IDCols = []int{0, 2, 3, 4, 5, 9}

// IDColumnNames are IDCols' names.
func IDColumnNames() []string {
	var out []string
	for _, i := range IDCols {
		out = append(out, Schema.Field(i).Name)
	}
	return out
}

// CodeColumns are the columns of a batch of new codes; PartColumns those
// of a batch of new parts, to which the load adds run_id and valid_from.
var (
	CodeColumns = []string{"id", "code"}
	PartColumns = []string{"part_id", "source", "source_ref", "freq", "flow", "hs_revision"}
)
