package ingest

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
)

// maxBufferedRejections ends a stream so rejections are staged before
// they pile up in memory.
const maxBufferedRejections = 16 * rejectChunk

// stream writes first and the source's following batches of the same
// table in one INSERT: straight into history, or into staging (with
// batch_no) once the table is staged. DuckDB converts and compresses on
// all its threads while the source parses the next batch. The stream
// ends, leaving the item in l.pending, at anything that needs the
// connection or another path: another table; for history a batch with
// nulls where history allows none or with a period not yet checked; a
// non-canonical batch; many rejections.
func (l *loader) stream(ctx context.Context, f fact, tl *tableLoad, first item, batchNo int) error {
	fields := append(first.rec.Schema().Fields(), arrow.Field{Name: "row_hash", Type: arrow.PrimitiveTypes.Uint64})
	r := &historyStream{l: l, ctx: ctx, f: f, tl: tl, schema: arrow.NewSchema(fields, nil)}
	table, extra, cols := f.history, fmt.Sprintf(", %d, %s, NULL", l.runID, l.tsLit), append(f.columns(), "row_hash", "run_id", "valid_from", "valid_to")
	switch {
	case tl.staged:
		for _, c := range f.idColumns() {
			fields = append(fields, arrow.Field{Name: c, Type: arrow.PrimitiveTypes.Int32, Nullable: true})
		}
		r.schema = arrow.NewSchema(append(fields, arrow.Field{Name: "batch_no", Type: arrow.PrimitiveTypes.Int32}), nil)
		cols = append(append(f.columns(), "row_hash"), f.idColumns()...)
		table, extra, cols = f.stage, ", "+f.keyHash()+", "+f.rowHash(), append(cols, "batch_no", "kh", "rh")
	case f.coded:
		r.schema, table, extra, cols = idcode.Schema, f.physical, ", NULL", nil
	}
	first.retain() // the caller releases its own reference
	r.next = r.take(first, batchNo)
	n, err := l.insertReader(ctx, r, table, extra, cols)
	r.close()
	if err != nil {
		return err
	}
	if n != r.rows {
		return fmt.Errorf("wrote %d of %d rows to %s", n, r.rows, table)
	}
	return nil
}

// historyStream is the array.RecordReader DuckDB pulls the stream from.
type historyStream struct {
	l      *loader
	ctx    context.Context
	f      fact
	tl     *tableLoad
	schema *arrow.Schema
	next   arrow.RecordBatch // handed out by the following Next
	cur    arrow.RecordBatch
	rows   int64
	err    error
	refs   atomic.Int64
}

var _ array.RecordReader = (*historyStream)(nil)

// take accounts for a batch the stream hands to DuckDB and returns what
// to hand: for history the id-coded batch, or the batch with its row
// hashes; for staging also its number as last column. It takes over the
// item's references.
func (r *historyStream) take(it item, batchNo int) arrow.RecordBatch {
	rec := it.rec
	n := rec.NumRows()
	r.l.st.rows[r.f.table] += n
	r.rows += n
	if it.enc != nil && !r.tl.staged {
		enc := it.enc
		if len(it.maybe) > 0 {
			enc = r.l.divert(enc, it.maybe, batchNo)
		}
		r.rows += enc.NumRows() - n // held rows are not in this stream
		r.tl.direct = append(r.tl.direct, span{batchNo, enc.NumRows(), refRanges(rec)})
		rec.Release()
		return enc
	}
	if it.rh == nil {
		it.rh = hashRows(r.f, rec, nil)
	}
	hashes := idcode.FixedArray(arrow.PrimitiveTypes.Uint64, int(n), arrow.Uint64Traits.CastToBytes(it.rh))
	defer hashes.Release()
	cols := append(rec.Columns()[:len(rec.Columns()):len(rec.Columns())], hashes)
	if it.enc != nil { // staged with its ids
		for _, i := range idcode.IDCols {
			cols = append(cols, it.enc.Column(i))
		}
		defer it.enc.Release()
	}
	if !r.tl.staged {
		r.tl.direct = append(r.tl.direct, span{batchNo, n, refRanges(rec)})
		out := array.NewRecordBatch(r.schema, cols, n)
		rec.Release()
		return out
	}
	if hasNulls(rec) {
		r.tl.hasNulls = true
	}
	for _, k := range batchScope(r.f, rec) {
		r.tl.scope[k] = true
	}
	nos := make([]int32, n)
	for i := range nos {
		nos[i] = int32(batchNo)
	}
	col := idcode.FixedArray(arrow.PrimitiveTypes.Int32, int(n), arrow.Int32Traits.CastToBytes(nos))
	out := array.NewRecordBatch(r.schema, append(cols, col), n)
	col.Release()
	rec.Release()
	return out
}

func (r *historyStream) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.next != nil {
		r.cur, r.next = r.next, nil
		return true
	}
	for r.err == nil && r.ctx.Err() == nil {
		if len(r.l.rejBuf) >= maxBufferedRejections || r.l.heldRows >= maxHeldRepeats {
			return false
		}
		it, ok := r.l.next()
		if !ok {
			return false
		}
		if it.rec == nil {
			r.l.rejBuf = append(r.l.rejBuf, it.rej...)
			continue
		}
		if !r.fits(it) {
			r.l.pending = &it
			return false
		}
		r.l.batchNo++
		r.cur = r.take(it, r.l.batchNo) // holds the sink's reference, released on the next call
		return true
	}
	if r.err == nil {
		r.err = r.ctx.Err()
	}
	return false
}

// fits reports whether a batch can join the stream.
func (r *historyStream) fits(it item) bool {
	if it.table != r.f.table || etl.CheckSchema(it.table, it.rec.Schema()) != nil {
		return false
	}
	if r.tl.staged {
		return true
	}
	if hasNulls(it.rec) {
		return false
	}
	for _, k := range batchScope(r.f, it.rec) {
		if !r.tl.scope[k] {
			return false
		}
	}
	return true
}

// hasNulls reports a null in a column the canonical schema requires.
func hasNulls(rec arrow.RecordBatch) bool {
	for i, fl := range rec.Schema().Fields() {
		if !fl.Nullable && rec.Column(i).NullN() > 0 {
			return true
		}
	}
	return false
}

// close releases what the stream still holds once DuckDB is done.
func (r *historyStream) close() {
	for _, b := range []arrow.RecordBatch{r.cur, r.next} {
		if b != nil {
			b.Release()
		}
	}
	r.cur, r.next = nil, nil
}

func (r *historyStream) Schema() *arrow.Schema          { return r.schema }
func (r *historyStream) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *historyStream) Record() arrow.RecordBatch      { return r.cur }
func (r *historyStream) Err() error                     { return r.err }
func (r *historyStream) Retain()                        { r.refs.Add(1) }
func (r *historyStream) Release()                       { r.refs.Add(-1) }
