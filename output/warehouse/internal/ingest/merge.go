package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/idcode"
	"github.com/tradewh/tradewh/output/warehouse/internal/sqltext"
)

// DropStaging removes the load's TEMP tables and returns conn to the pool;
// if that fails the connection is discarded so no stale staging survives.
// It runs even when ctx is cancelled: a cancelled load cleans up too.
func DropStaging(ctx context.Context, conn *sql.Conn) {
	ctx = context.WithoutCancel(ctx)
	qs := []string{"DROP TABLE IF EXISTS " + stageRejected, "DROP TABLE IF EXISTS " + stageRepeats}
	for _, t := range []string{dupKeys, stageGroups, changedGroups, changedRows, directBatches, dupRows, dupRowIDs} {
		qs = append(qs, "DROP TABLE IF EXISTS "+t)
	}
	for _, f := range facts {
		qs = append(qs, "DROP TABLE IF EXISTS "+f.stage)
	}
	for _, q := range qs {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			break
		}
	}
	conn.Close()
}

// Helper tables of the merge, dropped with the staging.
const (
	dupKeys       = "stage_dup_keys"
	stageGroups   = "stage_groups"
	changedGroups = "stage_changed_groups"
	changedRows   = "stage_changed_rows"
	directBatches = "stage_direct_batches"
	dupRows       = "stage_dup_rows"    // rows of keys that repeat, straight into history
	dupIDs        = "stage_dup_ids"     // and those keys, as ids
	dupRowIDs     = "stage_dup_row_ids" // the rows of those keys, as ids
)

// merge finishes the load in its transaction: rejections, duplicates,
// the merge of staged tables, the counts, the commit.
func (l *loader) merge(ctx context.Context, sg staged) (etl.LoadStats, error) {
	st := etl.LoadStats{RowsIn: sg.rejected, Rejected: sg.rejected, Periods: map[string][]string{}}
	if err := l.flushCodes(ctx); err != nil {
		return st, err
	}
	head := fmt.Sprintf("INSERT INTO rejected_rows SELECT %d, %s, ", l.runID, l.tsLit)
	if sg.rejected > 0 {
		q := head + "target, source, source_ref, source_row, source_column, reason, raw FROM " + stageRejected
		if _, err := l.tx.ExecContext(ctx, q); err != nil {
			return st, fmt.Errorf("write rejected rows: %w", err)
		}
	}
	for _, f := range facts {
		n := sg.rows[f.table]
		if n == 0 {
			continue
		}
		st.RowsIn += n
		tl := sg.tables[f.table]
		var fs etl.LoadStats
		var err error
		if tl.staged {
			fs, err = mergeFact(l.steps(ctx, f), f, l.runID, l.tsLit, head, tl.hasNulls, tl.scope)
		} else {
			fs, err = l.finishDirect(ctx, f, tl, head)
		}
		if err != nil {
			return st, fmt.Errorf("merge %s: %w", f.table, err)
		}
		st.Loaded += fs.Loaded
		st.Revised += fs.Revised
		st.Unchanged += fs.Unchanged
		st.Rejected += fs.Rejected
		for k, v := range fs.Periods {
			st.Periods[k] = v
		}
		st.StatYears = append(st.StatYears, fs.StatYears...)
	}
	if err := l.mergeMeasures(ctx, &st); err != nil {
		return st, err
	}
	if st.Rejected > 0 {
		// A row rejected again (the same file loaded again) keeps one copy,
		// keyed by source, file, row and column: the earlier one when the
		// reason is the same (so NewRejections still tells what is new),
		// this run's when the reason changed.
		place := `p.target = n.target AND p.source = n.source AND p.source_ref = n.source_ref
			AND p.source_row = n.source_row AND p.source_column = n.source_column`
		for _, q := range []string{
			fmt.Sprintf(`DELETE FROM rejected_rows n WHERE n.run_id = %[1]d AND EXISTS (
				SELECT 1 FROM rejected_rows p WHERE p.run_id <> %[1]d AND %[2]s AND p.reason = n.reason)`, l.runID, place),
			fmt.Sprintf(`DELETE FROM rejected_rows p WHERE p.run_id <> %[1]d AND EXISTS (
				SELECT 1 FROM rejected_rows n WHERE n.run_id = %[1]d AND %[2]s)`, l.runID, place),
		} {
			if _, err := l.tx.ExecContext(ctx, q); err != nil {
				return st, fmt.Errorf("drop repeated copies of rejected rows: %w", err)
			}
		}
	}
	if err := st.Reconciles(); err != nil {
		return st, err
	}
	if err := l.env.BeforeCommit(ctx, l.tx, st); err != nil {
		return st, err
	}
	start := time.Now()
	if err := l.tx.Commit(); err != nil {
		return st, fmt.Errorf("commit: %w", err)
	}
	l.env.Log.Debug("merge step", "step", "commit", "took", time.Since(start).Round(time.Millisecond))
	return st, nil
}

// steps runs the merge's statements in the load's transaction, timing each.
type steps struct {
	ctx context.Context
	tx  *sql.Tx
	log *slog.Logger
	tbl etl.Table
	// roomToMerge lifts DuckDB's memory limit to the one of mart rebuilds
	// for the rest of the load: merging revised groups, sorting out
	// repeated keys, deleting them from a large uncommitted insert and
	// committing that join or rewrite whole periods, where a load that
	// only streams needs little. The caller restores the limit when the load
	// returns.
	roomToMerge func() error
}

func (l *loader) steps(ctx context.Context, f fact) steps {
	return steps{ctx: ctx, tx: l.tx, log: l.env.Log, tbl: f.table,
		roomToMerge: func() error { return l.env.RoomToMerge(ctx) }}
}

// exec runs a statement and returns the rows it affected.
func (s steps) exec(what, q string) (int64, error) {
	start := time.Now()
	res, err := s.tx.ExecContext(s.ctx, q)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	s.log.Debug("merge step", "table", s.tbl, "step", what, "rows", n, "took", time.Since(start).Round(time.Millisecond))
	return n, err
}

// dropFrom deletes the later arrivals rejectDuplicates found from table,
// whose row ids they carry.
func (s steps) dropFrom(table string) func(later string) error {
	return func(later string) error {
		_, err := s.exec("drop duplicates", fmt.Sprintf("DELETE FROM %s WHERE rowid IN (SELECT s.rid %s)", table, later))
		return err
	}
}

// count runs a query returning one number.
func (s steps) count(what, q string) (int64, error) {
	start := time.Now()
	var n int64
	if err := s.tx.QueryRowContext(s.ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	s.log.Debug("merge step", "table", s.tbl, "step", what, "count", n, "took", time.Since(start).Round(time.Millisecond))
	return n, nil
}

// LoadTime is now (UTC, microseconds), pushed past the newest
// valid_from so versions of two quick loads never tie.
func LoadTime(ctx context.Context, tx *sql.Tx, now time.Time) (time.Time, error) {
	ts, err := stampAfter(ctx, tx, now, `SELECT greatest(
		(SELECT max(valid_from) FROM `+idcode.PartsTable+`),
		(SELECT max(valid_from) FROM mineral_statistics_history))`)
	if err != nil {
		return ts, fmt.Errorf("read last load time: %w", err)
	}
	return ts, nil
}

// stampAfter is now (UTC, microseconds), pushed past the time lastQuery
// reads (the newest valid_from of what the stamp is for), if any.
func stampAfter(ctx context.Context, tx *sql.Tx, now time.Time, lastQuery string) (time.Time, error) {
	ts := now.UTC().Truncate(time.Microsecond)
	var last sql.NullTime
	if err := tx.QueryRowContext(ctx, lastQuery).Scan(&last); err != nil {
		return ts, err
	}
	if last.Valid && !ts.After(last.Time.UTC()) {
		ts = last.Time.UTC().Add(time.Microsecond)
	}
	return ts, nil
}

// mergeFact rejects staged rows with missing required columns and
// duplicate keys, then closes changed current versions and inserts new ones.
// Every statement is set-based; the history side is limited to the
// periods (or years) in staging, and each check that finds nothing to do
// (no nulls seen while staging, no duplicate key hash, no current history
// for the load's periods, group fingerprints equal) skips its costly step.
func mergeFact(s steps, f fact, runID int64, tsLit, rejectHead string, hasNulls bool, seen map[scopeKey]bool) (etl.LoadStats, error) {
	st := etl.LoadStats{Periods: map[string][]string{}}
	cols := f.columns()
	exec, count := s.exec, s.count

	// Rows missing a required column: rejected by name.
	if hasNulls {
		req := f.required()
		var missing, anyNull []string
		for _, c := range req {
			missing = append(missing, fmt.Sprintf("WHEN %s IS NULL THEN '%s'", c, c))
			anyNull = append(anyNull, c+" IS NULL")
		}
		n, err := exec("reject incomplete rows", sqltext.Fill(`${reject} '${table}', coalesce(source, ''), coalesce(source_ref, ''),
		coalesce(source_row, 0), col, 'missing ' || col, raw
		FROM (SELECT *, CASE ${missing} END AS col, ${raw} AS raw FROM ${stage} s) WHERE col IS NOT NULL`, sqltext.Parts{
			"reject": rejectHead, "table": string(f.table), "missing": strings.Join(missing, " "),
			"raw": rawOf("s", cols), "stage": f.stage}))
		if err != nil {
			return st, err
		}
		st.Rejected += n
		if n > 0 {
			if _, err := exec("drop incomplete rows", "DELETE FROM "+f.stage+" WHERE "+strings.Join(anyNull, " OR ")); err != nil {
				return st, err
			}
		}
	}

	dups := func(filter string) error {
		n, err := rejectDuplicates(s, f, rejectHead, f.stage, filter, "kh", func() (string, error) {
			return fmt.Sprintf("(SELECT *, rowid AS rid FROM %s t WHERE %s)", f.stage, filter), nil
		}, s.dropFrom(f.stage))
		st.Rejected += n
		return err
	}
	stagedRows := func() (int64, error) { return count("count staged rows", "SELECT count(*) FROM "+f.stage) }
	staged, err := stagedRows()
	if err != nil || staged == 0 {
		return st, err
	}
	// The periods seen while staging are those in staging, unless rows
	// were dropped for a missing column: then ask staging.
	var scope string
	if hasNulls {
		if scope, err = scopeOf(s.ctx, s.tx, f, &st); err != nil {
			return st, err
		}
	} else {
		scope = scopeFromKeys(f, seen, &st)
	}
	insert := func(what, filter string) (int64, error) {
		return exec(what, f.insertStaged(runID, tsLit, filter))
	}

	// No current version in the load's periods: every row is new.
	current, err := count("look for current versions", fmt.Sprintf(
		"SELECT count(*) FROM (SELECT 1 FROM %s h WHERE h.valid_to IS NULL AND %s LIMIT 1)", f.history, scope))
	if err != nil {
		return st, err
	}
	if current == 0 {
		if err := dups("true"); err != nil {
			return st, err
		}
		st.Loaded, err = insert("insert new rows", "")
		return st, err
	}

	// Fingerprint each group on both sides; equal groups are unchanged,
	// groups history lacks are inserted as they are, the rest are merged.
	// A group equal to history has no duplicate key (history has none),
	// so only the other groups are searched for duplicates.
	g := strings.Join(f.group, ", ")
	fp := "count(*) AS n, sum(" + f.rowHash() + ") AS fp"
	if _, err := exec("fingerprint staged groups", fmt.Sprintf(
		"CREATE OR REPLACE TEMP TABLE %s AS SELECT %s, count(*) AS n, sum(rh) AS fp FROM %s GROUP BY ALL", stageGroups, g, f.stage)); err != nil {
		return st, err
	}
	if _, err := exec("compare groups", sqltext.Fill(`CREATE OR REPLACE TEMP TABLE ${changed} AS
		SELECT ${s_group}, h.n IS NULL AS is_new
		FROM ${staged} s LEFT JOIN (
			SELECT ${group}, ${fp} FROM ${history} h
			WHERE h.valid_to IS NULL AND ${scope} AND (${h_group}) IN (SELECT ${group} FROM ${staged})
			GROUP BY ALL) h ON ${same_group}
		WHERE h.n IS NULL OR h.n <> s.n OR h.fp <> s.fp`, sqltext.Parts{
		"changed": changedGroups, "staged": stageGroups, "history": f.history, "scope": scope, "fp": fp,
		"group": g, "s_group": qualified("s.", f.group), "h_group": qualified("h.", f.group),
		"same_group": joinOn("s", "h", f.group)})); err != nil {
		return st, err
	}
	changed, err := count("count changed groups", "SELECT count(*) FROM "+changedGroups)
	if err != nil || changed == 0 {
		st.Unchanged = staged
		return st, err
	}
	if s.roomToMerge != nil {
		if err := s.roomToMerge(); err != nil {
			return st, err
		}
	}
	if err := dups(fmt.Sprintf("(%s) IN (SELECT %s FROM %s)", qualified("t.", f.group), g, changedGroups)); err != nil {
		return st, err
	}
	if staged, err = stagedRows(); err != nil {
		return st, err
	}
	inGroups := func(isNew bool) string {
		return sqltext.Fill("WHERE (${s_group}) IN (SELECT ${group} FROM ${changed} WHERE is_new = ${is_new})", sqltext.Parts{
			"s_group": qualified("s.", f.group), "group": g, "changed": changedGroups, "is_new": strconv.FormatBool(isNew)})
	}
	// One join of the changed groups' staged rows with their current
	// versions finds the rows to insert (new or changed) and the versions
	// they close.
	if _, err := exec("find changed rows", sqltext.Fill(`CREATE OR REPLACE TEMP TABLE ${changed_rows} AS
		SELECT s.rid, h.hrid
		FROM (SELECT *, rowid AS rid FROM ${stage} s ${in_changed_groups}) s
		LEFT JOIN ${current} h ON ${same_key}
		WHERE h.hrid IS NULL OR NOT (${same_values})`, sqltext.Parts{
		"changed_rows": changedRows, "stage": f.stage, "in_changed_groups": inGroups(false),
		"current": f.currentVersions(scope), "same_key": joinOn("h", "s", f.matchKey()),
		"same_values": sameValues("h", "s", f.matchCompare())})); err != nil {
		return st, err
	}
	st.Revised, err = exec("close revised rows", fmt.Sprintf(
		"UPDATE %s SET valid_to = %s WHERE rowid IN (SELECT hrid FROM %s WHERE hrid IS NOT NULL)", f.physical, tsLit, changedRows))
	if err != nil {
		return st, err
	}
	merged, err := insert("insert new versions", "WHERE s.rowid IN (SELECT rid FROM "+changedRows+")")
	if err != nil {
		return st, err
	}
	if st.Revised > merged {
		return st, fmt.Errorf("closed %d versions but inserted only %d: history has several current rows for a key", st.Revised, merged)
	}
	added, err := insert("insert new groups", inGroups(true))
	if err != nil {
		return st, err
	}
	st.Loaded = merged + added
	st.Unchanged = staged - st.Loaded
	return st, nil
}

// rejectDuplicates rejects every row of table (alias t, under filter) whose
// key an earlier row has: the first arrival (batch, then lowest source_row)
// wins. A grouping on the key's hash (keyHash) finds candidate keys
// cheaply; only when there are some does rel (the rows with batch_no and
// their row id as rid) get compared in full, and drop is given the later
// arrivals: "FROM … s … WHERE …", s.rid their row ids.
func rejectDuplicates(s steps, f fact, rejectHead, table, filter, keyHash string, rel func() (string, error), drop func(later string) error) (int64, error) {
	keys := strings.Join(f.key, ", ")
	hashes := fmt.Sprintf("SELECT %s AS h FROM %s t WHERE %s GROUP BY 1 HAVING count(*) > 1", keyHash, table, filter)
	cands, err := s.count("look for duplicates", "SELECT count(*) FROM ("+hashes+")")
	if err != nil || cands == 0 {
		return 0, err
	}
	if s.roomToMerge != nil {
		if err := s.roomToMerge(); err != nil {
			return 0, err
		}
	}
	rows, err := rel()
	if err != nil {
		return 0, err
	}
	order := "{'b': batch_no, 'r': source_row, 'i': rid}"
	if _, err := s.exec("find duplicates", sqltext.Fill(`CREATE OR REPLACE TEMP TABLE ${dup_keys} AS
		SELECT ${keys}, min(${order}) AS first, arg_min(source_ref, ${order}) AS first_ref
		FROM ${rows} r WHERE ${key_hash} IN (${hashes}) GROUP BY ALL HAVING count(*) > 1`, sqltext.Parts{
		"dup_keys": dupKeys, "keys": keys, "order": order, "rows": rows, "key_hash": keyHash, "hashes": hashes})); err != nil {
		return 0, err
	}
	cols := f.columns()
	later := fmt.Sprintf("FROM %s s JOIN %s d ON %s WHERE s.rid <> struct_extract(d.first, 'i')", rows, dupKeys, joinOn("s", "d", f.key))
	n, err := s.exec("reject duplicates", sqltext.Fill(`${reject} '${table}', s.source, s.source_ref, s.source_row, '',
		CASE WHEN s.source_ref = d.first_ref THEN 'duplicate of row ' || struct_extract(d.first, 'r')
		     ELSE 'duplicate of ' || d.first_ref || ' row ' || struct_extract(d.first, 'r') END,
		${raw}
		${later}`, sqltext.Parts{"reject": rejectHead, "table": string(f.table), "raw": rawOf("s", cols), "later": later}))
	if err != nil {
		return 0, err
	}
	if n > 0 {
		if err := drop(later); err != nil {
			return 0, err
		}
	}
	_, err = s.exec("drop duplicate keys", "DROP TABLE "+dupKeys)
	return n, err
}

// scopeOf records the periods (or years) in staging and returns a filter
// on the history alias h that keeps only those: a range the scan can prune
// row groups with, and the exact list.
func scopeOf(ctx context.Context, tx *sql.Tx, f fact, st *etl.LoadStats) (string, error) {
	if f.scope == "year" {
		years, err := queryStrings(ctx, tx, "SELECT DISTINCT CAST(year AS VARCHAR) FROM "+f.stage+" ORDER BY 1")
		if err != nil {
			return "", fmt.Errorf("read years: %w", err)
		}
		for _, y := range years {
			v, err := strconv.Atoi(y)
			if err != nil {
				return "", err
			}
			st.StatYears = append(st.StatYears, v)
		}
		return fmt.Sprintf("h.year BETWEEN %s AND %s AND h.year IN (%s)",
			years[0], years[len(years)-1], strings.Join(years, ", ")), nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT freq, strftime(period, '%Y-%m-%d') FROM "+f.stage+" ORDER BY 2, 1")
	if err != nil {
		return "", fmt.Errorf("read periods: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var dates []string
	for rows.Next() {
		var freq, d string
		if err := rows.Scan(&freq, &d); err != nil {
			return "", err
		}
		st.Periods[freq] = append(st.Periods[freq], d)
		if !seen[d] {
			seen[d] = true
			dates = append(dates, "DATE '"+d+"'")
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	sort.Strings(dates)
	return fmt.Sprintf("h.period BETWEEN %s AND %s AND h.period IN (%s)",
		dates[0], dates[len(dates)-1], strings.Join(dates, ", ")), nil
}

func queryStrings(ctx context.Context, tx *sql.Tx, q string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
