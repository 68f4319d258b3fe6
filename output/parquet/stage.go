package parquet

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// staged is a complete export waiting in .staging to be published.
type staged struct {
	path     string // folder under .staging
	manifest Manifest
}

// plan is a table's final query: the caller's query with NULL text
// partition values replaced.
type plan struct {
	name      string
	query     string
	partition []string
	schema    []Column
}

// stageAll writes every table from one transaction, so the tables agree
// with each other and each one's row count matches its files. The staged
// folders are returned even on error so that the caller removes them.
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
	var out []staged
	for _, p := range plans {
		s, err := stageTable(ctx, tx, dir, p, generated)
		if s.path != "" {
			out = append(out, s)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
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
	p := plan{name: t.Name, partition: t.Partition,
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

// stageTable writes one table into a fresh folder under .staging. A table
// without rows becomes a single empty file (partitioned writes would
// produce none), so BI tools still see its columns.
func stageTable(ctx context.Context, tx *sql.Tx, dir string, p plan, generated time.Time) (staged, error) {
	path, err := os.MkdirTemp(filepath.Join(dir, stagingDir), p.name+"-"+generated.Format("20060102T150405.000000000Z")+"-*")
	if err != nil {
		return staged{}, fmt.Errorf("parquet: table %q: %w", p.name, err)
	}
	s := staged{path: path}
	fail := func(err error) (staged, error) {
		return s, fmt.Errorf("parquet: table %q: %w", p.name, err)
	}
	var rows int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ("+p.query+") AS src").Scan(&rows); err != nil {
		return fail(err)
	}
	opts := "FORMAT parquet, COMPRESSION " + compression
	target := filepath.Join(path, "data_0.parquet")
	if rows > 0 && len(p.partition) > 0 {
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
	if n, err := res.RowsAffected(); err != nil || n != rows {
		return fail(fmt.Errorf("copy wrote %d rows, count(*) of the same query gives %d (%v)", n, rows, err))
	}
	files, err := dataFiles(path)
	if err != nil {
		return fail(err)
	}
	if len(files) == 0 {
		return fail(errors.New("copy wrote no file"))
	}
	s.manifest = Manifest{Table: p.name, Rows: rows, Schema: p.schema, Partition: p.partition, Files: files,
		GeneratedAt: generated, Compression: compression, NullPartitionValue: NullPartition}
	if s.manifest.Partition == nil {
		s.manifest.Partition = []string{}
	}
	if err := writeManifest(filepath.Join(path, manifestName), s.manifest); err != nil {
		return fail(err)
	}
	return s, nil
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

func writeManifest(path string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
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
