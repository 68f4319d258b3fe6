package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/rowhash"
)

// groupPrint is a group's fingerprint: its row count and the sum of its
// row hashes (mod 2^64). Equal fingerprints mean equal multisets of rows,
// up to a 64-bit hash collision.
type groupPrint struct {
	n   int64
	sum uint64
}

// printSink is the sink of a fingerprint-only pass over a Rereadable
// source: it counts and sums row hashes per group and stops the source
// (by failing a write) at the first sign that the load is not all
// unchanged: a rejection, a non-canonical batch, a null where history
// allows none, or a period (or year) without current history.
type printSink struct {
	mu      sync.Mutex // a source may write from several goroutines
	conn    *sql.Conn
	groups  map[etl.Table]map[uint64]*groupPrint
	scope   map[etl.Table]map[scopeKey]bool
	rows    map[etl.Table]int64
	stopped string // why the pass gave up, '' while it has not
	// Batches are hashed on a goroutine of their own (see hashing), so
	// the source parses on while the previous batch is hashed.
	work chan printWork
	done chan struct{}
	gh   []uint64
}

type printWork struct {
	f      fact
	rec    arrow.RecordBatch
	groups map[uint64]*groupPrint // the table's, only hashing touches it
}

// hashing sums the batches' row hashes per group until work is closed.
func (s *printSink) hashing() {
	defer close(s.done)
	for w := range s.work {
		s.add(w)
		w.rec.Release()
	}
}

// wait ends the hashing once the source has returned.
func (s *printSink) wait() {
	close(s.work)
	<-s.done
}

var errNotUnchanged = fmt.Errorf("input is not unchanged")

func (s *printSink) stop(why string) error {
	if s.stopped == "" {
		s.stopped = why
	}
	return errNotUnchanged
}

func (s *printSink) Reject(context.Context, etl.Rejection) error {
	return s.stop("the source rejected rows")
}

func (s *printSink) Write(ctx context.Context, t etl.Table, rec arrow.RecordBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped != "" {
		return errNotUnchanged
	}
	if rec.NumRows() == 0 {
		return nil
	}
	f, ok := factOf(t)
	if !ok || etl.CheckSchema(t, rec.Schema()) != nil || hasNulls(rec) {
		return s.stop("a batch needs the full load's checks")
	}
	if s.scope[t] == nil {
		s.scope[t] = map[scopeKey]bool{}
		s.groups[t] = map[uint64]*groupPrint{}
	}
	var lits []string
	for _, k := range batchScope(f, rec) {
		if !s.scope[t][k] {
			s.scope[t][k] = true
			lits = append(lits, scopeLiteral(f, k))
		}
	}
	if len(lits) > 0 {
		var n int64
		err := s.conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM %s
			WHERE valid_to IS NULL AND %s IN (%s) LIMIT 1)`, f.history, f.scope, strings.Join(lits, ", "))).Scan(&n)
		if err != nil {
			return fmt.Errorf("look for current versions: %w", err)
		}
		if n == 0 {
			return s.stop("a period has no current history")
		}
	}
	s.rows[t] += rec.NumRows()
	rec.Retain()
	select {
	case s.work <- printWork{f, rec, s.groups[t]}:
		return nil
	case <-ctx.Done():
		rec.Release()
		return ctx.Err()
	}
}

// add adds a batch's rows to its groups' fingerprints.
func (s *printSink) add(w printWork) {
	f, rec := w.f, w.rec
	n := int(rec.NumRows())
	if cap(s.gh) < n {
		s.gh = make([]uint64, n)
	}
	gh := s.gh[:n]
	rh := hashRows(f, rec, gh)
	groups := w.groups
	var g *groupPrint
	for i, h := range gh {
		if g == nil || h != gh[i-1] {
			if g = groups[h]; g == nil {
				g = &groupPrint{}
				groups[h] = g
			}
		}
		g.n++
		g.sum += rh[i]
	}
}

// Unchanged reads a Rereadable source once into a printSink and compares
// its group fingerprints with the current history of the same groups.
// When every group matches, the load changes nothing: it returns the
// stats of such a load and true, and nothing needs staging.
func Unchanged(ctx context.Context, conn *sql.Conn, log *slog.Logger, src etl.Source) (etl.LoadStats, bool, error) {
	s := &printSink{conn: conn, groups: map[etl.Table]map[uint64]*groupPrint{},
		scope: map[etl.Table]map[scopeKey]bool{}, rows: map[etl.Table]int64{},
		work: make(chan printWork, chanDepth), done: make(chan struct{})}
	go s.hashing()
	start := time.Now()
	err := src.Extract(ctx, s)
	s.wait()
	log.Debug("input fingerprint: read", "took", time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		return etl.LoadStats{}, false, ctx.Err()
	}
	if s.stopped != "" || err != nil {
		// A failing source fails the same way in the full load, which
		// reports it.
		log.Debug("input fingerprint: full load", "why", s.stopped, "err", err)
		return etl.LoadStats{}, false, nil
	}
	st := etl.LoadStats{Periods: map[string][]string{}}
	for _, f := range facts {
		groups := s.groups[f.table]
		if len(groups) == 0 {
			continue
		}
		scope := scopeFromKeys(f, s.scope[f.table], &st)
		start := time.Now()
		same, err := historyMatches(ctx, conn, f, scope, groups)
		log.Debug("input fingerprint: history", "table", f.table, "same", same, "took", time.Since(start).Round(time.Millisecond))
		if err != nil || !same {
			return etl.LoadStats{}, false, err
		}
		st.RowsIn += s.rows[f.table]
		st.Unchanged += s.rows[f.table]
	}
	return st, true, nil
}

// historyMatches reports whether every group of groups has the same
// fingerprint in the current history of scope.
func historyMatches(ctx context.Context, conn *sql.Conn, f fact, scope string, groups map[uint64]*groupPrint) (bool, error) {
	g := strings.Join(f.group, ", ")
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT %s, hashed = n,
		n, CAST(coalesce(fp, 0) %% 18446744073709551616 AS UBIGINT) FROM %s`, g, f.currentGroups(scope)))
	if err != nil {
		return false, fmt.Errorf("fingerprint history: %w", err)
	}
	defer rows.Close()
	vals := make([]any, len(f.group))
	var hashed bool
	var p groupPrint
	dest := make([]any, 0, len(vals)+3)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	dest = append(dest, &hashed, &p.n, &p.sum)
	matched := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return false, fmt.Errorf("fingerprint history: %w", err)
		}
		h, ok := rowhash.Group(vals)
		if !ok {
			return false, fmt.Errorf("fingerprint history: unexpected group value types %T", vals)
		}
		in := groups[h]
		if in == nil {
			continue // a group the load does not touch
		}
		if !hashed || *in != p {
			return false, nil
		}
		matched++
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("fingerprint history: %w", err)
	}
	return matched == len(groups), nil
}
