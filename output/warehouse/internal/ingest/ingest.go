// Package ingest is the warehouse's load engine: it stages a source's
// batches (or streams them straight into history), proves or settles
// repeated keys, merges staged rows into the history tables and commits,
// all in the transaction and with the settings its caller hands it.
package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
)

// StorageTables hold trade_flows_history id-coded (migration 004): the
// view of that name reads them.
var StorageTables = []string{idcode.CodesTable, idcode.PartsTable, idcode.VersionsTable}

// Env is what one load needs from the warehouse that runs it.
type Env struct {
	Conn *sql.Conn // the load's connection, holding its staging tables
	// Tx is the load's transaction on Conn, committed by Load or rolled
	// back by it on failure. Begin it with a context that is never
	// cancelled: database/sql rolls back a cancelled one on a goroutine of
	// its own, under a statement's feet.
	Tx    *sql.Tx
	Log   *slog.Logger
	RunID int64
	At    time.Time // the load time: valid_from of the rows it writes (see LoadTime)
	// RoomToMerge lifts DuckDB's memory limit for the steps of the merge
	// that need more than streaming does; the caller restores it.
	RoomToMerge func(context.Context) error
	// BeforeCommit writes, in the load's transaction, what must commit
	// with its rows: the run's record and the periods its marts wait for.
	BeforeCommit func(context.Context, *sql.Tx, etl.LoadStats) error
}

// CreateStaging creates the load's TEMP tables on conn; DropStaging
// removes them.
func CreateStaging(ctx context.Context, conn *sql.Conn) error {
	ddl := []string{createStage(stageRejected, rejectSchema), repeatsDDL()}
	for _, f := range facts {
		ddl = append(ddl, f.stageDDL())
	}
	for _, q := range ddl {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create staging: %w", err)
		}
	}
	return nil
}

// Load stages src in env's transaction and merges it into history,
// committing at the end. It returns the load's stats and the moment its
// staging ended.
func Load(ctx context.Context, env Env, src etl.Source) (etl.LoadStats, time.Time, error) {
	cd, err := idcode.Load(ctx, env.Tx)
	if err != nil {
		return etl.LoadStats{}, time.Time{}, err
	}
	l := &loader{env: env, conn: env.Conn, tx: env.Tx, runID: env.RunID, codec: cd,
		tsLit: "TIMESTAMP '" + env.At.Format("2006-01-02 15:04:05.000000") + "'"}
	defer l.releaseHeld()
	sg, err := l.stage(ctx, src)
	if err != nil {
		return etl.LoadStats{}, time.Time{}, l.rollBack(err)
	}
	staged := time.Now()
	st, err := l.merge(ctx, sg)
	if err != nil {
		return etl.LoadStats{}, time.Time{}, l.rollBack(err)
	}
	return st, staged, nil
}

// rollBack ends a failed load's transaction, then releases the Arrow
// streams its views still named: DuckDB may read a view's stream until
// the rollback has removed the view.
func (l *loader) rollBack(err error) error {
	l.tx.Rollback() //nolint:errcheck // the load's error is the one to report
	for _, release := range l.afterRollback {
		release()
	}
	l.afterRollback = nil
	return err
}
