package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/tradewh/tradewh/etl"
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
	rej   []etl.Rejection
}

// sink passes a source's output to the loader goroutine.
type sink struct {
	ctx context.Context // cancelled when the loader gives up
	ch  chan<- item
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
	rec.Retain()
	if err := s.send(ctx, item{table: t, rec: rec}); err != nil {
		rec.Release()
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

// staged counts what the staging tables hold.
type staged struct {
	rows     map[etl.Table]int64
	rejected int64 // rejections by the source
}

// stage runs the source and stages its output on conn. It returns only
// once the source has stopped, whatever happened.
func (w *Warehouse) stage(ctx context.Context, conn *sql.Conn, src etl.Source) (staged, error) {
	st := staged{rows: map[etl.Table]int64{}}
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan item, chanDepth)
	sk := &sink{ctx: ectx, ch: ch}
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
	batchNo := 0
	// Keep draining after a failure so the source is never left blocked
	// on a send, and every retained batch is released.
	for it := range ch {
		if err == nil {
			batchNo++
			err = w.stageItem(ctx, conn, it, batchNo, &st)
			if err != nil {
				cancel()
			}
		}
		if it.rec != nil {
			it.rec.Release()
		}
	}
	switch {
	case err != nil:
		return st, err
	case ctx.Err() != nil:
		return st, ctx.Err()
	case extractErr != nil:
		return st, fmt.Errorf("extract: %w", extractErr)
	}
	return st, nil
}

func (w *Warehouse) stageItem(ctx context.Context, conn *sql.Conn, it item, batchNo int, st *staged) error {
	if it.rec == nil {
		rec := rejectionBatch(it.rej)
		defer rec.Release()
		if err := insertArrow(ctx, conn, rec, stageRejected, ""); err != nil {
			return fmt.Errorf("stage rejected rows: %w", err)
		}
		st.rejected += int64(len(it.rej))
		return nil
	}
	f, ok := factOf(it.table)
	if !ok {
		return fmt.Errorf("source wrote to unknown table %q", it.table)
	}
	if err := checkSchema(it.table, it.rec.Schema()); err != nil {
		return err
	}
	if err := insertArrow(ctx, conn, it.rec, f.stage, fmt.Sprintf(", %d", batchNo)); err != nil {
		return fmt.Errorf("stage %s batch %d: %w", it.table, batchNo, err)
	}
	st.rows[it.table] += it.rec.NumRows()
	return nil
}

// arrowDB is an in-memory database attached to the warehouse for the views
// Arrow batches are read through. RegisterView creates a persistent view
// in the connection's current database; staging connections switch to
// this one so those views never reach the warehouse file.
const arrowDB = "tradewh_arrow"

// viewSeq names views uniquely: the attached database is shared by all
// connections, and loads may stage in parallel.
var viewSeq atomic.Int64

// insertArrow exposes rec to DuckDB as a view (zero copy through the Arrow
// C interface) and appends it to the staging table, with extra columns.
func insertArrow(ctx context.Context, conn *sql.Conn, rec arrow.RecordBatch, table, extra string) error {
	view := fmt.Sprintf("arrow_batch_%d", viewSeq.Add(1))
	rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return err
	}
	defer rdr.Release()
	var release func()
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err = ar.RegisterView(rdr, view)
		return err
	})
	if err != nil {
		return err
	}
	defer release()
	res, err := conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s SELECT *%s FROM %s", table, extra, view))
	// The view points at the stream released below: never leave it behind.
	_, dropErr := conn.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+view)
	if err != nil {
		return err
	}
	if dropErr != nil {
		return dropErr
	}
	n, err := res.RowsAffected()
	if err == nil && n != rec.NumRows() {
		err = fmt.Errorf("staged %d of %d rows", n, rec.NumRows())
	}
	return err
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
