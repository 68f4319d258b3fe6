package parquet

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// staged is one table of an export: a complete new version waiting in
// the store's .staging, or the published version kept because nothing changed.
type staged struct {
	path     string // folder under the store's .staging; "" when the published version is kept
	manifest Manifest
	rewrite  bool // the manifest is to be published (always for a new version)
}

// plan is a table's final query: the caller's query with NULL text
// partition values replaced.
type plan struct {
	name      string
	query     string
	partition []string
	schema    []Column
	mart      bool
}

// stageAll writes every changed table from one transaction, so the tables
// agree with each other and each one's row count matches its files. The
// staged folders are returned even on error so that the caller removes
// them.
func stageAll(ctx context.Context, db *sql.DB, dir string, tables []Table, generated time.Time, logger *slog.Logger) ([]staged, error) {
	var plans []plan
	for _, t := range tables {
		p, err := planTable(ctx, db, t)
		if errors.Is(err, errSkip) {
			logger.Warn("parquet export skipped: table not in the warehouse yet; an earlier export, if any, stays published",
				"table", t.Name, "error", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	if len(plans) == 0 {
		return nil, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("parquet: begin: %w", err)
	}
	defer tx.Rollback() // read only: nothing to commit
	pending, err := pendingMarts(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []staged
	for _, p := range plans {
		m := Manifest{Table: p.name, Schema: p.schema, Partition: p.partition, Compression: compression,
			NullPartitionValue: NullPartition}
		if m.Partition == nil {
			m.Partition = []string{}
		}
		if p.mart && len(pending) > 0 {
			m.Stale, m.MartsPending = true, pending
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(hash(*COLUMNS(*))), 0)::VARCHAR FROM ("+p.query+") AS src").
			Scan(&m.Rows, &m.Fingerprint); err != nil {
			return out, fmt.Errorf("parquet: table %q: %w", p.name, err)
		}
		if prev, ok := published(dir, p.name); ok && sameContent(prev, m) {
			m.Version, m.Files, m.GeneratedAt = prev.Version, prev.Files, prev.GeneratedAt
			out = append(out, staged{manifest: m, rewrite: m.Stale != prev.Stale ||
				!slices.Equal(m.MartsPending, prev.MartsPending)})
			continue
		}
		m.GeneratedAt = generated
		s, err := stageTable(ctx, tx, dir, p, m)
		if s.path != "" {
			out = append(out, s)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// pendingMarts lists the periods waiting for a mart rebuild; none if the
// warehouse has no mart_pending table.
func pendingMarts(ctx context.Context, tx *sql.Tx) ([]PendingPeriod, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE table_name = 'mart_pending' AND database_name = current_database() AND schema_name = current_schema()`).
		Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT freq, strftime(period, '%Y-%m-%d') FROM mart_pending ORDER BY period, freq`)
	if err != nil {
		return nil, fmt.Errorf("parquet: reading mart_pending: %w", err)
	}
	defer rows.Close()
	var out []PendingPeriod
	for rows.Next() {
		var p PendingPeriod
		if err := rows.Scan(&p.Freq, &p.Period); err != nil {
			return nil, fmt.Errorf("parquet: reading mart_pending: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// published returns the manifest of table's published version if the
// version it names is one of ours and every file it lists is there, in
// the version and in the published folder alike.
func published(dir, table string) (Manifest, bool) {
	var m Manifest
	b, err := os.ReadFile(ManifestPath(dir, table))
	if err != nil || json.Unmarshal(b, &m) != nil || m.Table != table || m.Version == "" {
		return Manifest{}, false
	}
	version := ownVersion(dir, m.Version)
	if fi, err := os.Lstat(filepath.Join(dir, table)); version == "" || err != nil || !fi.IsDir() {
		return Manifest{}, false
	}
	for _, f := range m.Files {
		v, err := os.Stat(filepath.Join(version, filepath.FromSlash(f)))
		if err != nil || !v.Mode().IsRegular() {
			return Manifest{}, false
		}
		p, err := os.Stat(filepath.Join(dir, table, filepath.FromSlash(f)))
		if err != nil || !p.Mode().IsRegular() || p.Size() != v.Size() {
			return Manifest{}, false
		}
	}
	return m, len(m.Files) > 0
}

// sameContent tells whether a published version holds what m describes.
func sameContent(prev, m Manifest) bool {
	return prev.Fingerprint != "" && prev.Fingerprint == m.Fingerprint && prev.Rows == m.Rows &&
		slices.Equal(prev.Schema, m.Schema) && slices.Equal(prev.Partition, m.Partition) &&
		prev.Compression == m.Compression && prev.NullPartitionValue == m.NullPartitionValue
}

func planTable(ctx context.Context, db *sql.DB, t Table) (plan, error) {
	query := strings.TrimRight(strings.TrimSpace(t.Query), "; \t\n")
	cols, err := describe(ctx, db, query)
	if err != nil {
		var de *duckdb.Error
		if errors.As(err, &de) && de.Type == duckdb.ErrorTypeCatalog && strings.Contains(de.Msg, "Table with name") {
			return plan{}, fmt.Errorf("%w: %s", errSkip, firstLine(de.Msg))
		}
		return plan{}, fmt.Errorf("parquet: table %q: query: %w", t.Name, err)
	}
	types := map[string]string{}
	names := make([]string, len(cols))
	for i, c := range cols {
		types[c.Name] = c.Type
		names[i] = c.Name
	}
	var replace []string
	for _, p := range t.Partition {
		typ, ok := types[p]
		if !ok {
			return plan{}, fmt.Errorf("parquet: table %q: partition column %q is not among the query's columns (%s)",
				t.Name, p, strings.Join(names, ", "))
		}
		if strings.HasPrefix(typ, "VARCHAR") {
			replace = append(replace, fmt.Sprintf("coalesce(%s, '%s') AS %s", ident(p), NullPartition, ident(p)))
		}
	}
	sel := "*"
	if len(replace) > 0 {
		sel += " REPLACE (" + strings.Join(replace, ", ") + ")"
	}
	p := plan{name: t.Name, partition: t.Partition, mart: t.Mart,
		query: fmt.Sprintf("SELECT %s FROM (%s) AS src", sel, query)}
	if p.schema, err = describe(ctx, db, p.query); err != nil {
		return plan{}, fmt.Errorf("parquet: table %q: query: %w", t.Name, err)
	}
	return p, nil
}

func describe(ctx context.Context, db *sql.DB, query string) ([]Column, error) {
	rows, err := db.QueryContext(ctx, "DESCRIBE ("+query+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		var null, key, def, extra sql.NullString
		if err := rows.Scan(&c.Name, &c.Type, &null, &key, &def, &extra); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// stageTable writes one table into a fresh folder of the store's .staging and
// completes m with the version and its files. A table without rows
// becomes a single empty file (partitioned writes would produce none), so
// BI tools still see its columns.
func stageTable(ctx context.Context, tx *sql.Tx, dir string, p plan, m Manifest) (staged, error) {
	path, err := mkdirUnique(filepath.Join(VersionsDir(dir), stagingDir), p.name+"-"+m.GeneratedAt.Format("20060102T150405.000000000Z")+"-")
	if err != nil {
		return staged{}, fmt.Errorf("parquet: table %q: %w", p.name, err)
	}
	s := staged{path: path}
	fail := func(err error) (staged, error) {
		return s, fmt.Errorf("parquet: table %q: %w", p.name, err)
	}
	opts := "FORMAT parquet, COMPRESSION " + compression
	target := filepath.Join(path, "data_0.parquet")
	if m.Rows > 0 && len(p.partition) > 0 {
		parts := make([]string, len(p.partition))
		for i, c := range p.partition {
			parts[i] = ident(c)
		}
		target = path
		opts += ", PARTITION_BY (" + strings.Join(parts, ", ") + ")"
	}
	res, err := tx.ExecContext(ctx, fmt.Sprintf("COPY (%s) TO %s (%s)", p.query, literal(target), opts))
	if err != nil {
		return fail(fmt.Errorf("copy: %w", err))
	}
	if n, err := res.RowsAffected(); err != nil || n != m.Rows {
		return fail(fmt.Errorf("copy wrote %d rows, count(*) of the same query gives %d (%v)", n, m.Rows, err))
	}
	files, err := dataFiles(path)
	if err != nil {
		return fail(err)
	}
	if len(files) == 0 {
		return fail(errors.New("copy wrote no file"))
	}
	if err := shareModes(path); err != nil {
		return fail(err)
	}
	m.Version = versionName(dir, filepath.Join(VersionsDir(dir), filepath.Base(path)))
	m.Files = files
	s.manifest, s.rewrite = m, true
	return s, nil
}

// mkdirUnique creates a new folder parent/prefix<n> with the permissions
// the umask allows, unlike os.MkdirTemp's 0700.
func mkdirUnique(parent, prefix string) (string, error) {
	for i := 0; ; i++ {
		p := filepath.Join(parent, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		err := os.Mkdir(p, 0o777)
		if err == nil || !errors.Is(err, fs.ErrExist) || i == 10 {
			return p, err
		}
	}
}

// shareModes gives every folder under root root's own permissions (made
// from the umask by mkdirUnique) and every file the same without execute
// bits, whatever modes the Parquet writer chose.
func shareModes(root string) error {
	fi, err := os.Stat(root)
	if err != nil {
		return err
	}
	dirMode := fi.Mode().Perm()
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, dirMode)
		}
		return os.Chmod(p, dirMode&0o666)
	})
}

// dataFiles lists the Parquet files under root, relative and sorted.
func dataFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		rel, err := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(out)
	return out, err
}

// writeJSON writes v to path, durably, with the permissions the umask
// allows.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func ident(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
