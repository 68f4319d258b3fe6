package ingest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
	"github.com/tradewh/tradewh/output/warehouse/internal/sqltext"
)

// fact describes a canonical fact table for staging and merging.
type fact struct {
	table   etl.Table
	history string // versioned table, or the view that decodes it
	// rows is history with each version's row id (rid) in physical, the
	// table whose rows are updated and deleted.
	rows, physical string
	coded          bool     // stored id-coded: see idcode
	stage          string   // TEMP staging table: the canonical columns and batch_no
	key            []string // natural key
	compare        []string // values whose change makes a new version
	scope          string   // column that limits the history side of the merge
	// group is a prefix of key whose groups are fingerprinted: a group
	// whose staged rows match history exactly is skipped by the merge.
	group []string
}

// facts are the canonical fact tables; their key, compared values and
// groups are the domain's (etl.TableSpec).
var facts = []fact{
	{
		table: etl.TradeFlows, history: "trade_flows_history", stage: "stage_trade_flows",
		rows: "trade_flow_rows", physical: idcode.VersionsTable, coded: true,
		key: etl.TradeFlowsSpec.Key, compare: etl.TradeFlowsSpec.Compare, group: etl.TradeFlowsSpec.Group,
		scope: "period",
	},
	{
		table: etl.MineralStatistics, history: "mineral_statistics_history", stage: "stage_mineral_statistics",
		rows: "(SELECT *, rowid AS rid FROM mineral_statistics_history)", physical: "mineral_statistics_history",
		key: etl.MineralStatisticsSpec.Key, compare: etl.MineralStatisticsSpec.Compare, group: etl.MineralStatisticsSpec.Group,
		scope: "year",
	},
}

// ofLoad is a condition on physical that holds for the versions the load
// stamped tsLit wrote.
func (f fact) ofLoad(tsLit string) string {
	if f.coded {
		return fmt.Sprintf("part_id IN (SELECT part_id FROM %s WHERE valid_from = %s)", idcode.PartsTable, tsLit)
	}
	return "valid_from = " + tsLit
}

// insertStaged inserts the staged rows (alias s) under filter as new
// current versions; rows of the id-coded table carry their ids.
func (f fact) insertStaged(runID int64, tsLit, filter string) string {
	cols := f.columns()
	if !f.coded {
		return sqltext.Fill(`INSERT INTO ${history} (${cols}, row_hash, run_id, valid_from, valid_to)
			SELECT ${s_cols}, s.row_hash, ${run_id}, ${ts}, NULL FROM ${stage} s ${filter}`, sqltext.Parts{
			"history": f.history, "cols": strings.Join(cols, ", "), "s_cols": qualified("s.", cols),
			"run_id": strconv.FormatInt(runID, 10), "ts": tsLit, "stage": f.stage, "filter": filter})
	}
	return fmt.Sprintf(`INSERT INTO %s
		SELECT s.part_id, s.period, s.reporter_id, s.partner_id, s.hs_id, s.commodity_id, s.value_usd, s.net_weight_kg,
		       s.quantity, s.quantity_unit_id, s.is_aggregate, s.source_row, s.row_hash, NULL
		FROM %s s %s`, idcode.VersionsTable, f.stage, filter)
}

// restage inserts the rows of rel (with their batch_no) into the table's
// staging, with the key and row hashes the merge compares.
func (f fact) restage(rel string) string {
	return sqltext.Fill("INSERT INTO ${stage} (${cols}, row_hash, batch_no, kh, rh) SELECT ${cols}, row_hash, batch_no, ${key_hash}, ${row_hash} FROM ${rel}",
		sqltext.Parts{"stage": f.stage, "cols": strings.Join(append(f.columns(), f.idColumns()...), ", "),
			"key_hash": f.keyHash(), "row_hash": f.rowHash(), "rel": rel})
}

// currentVersions is a relation of the current versions in scope (a
// filter on alias h), with their row id as hrid and the columns
// matchKey and matchCompare name. The id-coded table is matched on its ids
// (staged rows carry them), so no version is decoded.
func (f fact) currentVersions(scope string) string {
	if !f.coded {
		return fmt.Sprintf("(SELECT *, rid AS hrid FROM %s h WHERE h.valid_to IS NULL AND %s)", f.rows, scope)
	}
	return fmt.Sprintf(`(SELECT h.rowid AS hrid, p.source, p.freq, p.flow, p.hs_revision, h.*
		FROM %s h JOIN %s p ON p.part_id = h.part_id WHERE h.valid_to IS NULL AND %s)`, idcode.VersionsTable, idcode.PartsTable, scope)
}

// matchKey and matchCompare are the key and the compared values on which
// staged rows meet currentVersions: ids in place of codes when coded.
func (f fact) matchKey() []string {
	if !f.coded {
		return f.key
	}
	return []string{"source", "freq", "flow", "period", "reporter_id", "partner_id", "hs_id"}
}

func (f fact) matchCompare() []string {
	if !f.coded {
		return f.compare
	}
	return []string{"hs_revision", "commodity_id", "value_usd", "net_weight_kg", "quantity", "quantity_unit_id", "is_aggregate"}
}

// currentGroups is a relation of the current versions in scope (a filter
// on alias h) per group: the group columns, n versions, how many of them
// are hashed and the sum of their row hashes (fp). The id-coded table is
// grouped on its ids first, so only the groups are decoded.
func (f fact) currentGroups(scope string) string {
	if !f.coded {
		return fmt.Sprintf(`(SELECT %s, count(*) AS n, count(row_hash) AS hashed, sum(row_hash) AS fp
			FROM %s h WHERE h.valid_to IS NULL AND %s GROUP BY ALL)`, strings.Join(f.group, ", "), f.history, scope)
	}
	return sqltext.Fill(`(SELECT p.source, p.freq, g.period, r.code AS reporter_iso3,
			CAST(sum(g.n) AS BIGINT) AS n, CAST(sum(g.hashed) AS BIGINT) AS hashed, sum(g.fp) AS fp
		FROM (SELECT h.part_id, h.period, h.reporter_id, count(*) AS n, count(h.row_hash) AS hashed, sum(h.row_hash) AS fp
			FROM ${versions} h WHERE h.valid_to IS NULL AND ${scope} GROUP BY ALL) g
		JOIN ${parts} p ON p.part_id = g.part_id
		JOIN ${codes} r ON r.id = g.reporter_id
		GROUP BY ALL)`, sqltext.Parts{
		"versions": idcode.VersionsTable, "scope": scope, "parts": idcode.PartsTable, "codes": idcode.CodesTable})
}

func factOf(t etl.Table) (fact, bool) {
	for _, f := range facts {
		if f.table == t {
			return f, true
		}
	}
	return fact{}, false
}

func (f fact) schema() *arrow.Schema { return etl.SchemaOf(f.table) }

// columns are the canonical column names in schema order.
func (f fact) columns() []string {
	fs := f.schema().Fields()
	out := make([]string, len(fs))
	for i, fl := range fs {
		out[i] = fl.Name
	}
	return out
}

// required are the columns the history table declares NOT NULL.
func (f fact) required() []string {
	var out []string
	for _, fl := range f.schema().Fields() {
		if !fl.Nullable {
			out = append(out, fl.Name)
		}
	}
	return out
}

// stageDDL creates the staging table. Every column is nullable so a bad
// batch stages and its rows are rejected by name rather than failing.
// Staged rows carry their key's hash (kh) and their row's (rh), computed
// while the stream is inserted: the duplicate search and the group
// fingerprints then read one column instead of hashing a dozen.
func (f fact) stageDDL() string {
	extra := []string{"row_hash UBIGINT", "batch_no INTEGER NOT NULL", "kh UBIGINT", "rh UBIGINT"}
	for _, c := range f.idColumns() {
		extra = append(extra, c+" INTEGER")
	}
	return createStage(f.stage, f.schema(), extra...)
}

// idColumns are the ids staged rows of the id-coded table carry.
func (f fact) idColumns() []string {
	if !f.coded {
		return nil
	}
	return idcode.IDColumnNames()
}

// keyHash and rowHash are the hashes of a row's key and of its key and values.
func (f fact) keyHash() string { return "hash(" + strings.Join(f.key, ", ") + ")" }
func (f fact) rowHash() string {
	return "hash(" + strings.Join(f.key, ", ") + ", " + strings.Join(f.compare, ", ") + ")"
}

func createStage(name string, s *arrow.Schema, extra ...string) string {
	var cols []string
	for _, fl := range s.Fields() {
		cols = append(cols, fl.Name+" "+sqlType(fl.Type))
	}
	cols = append(cols, extra...)
	return fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (%s)", name, strings.Join(cols, ", "))
}

func sqlType(t arrow.DataType) string {
	switch t.ID() {
	case arrow.STRING:
		return "VARCHAR"
	case arrow.DATE32:
		return "DATE"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.INT64:
		return "BIGINT"
	case arrow.UINT64:
		return "UBIGINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.BOOL:
		return "BOOLEAN"
	}
	panic("warehouse: no SQL type for " + t.String()) // canonical schemas only use the above
}

// rejectSchema is how source rejections are staged.
var rejectSchema = arrow.NewSchema([]arrow.Field{
	{Name: "target", Type: arrow.BinaryTypes.String},
	{Name: "source", Type: arrow.BinaryTypes.String},
	{Name: "source_ref", Type: arrow.BinaryTypes.String},
	{Name: "source_row", Type: arrow.PrimitiveTypes.Int64},
	{Name: "source_column", Type: arrow.BinaryTypes.String},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

const stageRejected = "stage_rejected"

// qualified joins names with a prefix: "s." + col, ...
func qualified(prefix string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + c
	}
	return strings.Join(out, ", ")
}

// joinOn is the equality of two aliases on cols.
func joinOn(a, b string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = a + "." + c + " = " + b + "." + c
	}
	return strings.Join(out, " AND ")
}

// sameValues is true when every compared column is equal, NULLs included.
func sameValues(a, b string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = a + "." + c + " IS NOT DISTINCT FROM " + b + "." + c
	}
	return strings.Join(out, " AND ")
}

// rawOf renders a staged row for rejected_rows.raw.
func rawOf(alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fmt.Sprintf("'%s': %s.%s", c, alias, c)
	}
	return "CAST({" + strings.Join(out, ", ") + "} AS VARCHAR)"
}
