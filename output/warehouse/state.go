package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// JobState is what the warehouse remembers of a job between runs.
type JobState struct {
	LastScheduled time.Time
	LastSuccess   time.Time
	LastFailure   time.Time
	LastError     string
	Cursor        string
}

// JobState reads a job's state; a job never run has the zero state.
func (w *Warehouse) JobState(ctx context.Context, job string) (JobState, error) {
	var s JobState
	var sched, succ, fail sql.NullTime
	var lastErr, cursor sql.NullString
	err := w.db.QueryRowContext(ctx, `SELECT last_scheduled_at, last_success_at, last_failure_at, last_error, cursor
		FROM job_state WHERE job = ?`, job).Scan(&sched, &succ, &fail, &lastErr, &cursor)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read state of job %s: %w", job, err)
	}
	s.LastScheduled, s.LastSuccess, s.LastFailure = sched.Time.UTC(), succ.Time.UTC(), fail.Time.UTC()
	s.LastError, s.Cursor = lastErr.String, cursor.String
	return s, nil
}

// upsertState sets one column of a job's state.
func (w *Warehouse) upsertState(ctx context.Context, job, set string, args ...any) error {
	now := w.now()
	_, err := w.db.ExecContext(ctx, `INSERT INTO job_state (job, updated_at) VALUES (?, ?) ON CONFLICT (job) DO NOTHING`, job, now)
	if err == nil {
		_, err = w.db.ExecContext(ctx, `UPDATE job_state SET `+set+`, updated_at = ? WHERE job = ?`, append(args, now, job)...)
	}
	if err != nil {
		return fmt.Errorf("update state of job %s: %w", job, err)
	}
	return nil
}

// SetCursor stores the latest period a job has loaded.
func (w *Warehouse) SetCursor(ctx context.Context, job, cursor string) error {
	return w.upsertState(ctx, job, "cursor = ?", cursor)
}

// RecordScheduled stores when a job's schedule last fired.
func (w *Warehouse) RecordScheduled(ctx context.Context, job string, at time.Time) error {
	return w.upsertState(ctx, job, "last_scheduled_at = ?", at.UTC())
}

// RecordFailure stores a job's failure after its retries.
func (w *Warehouse) RecordFailure(ctx context.Context, job string, at time.Time, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	return w.upsertState(ctx, job, "last_failure_at = ?, last_error = ?", at.UTC(), msg)
}

// RecordSkipped records a trigger skipped because the job was still running.
func (w *Warehouse) RecordSkipped(ctx context.Context, job, source string, at time.Time, reason string) error {
	_, err := w.db.ExecContext(ctx, `INSERT INTO etl_runs (run_id, job, source, started_at, finished_at, status, error)
		VALUES (nextval('etl_run_id'), ?, ?, ?, ?, 'skipped', ?)`, job, source, at.UTC(), at.UTC(), reason)
	if err != nil {
		return fmt.Errorf("record skipped run of job %s: %w", job, err)
	}
	return nil
}

// BackfillChunksDone lists the chunks of a backfill range already loaded.
func (w *Warehouse) BackfillChunksDone(ctx context.Context, job, rangeKey string) (map[string]bool, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT chunk FROM backfill_chunks WHERE job = ? AND range_key = ?`, job, rangeKey)
	if err != nil {
		return nil, fmt.Errorf("read backfill progress of job %s: %w", job, err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		done[c] = true
	}
	return done, rows.Err()
}

// MarkBackfillChunk records a loaded chunk of a backfill range.
func (w *Warehouse) MarkBackfillChunk(ctx context.Context, job, rangeKey, chunk string, runID int64) error {
	_, err := w.db.ExecContext(ctx, `INSERT OR REPLACE INTO backfill_chunks VALUES (?, ?, ?, ?, ?)`,
		job, rangeKey, chunk, runID, w.now())
	if err != nil {
		return fmt.Errorf("record backfill progress of job %s: %w", job, err)
	}
	return nil
}

// ResetBackfill forgets a backfill range's progress (backfill --restart).
func (w *Warehouse) ResetBackfill(ctx context.Context, job, rangeKey string) error {
	_, err := w.db.ExecContext(ctx, `DELETE FROM backfill_chunks WHERE job = ? AND range_key = ?`, job, rangeKey)
	return err
}

// Cursor is the latest period a job loaded (” when never run).
func (w *Warehouse) Cursor(ctx context.Context, job string) (string, error) {
	s, err := w.JobState(ctx, job)
	return s.Cursor, err
}
