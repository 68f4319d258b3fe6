package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/ingest"
)

// Load extracts src and writes it into the history tables in one
// transaction: all of the load lands, or none of it. Batches stream
// straight into history while the load's periods have no current version
// yet; otherwise they are staged and merged. Loads take turns: the
// transaction is open from the first batch to the commit.
func (w *Warehouse) Load(ctx context.Context, runID int64, src etl.Source) (etl.LoadStats, error) {
	if w.readOnly {
		return etl.LoadStats{}, errors.New("load: the warehouse is open read-only")
	}
	start := time.Now()
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	// A load streams and spills, so it runs under the small limit (the
	// limit is global: loads and rebuilds take turns under writeMu).
	if err := w.setMemoryLimit(ctx, w.memLimit); err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	defer w.setMemoryLimit(context.WithoutCancel(ctx), w.martMemLimit) //nolint:errcheck
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	defer ingest.DropStaging(ctx, conn)

	// A source that reads the same data twice is first fingerprinted: if
	// it matches current history group by group, nothing needs staging.
	if rr, ok := src.(etl.Rereadable); ok && rr.Reread() {
		st, same, err := ingest.Unchanged(ctx, conn, w.log, src)
		if err != nil {
			return etl.LoadStats{}, fmt.Errorf("load: %w", err)
		}
		if same {
			w.log.Info("loaded", "run", runID, "rows_in", st.RowsIn, "unchanged", st.Unchanged,
				"fingerprints", "equal", "total", time.Since(start).Round(time.Millisecond))
			return st, nil
		}
	}

	if err := ingest.CreateStaging(ctx, conn); err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	// Not ctx: a cancelled ctx would have database/sql roll back on its own
	// goroutine while a statement reads an Arrow stream (see ingest.Env).
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op once committed
	ts, err := ingest.LoadTime(ctx, tx, w.now())
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", err)
	}
	env := ingest.Env{Conn: conn, Tx: tx, Log: w.log, RunID: runID, At: ts,
		RoomToMerge: func(ctx context.Context) error { return w.setMemoryLimit(ctx, w.martMemLimit) },
		BeforeCommit: func(ctx context.Context, tx *sql.Tx, st etl.LoadStats) error {
			return recordLoaded(ctx, tx, runID, ts, st)
		}}
	st, staged, err := ingest.Load(ctx, env, src)
	if err != nil {
		return etl.LoadStats{}, fmt.Errorf("load: %w", outOfMemory(err))
	}
	staging := staged.Sub(start)
	w.log.Info("loaded", "run", runID, "rows_in", st.RowsIn, "loaded", st.Loaded, "revised", st.Revised,
		"unchanged", st.Unchanged, "rejected", st.Rejected,
		"staging", staging.Round(time.Millisecond), "total", time.Since(start).Round(time.Millisecond))
	return st, nil
}

// memoryError is DuckDB's out-of-memory error without its advice, which
// names settings (threads, memory_limit) that tradewh does not expose.
type memoryError struct {
	err error
	msg string
}

func (e *memoryError) Error() string { return e.msg }
func (e *memoryError) Unwrap() error { return e.err }

// outOfMemory rewords an out-of-memory error of DuckDB; other errors
// pass through.
func outOfMemory(err error) error {
	msg := err.Error()
	at := strings.Index(msg, "Out of Memory Error")
	if at < 0 {
		return err
	}
	line, _, _ := strings.Cut(msg[at:], "\n")
	return &memoryError{err: err, msg: msg[:at] + line +
		" (DuckDB could not spill this step to disk; nothing of the load was written: please report it with the input's size and kind)"}
}
