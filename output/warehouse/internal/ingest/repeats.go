package ingest

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
	"github.com/tradewh/tradewh/output/warehouse/internal/sqltext"
)

// Rows of the id-coded table that the duplicate proof flags as possible
// repeats (see idcode.Codec.Encode) never stream into history: they are held, then
// staged in stageRepeats, and settled before the commit. History thus
// receives only rows whose key no earlier row had, and nothing is ever
// deleted from the load's uncommitted insert (which pins its blocks and
// outgrows the load's memory limit).
const stageRepeats = "stage_repeats"

// maxHeldRepeats ends a stream so held rows are staged before they pile
// up in memory.
const maxHeldRepeats = 1 << 16

// repeatSchema is how held rows are staged: a trade_flow_versions row
// (without valid_to, which stays null) and its batch number.
var repeatSchema = arrow.NewSchema(append(idcode.Schema.Fields(),
	arrow.Field{Name: "batch_no", Type: arrow.PrimitiveTypes.Int32}), nil)

// repeatsDDL creates stageRepeats with the columns of trade_flow_versions.
func repeatsDDL() string {
	return createStage(stageRepeats, idcode.Schema, "valid_to TIMESTAMP", "batch_no INTEGER NOT NULL")
}

// divert splits an id-coded batch: the rows of maybe (in order) are held
// with batchNo, the others returned for history. It takes over enc.
func (l *loader) divert(enc arrow.RecordBatch, maybe []int32, batchNo int) arrow.RecordBatch {
	defer enc.Release()
	n := int64(enc.NumRows())
	var keep, held [][2]int64 // row ranges [from, to)
	from := int64(0)
	for _, m := range maybe {
		if int64(m) > from {
			keep = append(keep, [2]int64{from, int64(m)})
		}
		if k := len(held) - 1; k >= 0 && held[k][1] == int64(m) {
			held[k][1]++
		} else {
			held = append(held, [2]int64{int64(m), int64(m) + 1})
		}
		from = int64(m) + 1
	}
	if from < n {
		keep = append(keep, [2]int64{from, n})
	}
	rep := takeRanges(enc, held)
	nos := make([]int32, rep.NumRows())
	for i := range nos {
		nos[i] = int32(batchNo)
	}
	col := idcode.FixedArray(arrow.PrimitiveTypes.Int32, len(nos), arrow.Int32Traits.CastToBytes(nos))
	withNo := array.NewRecordBatch(repeatSchema, append(rep.Columns()[:len(rep.Columns()):len(rep.Columns())], col), rep.NumRows())
	col.Release()
	rep.Release()
	l.held = append(l.held, withNo)
	l.heldRows += int(withNo.NumRows())
	return takeRanges(enc, keep)
}

// takeRanges copies the rows of ranges out of rec.
func takeRanges(rec arrow.RecordBatch, ranges [][2]int64) arrow.RecordBatch {
	var rows int64
	for _, r := range ranges {
		rows += r[1] - r[0]
	}
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		parts := make([]arrow.Array, 0, max(len(ranges), 1))
		for _, r := range ranges {
			parts = append(parts, array.NewSlice(rec.Column(i), r[0], r[1]))
		}
		if len(parts) == 0 {
			parts = append(parts, array.NewSlice(rec.Column(i), 0, 0))
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		for _, p := range parts {
			p.Release()
		}
		if err != nil { // only for mismatched types: the parts are slices of one column
			panic(err)
		}
		cols[i] = c
	}
	out := array.NewRecordBatch(rec.Schema(), cols, rows)
	for _, c := range cols {
		c.Release()
	}
	return out
}

// stageHeld writes the held rows to stageRepeats.
func (l *loader) stageHeld(ctx context.Context) error {
	if len(l.held) == 0 {
		return nil
	}
	held := l.held
	l.held, l.heldRows = nil, 0
	defer func() {
		for _, b := range held {
			b.Release()
		}
	}()
	rdr, err := array.NewRecordReader(repeatSchema, held)
	if err != nil {
		return err
	}
	defer rdr.Release()
	var want int64
	for _, b := range held {
		want += b.NumRows()
	}
	cols := make([]string, 0, len(repeatSchema.Fields()))
	for _, fl := range repeatSchema.Fields() {
		cols = append(cols, fl.Name)
	}
	n, err := l.insertReader(ctx, rdr, stageRepeats, "", cols)
	if err == nil && n != want {
		err = fmt.Errorf("staged %d of %d rows", n, want)
	}
	if err != nil {
		return fmt.Errorf("stage possible repeats: %w", err)
	}
	return nil
}

// releaseHeld drops held rows a failed load never staged.
func (l *loader) releaseHeld() {
	for _, b := range l.held {
		b.Release()
	}
	l.held, l.heldRows = nil, 0
}

// heldRelation is stageRepeats decoded as the trade_flow_rows view
// gives rows, with each row's batch_no and its row id as rid.
func heldRelation() string {
	return fmt.Sprintf(`(SELECT d.*, r.batch_no FROM (%s) d JOIN %s r ON r.rowid = d.rid)`,
		idcode.Decode("(SELECT *, rowid AS rid FROM "+stageRepeats+")"), stageRepeats)
}

// demoteHeld moves the staged possible repeats to the table's staging,
// where the full merge checks every row (see demote).
func (l *loader) demoteHeld(ctx context.Context, f fact) error {
	if err := l.stageHeld(ctx); err != nil {
		return err
	}
	if _, err := l.tx.ExecContext(ctx, f.restage(heldRelation())); err != nil {
		return fmt.Errorf("move possible repeats to staging: %w", err)
	}
	if _, err := l.tx.ExecContext(ctx, "DELETE FROM "+stageRepeats); err != nil {
		return fmt.Errorf("move possible repeats to staging: %w", err)
	}
	return nil
}

// heldWithinLoadLimit is the most held rows settleRepeats groups under the
// load's own memory limit; beyond it the limit is lifted to the merge's.
const heldWithinLoadLimit = 500_000

// settleRepeats is the duplicate search of the id-coded table once the
// proof has ended. The held rows meet the rows of this load in history
// that have their keys (one scan of the load's ids against the few held
// keys); the first arrival of each key (batch, then lowest source_row)
// wins and the others are rejected. Ids stand for codes one to one, so
// all of this runs on numbers; only the rejected rows are decoded, for
// rejected_rows. Held rows that win are then inserted into history. It
// returns the rows rejected and the rows added to history.
func (l *loader) settleRepeats(ctx context.Context, f fact, tl *tableLoad, rejectHead string) (rejected, added int64, err error) {
	steps := l.steps(ctx, f)
	steps.roomToMerge = nil // every statement reads the load's ids once and keeps few rows
	held, err := steps.count("count possible repeats", "SELECT count(*) FROM "+stageRepeats)
	if err != nil || held == 0 {
		return 0, 0, err
	}
	// Grouping a few hundred thousand held rows fits the load's small
	// limit (348K of a 10M-row random file did); input in no block order
	// at all holds nearly every row, and grouping a million of them ran
	// out of memory there.
	if held > heldWithinLoadLimit {
		if err := l.env.RoomToMerge(ctx); err != nil {
			return 0, 0, err
		}
	}
	if err := l.numberBatches(ctx, f, tl); err != nil {
		return 0, 0, err
	}
	first, hKey := l.codec.LoadParts("h")
	_, rKey := l.codec.LoadParts("r")
	_, xKey := l.codec.LoadParts("x")
	idKey := []string{"kp", "period", "reporter_id", "partner_id", "hs_id"}
	// The rows of held keys, as ids with their batch numbers. History
	// rows get negative row ids (-1 - rowid), held rows their rowid in
	// stageRepeats: rids stay unique and say where a row is.
	if _, err := steps.exec("find rows of held keys", sqltext.Fill(`CREATE OR REPLACE TEMP TABLE ${rows} AS
		SELECT x.*, ${x_key} AS kp FROM (
			SELECT h.*, -1 - h.rowid AS rid, (SELECT min(b.batch_no) FROM ${batches} b
				WHERE b.source_ref = p.source_ref AND h.source_row BETWEEN b.lo AND b.hi) AS batch_no
			FROM ${versions} h JOIN ${parts} p ON p.part_id = h.part_id
			SEMI JOIN (SELECT DISTINCT ${r_key} AS kp, r.period, r.reporter_id, r.partner_id, r.hs_id FROM ${held} r) d
				ON ${h_key} = d.kp AND h.period = d.period AND h.reporter_id = d.reporter_id
				AND h.partner_id = d.partner_id AND h.hs_id = d.hs_id
			WHERE h.part_id >= ${first_part}
			UNION ALL BY NAME SELECT r.*, r.rowid AS rid FROM ${held} r) x`, sqltext.Parts{
		"rows": dupRowIDs, "batches": directBatches, "versions": idcode.VersionsTable, "parts": idcode.PartsTable,
		"held": stageRepeats, "x_key": xKey, "r_key": rKey, "h_key": hKey, "first_part": strconv.FormatInt(int64(first), 10)})); err != nil {
		return 0, 0, err
	}
	order := "{'b': batch_no, 'r': source_row, 'i': rid}"
	if _, err := steps.exec("find repeated ids", sqltext.Fill(`CREATE OR REPLACE TEMP TABLE ${dup_rows} AS
		SELECT s.rid, d.first, d.first_part FROM ${rows} s JOIN (
			SELECT ${id_key}, min(${order}) AS first, arg_min(part_id, ${order}) AS first_part
			FROM ${rows} GROUP BY ALL HAVING count(*) > 1) d ON ${same_id}
		WHERE s.rid <> struct_extract(d.first, 'i')`, sqltext.Parts{
		"dup_rows": dupRows, "rows": dupRowIDs, "id_key": strings.Join(idKey, ", "), "order": order,
		"same_id": joinOn("s", "d", idKey)})); err != nil {
		return 0, 0, err
	}
	later := fmt.Sprintf("(SELECT s.* FROM %s s SEMI JOIN %s l ON l.rid = s.rid)", dupRowIDs, dupRows)
	rejected, err = steps.exec("reject repeats", sqltext.Fill(`${reject} '${table}', x.source, x.source_ref, x.source_row, '',
		CASE WHEN x.source_ref = fp.source_ref THEN 'duplicate of row ' || struct_extract(l.first, 'r')
		     ELSE 'duplicate of ' || fp.source_ref || ' row ' || struct_extract(l.first, 'r') END,
		${raw}
		FROM (${later}) x JOIN ${dup_rows} l ON l.rid = x.rid JOIN ${parts} fp ON fp.part_id = l.first_part`, sqltext.Parts{
		"reject": rejectHead, "table": string(f.table), "raw": rawOf("x", f.columns()), "later": idcode.Decode(later),
		"dup_rows": dupRows, "parts": idcode.PartsTable}))
	if err != nil {
		return 0, 0, err
	}
	if rejected > 0 {
		if _, err := steps.exec("drop held repeats", fmt.Sprintf(
			"DELETE FROM %s WHERE rowid IN (SELECT rid FROM %s WHERE rid >= 0)", stageRepeats, dupRows)); err != nil {
			return 0, 0, err
		}
		// Held rows arrive after the history row of their key, so only
		// they lose; a source that sends a batch's rows out of order can
		// make a history row lose too.
		n, err := steps.count("count repeated history rows", "SELECT count(*) FROM "+dupRows+" WHERE rid < 0")
		if err != nil {
			return 0, 0, err
		}
		if n > 0 {
			if _, err := steps.exec("drop repeated history rows", fmt.Sprintf(
				"DELETE FROM %s WHERE rowid IN (SELECT -1 - rid FROM %s WHERE rid < 0)", idcode.VersionsTable, dupRows)); err != nil {
				return 0, 0, err
			}
			added -= n
		}
	}
	var names []string
	for _, fl := range idcode.Schema.Fields() {
		names = append(names, fl.Name)
	}
	cols := strings.Join(names, ", ")
	n, err := steps.exec("insert held rows", sqltext.Fill("INSERT INTO ${versions} (${cols}) SELECT ${cols} FROM ${held}", sqltext.Parts{
		"versions": idcode.VersionsTable, "cols": cols, "held": stageRepeats}))
	if err != nil {
		return 0, 0, err
	}
	return rejected, added + n, nil
}
