package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tradewh/tradewh/jobs/scheduler"
	"github.com/tradewh/tradewh/output/warehouse"
)

// stateOp is one queued write of job state.
type stateOp struct {
	what, job string
	do        func(ctx context.Context, wh *warehouse.Warehouse) error
}

// queue is the scheduled run's one way to the warehouse. The warehouse has
// one writer at a time, and a second writer in this process would wait on
// the writer lock and fail after 30 s, so every warehouse use holds sem, a
// one-slot semaphore: runs queue behind each other, and a state write that
// finds the warehouse busy is queued and written by the holder when it lets
// go, so that a trigger never blocks behind an hour-long run.
type queue struct {
	env *Env
	log *slog.Logger
	sem chan struct{}

	pendMu  sync.Mutex
	pending []stateOp
}

func newQueue(env *Env) *queue {
	return &queue{env: env, log: env.logger(), sem: make(chan struct{}, 1)}
}

// acquire waits for the warehouse, or for ctx.
func (q *queue) acquire(ctx context.Context) error {
	select {
	case q.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// acquireToStart waits for the warehouse to start a run, unless stopping
// closes first: a run queued behind another when shutdown begins never
// starts, as the grace period is for the runs already going.
func (q *queue) acquireToStart(ctx context.Context, stopping <-chan struct{}) error {
	notStarted := fmt.Errorf("%w: not started (it was waiting for the warehouse)", scheduler.ErrInterrupted)
	select {
	case <-stopping:
		return notStarted
	case <-ctx.Done():
		return ctx.Err()
	case q.sem <- struct{}{}:
	}
	select { // both may have been ready: select picks either
	case <-stopping:
		if err := q.release(); err != nil {
			q.log.Error("writing job state", "err", err)
		}
		return notStarted
	default:
		return nil
	}
}

func (q *queue) tryAcquire() bool {
	select {
	case q.sem <- struct{}{}:
		return true
	default:
		return false
	}
}

// release writes the queued state and lets go of the warehouse. The queue
// is checked and the warehouse let go under one lock, so a write queued
// meanwhile is never stranded. After a failed write the rest waits for the
// next holder rather than retrying here without end.
func (q *queue) release() error {
	var errs []error
	for {
		q.pendMu.Lock()
		if len(q.pending) == 0 || len(errs) > 0 {
			<-q.sem
			q.pendMu.Unlock()
			return errors.Join(errs...)
		}
		ops := q.pending
		q.pending = nil
		q.pendMu.Unlock()
		if err := q.write(ops); err != nil {
			errs = append(errs, err)
		}
	}
}

// write applies ops in order on a short-lived writer handle. When the
// warehouse cannot be opened they are queued again. It has a context of
// its own: bookkeeping outlives the run (or shutdown) that queued it.
func (q *queue) write(ops []stateOp) error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultLockWait+30*time.Second)
	defer cancel()
	s, err := q.env.OpenWriter(ctx, "tradewh schedule: job state")
	if err != nil {
		q.pendMu.Lock()
		q.pending = append(ops, q.pending...)
		q.pendMu.Unlock()
		return fmt.Errorf("writing job state (kept for later): %w", err)
	}
	defer s.Close()
	var errs []error
	for _, op := range ops {
		if err := op.do(ctx, s.WH); err != nil {
			errs = append(errs, fmt.Errorf("%s for job %s: %w", op.what, op.job, err))
		}
	}
	return errors.Join(errs...)
}

// record queues a state write and performs it now if the warehouse is free.
func (q *queue) record(op stateOp) error {
	q.pendMu.Lock()
	q.pending = append(q.pending, op)
	q.pendMu.Unlock()
	if !q.tryAcquire() {
		q.log.Debug("warehouse busy: job state is written when it is free", "job", op.job, "write", op.what)
		return nil
	}
	return q.release()
}

// queued is the number of writes waiting for the warehouse.
func (q *queue) queued() int {
	q.pendMu.Lock()
	defer q.pendMu.Unlock()
	return len(q.pending)
}
