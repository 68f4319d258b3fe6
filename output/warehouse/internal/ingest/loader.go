package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/measures"
	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
	"github.com/tradewh/tradewh/output/warehouse/internal/rowhash"
	"github.com/tradewh/tradewh/output/warehouse/internal/sqltext"
)

// loader is one load: its connection, its transaction (open from the
// first batch to the commit) and the version stamp of its rows.
type loader struct {
	env   Env
	conn  *sql.Conn
	tx    *sql.Tx
	runID int64
	tsLit string
	codec *idcode.Codec // ids of the id-coded table's codes and parts

	// The source's output: a stream into history reads ahead, and hands
	// back the item that ended it in pending.
	ch      <-chan item
	pending *item
	batchNo int
	st      *staged
	rejBuf  []etl.Rejection // rejections met while a stream runs
	// rows diverted from history as possible repeats, not yet staged
	held     []arrow.RecordBatch
	heldRows int
	measures []measures.Measure // trade measures, merged whole (see stageMeasures)
	// Arrow streams of views a failed statement left in the transaction,
	// released once it has rolled back.
	afterRollback []func()
}

// next is the next item of the source, pending first.
func (l *loader) next() (item, bool) {
	if l.pending != nil {
		it := *l.pending
		l.pending = nil
		return it, true
	}
	it, ok := <-l.ch
	return it, ok
}

// flushRejections stages the rejections a stream read past.
func (l *loader) flushRejections(ctx context.Context) error {
	for len(l.rejBuf) > 0 {
		chunk := l.rejBuf[:min(len(l.rejBuf), rejectChunk)]
		rec := rejectionBatch(chunk)
		err := l.insertArrow(ctx, rec, stageRejected, "", nil)
		rec.Release()
		if err != nil {
			return fmt.Errorf("stage rejected rows: %w", err)
		}
		l.st.rejected += int64(len(chunk))
		l.rejBuf = l.rejBuf[len(chunk):]
	}
	l.rejBuf = nil
	return nil
}

// tableLoad tracks where a fact table's batches went. While the history
// has no current version in any period (or year) the load brings, batches
// go straight into history: nothing to compare, no second copy. The first
// batch that meets existing history, or has a null where history allows
// none, moves the table to staging, where the full merge runs.
type tableLoad struct {
	staged   bool
	hasNulls bool              // a staged batch had a null in a required column
	direct   []span            // batches written to history, in order
	scope    map[scopeKey]bool // periods (or years) seen
}

// span is a batch written straight into history.
type span struct {
	batch int
	rows  int64
	refs  []refRange
}

// scopeKey is a trade period (freq, days since 1970) or a statistics year.
type scopeKey struct {
	freq string
	n    int32
}

func (t *tableLoad) directRows() int64 {
	var n int64
	for _, s := range t.direct {
		n += s.rows
	}
	return n
}

// write sends one batch to history or to staging.
func (l *loader) write(ctx context.Context, f fact, tl *tableLoad, it item, batchNo int) error {
	rec := it.rec
	if !tl.staged {
		keys := batchScope(f, rec)
		meets, err := l.meetsHistory(ctx, f, tl, keys)
		if err != nil {
			return err
		}
		if hasNulls(rec) || meets {
			if err := l.demote(ctx, f, tl); err != nil {
				return err
			}
		} else {
			for _, k := range keys {
				tl.scope[k] = true
			}
		}
	}
	if err := l.stream(ctx, f, tl, it, batchNo); err != nil {
		return err
	}
	if err := l.stageHeld(ctx); err != nil {
		return err
	}
	// Later statements read history through the views, which need the
	// codes and parts of the rows just written.
	return l.flushCodes(ctx)
}

// batchScope lists the distinct periods (or years) of a batch; rows of a
// batch mostly share one, so comparing with the previous row is enough to
// keep this loop cheap.
func batchScope(f fact, rec arrow.RecordBatch) []scopeKey {
	seen := map[scopeKey]bool{}
	var out []scopeKey
	add := func(k scopeKey) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sc := rec.Schema()
	if f.scope == "year" {
		years := rec.Column(sc.FieldIndices("year")[0]).(*array.Int32)
		last := scopeKey{n: -1 << 31}
		for i := range years.Len() {
			if years.IsValid(i) && years.Value(i) != last.n {
				last = scopeKey{n: years.Value(i)}
				add(last)
			}
		}
		return out
	}
	freqCol := rec.Column(sc.FieldIndices("freq")[0])
	freq := etl.StringsOf(freqCol)
	period := rec.Column(sc.FieldIndices("period")[0]).(*array.Date32)
	if v, null, ok := rowhash.Constant(freqCol); ok && !null { // a batch of one period: no row by row
		if d, ok := rowhash.ConstantHash(period); ok {
			return []scopeKey{{v, int32(d)}}
		}
	}
	var last scopeKey
	for i := range period.Len() {
		if freqCol.IsNull(i) || period.IsNull(i) {
			continue
		}
		if k := (scopeKey{freq(i), int32(period.Value(i))}); k != last || i == 0 {
			last = k
			add(k)
		}
	}
	return out
}

// meetsHistory reports whether history has a current version, from an
// earlier load, in a period (or year) of keys not seen before in this load.
func (l *loader) meetsHistory(ctx context.Context, f fact, tl *tableLoad, keys []scopeKey) (bool, error) {
	var lits []string
	for _, k := range keys {
		if !tl.scope[k] {
			lits = append(lits, scopeLiteral(f, k))
		}
	}
	if len(lits) == 0 {
		return false, nil
	}
	slices.Sort(lits)
	lits = slices.Compact(lits)
	var n int64
	err := l.tx.QueryRowContext(ctx, sqltext.Fill(`SELECT count(*) FROM (SELECT 1 FROM ${history}
		WHERE valid_to IS NULL AND valid_from < ${ts} AND ${scope} IN (${periods}) LIMIT 1)`, sqltext.Parts{
		"history": f.history, "ts": l.tsLit, "scope": f.scope, "periods": strings.Join(lits, ", ")})).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for current versions: %w", err)
	}
	return n > 0, nil
}

func scopeLiteral(f fact, k scopeKey) string {
	if f.scope == "year" {
		return strconv.Itoa(int(k.n))
	}
	return "DATE '" + arrow.Date32(k.n).FormattedString() + "'"
}

// demote moves the rows written straight into history so far to staging,
// with their batch numbers, and sends the table's next batches there.
func (l *loader) demote(ctx context.Context, f fact, tl *tableLoad) error {
	tl.staged = true
	if f.coded && l.codec.MayHaveDuplicates() {
		if err := l.demoteHeld(ctx, f); err != nil {
			return err
		}
	}
	if len(tl.direct) == 0 {
		return nil
	}
	start := time.Now()
	rel, err := l.directRows(ctx, f, tl)
	if err != nil {
		return err
	}
	if _, err := l.tx.ExecContext(ctx, f.restage(rel)); err != nil {
		return fmt.Errorf("move rows to staging: %w", err)
	}
	if _, err := l.tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s", f.physical, f.ofLoad(l.tsLit))); err != nil {
		return fmt.Errorf("move rows to staging: %w", err)
	}
	l.env.Log.Debug("moved direct rows to staging", "table", f.table, "rows", tl.directRows(), "took", time.Since(start).Round(time.Millisecond))
	tl.direct = nil
	return nil
}

// directRows returns a relation of the rows this load wrote straight into
// history with their batch_no and rowid (as rid). Rows of one stream take
// row ids in no particular order, so a row's batch is found from the
// source rows each batch held, per source_ref.
func (l *loader) directRows(ctx context.Context, f fact, tl *tableLoad) (string, error) {
	if err := l.numberBatches(ctx, f, tl); err != nil {
		return "", err
	}
	return fmt.Sprintf("(SELECT h.*, %s AS batch_no FROM %s h WHERE h.valid_from = %s)", batchOf("h"), f.rows, l.tsLit), nil
}

// batchOf is the batch number of a row (alias) written straight into
// history, from the table numberBatches fills.
func batchOf(alias string) string {
	return fmt.Sprintf("(SELECT min(b.batch_no) FROM %s b WHERE b.source_ref = %s.source_ref AND %s.source_row BETWEEN b.lo AND b.hi)",
		directBatches, alias, alias)
}

// numberBatches writes, per batch written straight into history, the
// source rows it held (directBatches), after checking that history holds
// as many rows of this load as were written.
func (l *loader) numberBatches(ctx context.Context, f fact, tl *tableLoad) error {
	var vals []string
	var rows int64
	for _, s := range tl.direct {
		rows += s.rows
		for _, r := range s.refs {
			vals = append(vals, fmt.Sprintf("(%d, '%s', %d, %d)", s.batch, strings.ReplaceAll(r.ref, "'", "''"), r.lo, r.hi))
		}
	}
	var n int64
	err := l.tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", f.physical, f.ofLoad(l.tsLit))).Scan(&n)
	if err != nil {
		return fmt.Errorf("find this load's rows: %w", err)
	}
	if n != rows {
		return fmt.Errorf("history holds %d rows of this load, %d were written", n, rows)
	}
	if _, err := l.tx.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
		SELECT * FROM (VALUES %s) v(batch_no, source_ref, lo, hi)`, directBatches, strings.Join(vals, ", "))); err != nil {
		return fmt.Errorf("number batches: %w", err)
	}
	return nil
}

// refRange is the span of source rows a batch holds from one source_ref.
type refRange struct {
	ref    string
	lo, hi int64
}

// refRanges lists, per source_ref, the lowest and highest source_row of rec.
func refRanges(rec arrow.RecordBatch) []refRange {
	sc := rec.Schema()
	refCol := rec.Column(sc.FieldIndices("source_ref")[0])
	refs := etl.StringsOf(refCol)
	rows := rec.Column(sc.FieldIndices("source_row")[0]).(*array.Int64)
	if rows.Len() > 0 { // one file: no row by row
		if v, null, ok := rowhash.Constant(refCol); ok && !null {
			vs := rows.Int64Values()
			r := refRange{ref: strings.Clone(v), lo: vs[0], hi: vs[0]}
			for _, x := range vs {
				r.lo, r.hi = min(r.lo, x), max(r.hi, x)
			}
			return []refRange{r}
		}
	}
	var out []refRange
	at := map[string]int{}
	cur := -1
	for i := range rows.Len() {
		if cur < 0 || refs(i) != out[cur].ref {
			ref := strings.Clone(refs(i))
			j, ok := at[ref]
			if !ok {
				j = len(out)
				at[ref] = j
				out = append(out, refRange{ref: ref, lo: rows.Value(i), hi: rows.Value(i)})
			}
			cur = j
		}
		r := &out[cur]
		r.lo, r.hi = min(r.lo, rows.Value(i)), max(r.hi, rows.Value(i))
	}
	return out
}

// finishDirect rejects duplicate keys among the rows written straight into
// history (the first arrival wins, as in staging) and counts the rest.
func (l *loader) finishDirect(ctx context.Context, f fact, tl *tableLoad, rejectHead string) (etl.LoadStats, error) {
	st := etl.LoadStats{Periods: map[string][]string{}}
	var rejected, added int64 // added: rows beyond those streamed into history (negative: removed)
	var err error
	switch {
	case !f.coded:
		rejected, err = rejectDuplicates(l.steps(ctx, f), f, rejectHead, f.rows, "t.valid_from = "+l.tsLit, f.keyHash(),
			func() (string, error) { return l.directRows(ctx, f, tl) }, l.steps(ctx, f).dropFrom(f.physical))
		added = -rejected // the rejected rows were written, and are deleted
	case l.codec.MayHaveDuplicates():
		rejected, added, err = l.settleRepeats(ctx, f, tl, rejectHead)
	default:
		l.env.Log.Debug("merge step", "table", f.table, "step", "look for duplicates", "none", "each block arrived in one piece without repeated keys")
	}
	if err != nil {
		return st, err
	}
	st.Rejected = rejected
	st.Loaded = tl.directRows() + added
	scopeFromKeys(f, tl.scope, &st)
	return st, nil
}

// scopeFromKeys records the periods (or years) seen while staging in st
// and returns the filter on history alias h that scopeOf would.
func scopeFromKeys(f fact, seen map[scopeKey]bool, st *etl.LoadStats) string {
	keys := make([]scopeKey, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b scopeKey) int {
		if a.n != b.n {
			return int(a.n) - int(b.n)
		}
		return strings.Compare(a.freq, b.freq)
	})
	var lits []string
	for _, k := range keys {
		if f.scope == "year" {
			st.StatYears = append(st.StatYears, int(k.n))
		} else {
			st.Periods[k.freq] = append(st.Periods[k.freq], arrow.Date32(k.n).FormattedString())
		}
		lits = append(lits, scopeLiteral(f, k))
	}
	lits = slices.Compact(lits) // sorted by value: a period's A and M rows are adjacent
	if len(lits) == 0 {
		return "false"
	}
	return fmt.Sprintf("h.%s BETWEEN %s AND %s AND h.%s IN (%s)",
		f.scope, lits[0], lits[len(lits)-1], f.scope, strings.Join(lits, ", "))
}

// flushCodes writes the codes and parts the codec assigned since the last
// flush.
func (l *loader) flushCodes(ctx context.Context) error {
	codes, parts := l.codec.Flush()
	if codes != nil {
		defer codes.Release()
		if err := l.insertArrow(ctx, codes, idcode.CodesTable, "", idcode.CodeColumns); err != nil {
			return fmt.Errorf("write trade codes: %w", err)
		}
	}
	if parts != nil {
		defer parts.Release()
		err := l.insertArrow(ctx, parts, idcode.PartsTable, fmt.Sprintf(", %d, %s", l.runID, l.tsLit),
			append(slices.Clone(idcode.PartColumns), "run_id", "valid_from"))
		if err != nil {
			return fmt.Errorf("write trade flow parts: %w", err)
		}
	}
	return nil
}
