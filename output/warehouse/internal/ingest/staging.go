package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
)

// chanDepth is how many batches may wait between the source and DuckDB:
// enough to overlap parsing with loading, small enough to bound memory.
const chanDepth = 2

// rejectChunk is how many source rejections are staged at once.
const rejectChunk = 4096

// item is what the sink hands the loader: a batch for a table, or a chunk
// of rejections.
type item struct {
	table etl.Table
	rec   arrow.RecordBatch
	rh    []uint64          // row hashes of a canonical batch, computed by the source's goroutine
	enc   arrow.RecordBatch // rec id-coded for an id-coded table, likewise
	maybe []int32           // rows of enc that may repeat an earlier row's key
	rej   []etl.Rejection
}

func (it item) retain() {
	for _, b := range []arrow.RecordBatch{it.rec, it.enc} {
		if b != nil {
			b.Retain()
		}
	}
}

func (it item) release() {
	for _, b := range []arrow.RecordBatch{it.rec, it.enc} {
		if b != nil {
			b.Release()
		}
	}
}

// sink passes a source's output to the loader goroutine.
type sink struct {
	ctx context.Context // cancelled when the loader gives up
	ch  chan<- item
	cd  *idcode.Codec
	mu  sync.Mutex
	rej []etl.Rejection
}

func (s *sink) send(ctx context.Context, it item) error {
	select {
	case s.ch <- it:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// Write retains rec until the loader has staged it.
func (s *sink) Write(ctx context.Context, t etl.Table, rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	it := item{table: t, rec: rec}
	s.prepare(&it) // on the source's goroutine: DuckDB has the other cores
	rec.Retain()
	if err := s.send(ctx, it); err != nil {
		it.release()
		return err
	}
	return nil
}

// Reject buffers r; full chunks go to the loader.
func (s *sink) Reject(ctx context.Context, r etl.Rejection) error {
	s.mu.Lock()
	s.rej = append(s.rej, r)
	var chunk []etl.Rejection
	if len(s.rej) >= rejectChunk {
		chunk, s.rej = s.rej, nil
	}
	s.mu.Unlock()
	if chunk == nil {
		return nil
	}
	return s.send(ctx, item{rej: chunk})
}

// flush sends the rejections still buffered.
func (s *sink) flush(ctx context.Context) error {
	s.mu.Lock()
	chunk := s.rej
	s.rej = nil
	s.mu.Unlock()
	if len(chunk) == 0 {
		return nil
	}
	return s.send(ctx, item{rej: chunk})
}

// staged counts what the load wrote: per fact table its rows, where they
// went, and the source's rejections.
type staged struct {
	rows     map[etl.Table]int64
	tables   map[etl.Table]*tableLoad
	rejected int64 // rejections by the source
}

// stage runs the source and writes its output through l. It returns only
// once the source has stopped, whatever happened.
func (l *loader) stage(ctx context.Context, src etl.Source) (staged, error) {
	st := staged{rows: map[etl.Table]int64{}, tables: map[etl.Table]*tableLoad{}}
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan item, chanDepth)
	sk := &sink{ctx: ectx, ch: ch, cd: l.codec}
	var extractErr error
	go func() {
		defer close(ch)
		defer func() {
			if r := recover(); r != nil {
				extractErr = fmt.Errorf("source panicked: %v", r)
			}
		}()
		extractErr = src.Extract(ectx, sk)
		if extractErr == nil {
			extractErr = sk.flush(ectx)
		}
	}()

	var err error
	l.ch, l.st = ch, &st
	// Keep draining after a failure so the source is never left blocked
	// on a send, and every retained batch is released.
	for {
		it, ok := l.next()
		if !ok {
			break
		}
		if err == nil {
			l.batchNo++
			err = l.stageItem(ctx, it, l.batchNo, &st)
			if err != nil {
				cancel()
			}
		}
		it.release()
	}
	switch {
	case ctx.Err() != nil: // the transaction went with it: whatever failed next is a consequence
		return st, ctx.Err()
	case err != nil:
		return st, err
	case extractErr != nil:
		return st, fmt.Errorf("extract: %w", extractErr)
	}
	return st, nil
}

// prepare computes a canonical batch's row hashes and, for an id-coded
// table, its coded form.
func (s *sink) prepare(it *item) {
	if it.rec == nil {
		return
	}
	if f, ok := factOf(it.table); ok && etl.CheckSchema(it.table, it.rec.Schema()) == nil {
		it.rh = hashRows(f, it.rec, nil)
		if f.coded {
			it.enc, it.maybe = s.cd.Encode(it.rec, it.rh)
		}
	}
}

func (l *loader) stageItem(ctx context.Context, it item, batchNo int, st *staged) error {
	if it.rec == nil {
		rec := rejectionBatch(it.rej)
		defer rec.Release()
		if err := l.insertArrow(ctx, rec, stageRejected, "", nil); err != nil {
			return fmt.Errorf("stage rejected rows: %w", err)
		}
		st.rejected += int64(len(it.rej))
		return nil
	}
	if err := l.flushRejections(ctx); err != nil {
		return err
	}
	if it.table == etl.TradeMeasures {
		return l.stageMeasures(it.rec)
	}
	f, ok := factOf(it.table)
	if !ok {
		return fmt.Errorf("source wrote to unknown table %q", it.table)
	}
	if err := etl.CheckSchema(it.table, it.rec.Schema()); err != nil {
		return err
	}
	tl := st.tables[f.table]
	if tl == nil {
		tl = &tableLoad{scope: map[scopeKey]bool{}}
		st.tables[f.table] = tl
	}
	if err := l.write(ctx, f, tl, it, batchNo); err != nil {
		return fmt.Errorf("stage %s batch %d: %w", it.table, batchNo, err)
	}
	return l.flushRejections(ctx)
}

// viewSeq names views uniquely. RegisterView creates a persistent view in
// the warehouse; it is created and dropped inside the load's transaction,
// so none is ever committed.
var viewSeq atomic.Int64

// insertArrow exposes rec to DuckDB as a view (zero copy through the Arrow
// C interface) and appends it to table, with extra trailing values; with
// cols, into those table columns. Every column of the view is read: the
// Arrow scan mismaps columns when a projection skips some.
func (l *loader) insertArrow(ctx context.Context, rec arrow.RecordBatch, table, extra string, cols []string) error {
	rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return err
	}
	defer rdr.Release()
	n, err := l.insertReader(ctx, rdr, table, extra, cols)
	if err == nil && n != rec.NumRows() {
		err = fmt.Errorf("staged %d of %d rows", n, rec.NumRows())
	}
	return err
}

// insertReader is insertArrow for a stream of batches; it returns the
// rows inserted.
func (l *loader) insertReader(ctx context.Context, rdr array.RecordReader, table, extra string, cols []string) (int64, error) {
	view := fmt.Sprintf("arrow_batch_%d", viewSeq.Add(1))
	var release func()
	var err error
	err = l.conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err = ar.RegisterView(rdr, view)
		return err
	})
	if err != nil {
		return 0, err
	}
	into := table
	if cols != nil {
		into += " (" + strings.Join(cols, ", ") + ")"
	}
	q := fmt.Sprintf("INSERT INTO %s SELECT *%s FROM %s", into, extra, view)
	res, err := l.tx.ExecContext(ctx, q)
	// The view points at the stream released below: never leave it behind.
	_, dropErr := l.tx.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+view)
	if err == nil {
		err = dropErr
	}
	if err != nil {
		// A failed statement aborts the transaction, and the view stays
		// until the rollback, which may still read its stream: release
		// the stream only after that (see Load).
		l.afterRollback = append(l.afterRollback, release)
		return 0, err
	}
	release()
	return res.RowsAffected()
}

func rejectionBatch(rs []etl.Rejection) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, rejectSchema)
	defer b.Release()
	for _, r := range rs {
		b.Field(0).(*array.StringBuilder).Append(string(r.Table))
		b.Field(1).(*array.StringBuilder).Append(r.Source)
		b.Field(2).(*array.StringBuilder).Append(r.Ref)
		b.Field(3).(*array.Int64Builder).Append(r.Row)
		b.Field(4).(*array.StringBuilder).Append(r.Column)
		b.Field(5).(*array.StringBuilder).Append(r.Reason)
		if r.Raw == "" {
			b.Field(6).AppendNull()
		} else {
			b.Field(6).(*array.StringBuilder).Append(r.Raw)
		}
	}
	return b.NewRecordBatch()
}
