// Package parquet publishes warehouse tables as Hive-partitioned, ZSTD
// compressed Parquet datasets for BI tools.
//
// Layout under the export directory (normally <warehouse>/parquet):
//
//	<dir>/<table>                -> .versions/<table>-<ts>-<n>   (symlink)
//	<dir>/.versions/<table>-...  one complete export: commodity=.../year=.../data_0.parquet
//	                             plus _manifest.json
//	<dir>/.staging/              exports being written; never read
//	<dir>/.lock                  serialises exports across processes
//
// An export is written to .staging, moved to .versions and published by
// renaming a fresh symlink over <dir>/<table>, which is atomic on POSIX: a
// reader resolves either the old or the new version, never a mixture.
// Every table of a call is written first and published only if all of them
// succeeded, from one DuckDB transaction, so the tables of an export are
// consistent with each other.
package parquet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// Table is one dataset to export.
type Table struct {
	Name      string   // export folder name, e.g. "import_shares"
	Query     string   // SELECT producing the rows (may add a derived partition column such as year)
	Partition []string // Hive partition columns, e.g. {"commodity", "year"}
}

// Manifest describes one published export; it is written as
// <table>/_manifest.json (a leading underscore makes Hive-style readers
// skip it).
type Manifest struct {
	Table     string   `json:"table"`
	Rows      int64    `json:"rows"`
	Schema    []Column `json:"schema"`    // every column, partition columns included
	Partition []string `json:"partition"` // columns encoded in the paths, in order
	// Files holds the data files, relative to the table folder, with '/'.
	Files       []string  `json:"files"`
	GeneratedAt time.Time `json:"generated_at"`
	Compression string    `json:"compression"`
	// NullPartitionValue replaces NULL in text partition columns (a NULL
	// in another partition column is written the Hive way, as
	// __HIVE_DEFAULT_PARTITION__).
	NullPartitionValue string `json:"null_partition_value"`
}

// Column is a column name and its DuckDB type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

const (
	// NullPartition stands for a NULL text partition value, chiefly trade
	// flows whose HS code belongs to no commodity group. A readable value
	// keeps those rows visible in BI tools, which show Hive's
	// __HIVE_DEFAULT_PARTITION__ marker verbatim.
	NullPartition = "unassigned"
	compression   = "zstd"
	manifestName  = "_manifest.json"
	versionsDir   = ".versions"
	stagingDir    = ".staging"
	lockName      = ".lock"
)

// DefaultTables lists the datasets published after every load. The marts
// (sql/marts) carry commodity and year columns of their own.
func DefaultTables() []Table {
	byCommodityYear := []string{"commodity", "year"}
	return []Table{
		{Name: string(etl.TradeFlows), Query: "SELECT *, year(period) AS year FROM trade_flows", Partition: byCommodityYear},
		{Name: string(etl.MineralStatistics), Query: "SELECT * FROM mineral_statistics", Partition: byCommodityYear},
		{Name: "import_shares", Query: "SELECT * FROM import_shares", Partition: byCommodityYear},
		{Name: "dependency_trends", Query: "SELECT * FROM dependency_trends", Partition: byCommodityYear},
		{Name: "mirror_flows", Query: "SELECT * FROM mirror_flows", Partition: byCommodityYear},
	}
}

// Export writes tables under dir and publishes them together. A table
// whose query names a relation the warehouse does not have yet (a mart
// before the first load) is skipped with a warning and keeps any earlier
// export; a table with no rows is published as one empty Parquet file
// that carries the schema. On any error nothing is published, every
// earlier export stays as it was and the staged files are removed.
// It returns the manifests of the published tables.
func Export(ctx context.Context, db *sql.DB, dir string, tables []Table, logger *slog.Logger) ([]Manifest, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if err := validate(tables); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, stagingDir), 0o755); err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, versionsDir), 0o755); err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	unlock, err := lock(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := cleanLeftovers(dir, logger); err != nil {
		return nil, err
	}

	generated := time.Now().UTC()
	staged, err := stageAll(ctx, db, dir, tables, generated, logger)
	defer func() {
		for _, s := range staged {
			os.RemoveAll(s.path) // no-op once moved to .versions
		}
	}()
	if err != nil {
		return nil, err
	}
	if err := publishAll(dir, staged, logger); err != nil {
		return nil, err
	}
	out := make([]Manifest, len(staged))
	for i, s := range staged {
		out[i] = s.manifest
		logger.Info("parquet export published", "table", s.manifest.Table, "rows", s.manifest.Rows,
			"files", len(s.manifest.Files))
	}
	return out, nil
}

func validate(tables []Table) error {
	seen := map[string]bool{}
	for i, t := range tables {
		if t.Name == "" || strings.HasPrefix(t.Name, ".") || strings.ContainsAny(t.Name, `/\`) {
			return fmt.Errorf("parquet: table %d: invalid name %q (a plain folder name not starting with '.')", i, t.Name)
		}
		if seen[t.Name] {
			return fmt.Errorf("parquet: table %q listed twice", t.Name)
		}
		seen[t.Name] = true
		if strings.TrimSpace(t.Query) == "" {
			return fmt.Errorf("parquet: table %q: empty query", t.Name)
		}
		for _, p := range t.Partition {
			if p == "" {
				return fmt.Errorf("parquet: table %q: empty partition column", t.Name)
			}
		}
	}
	return nil
}

// errSkip marks a table whose relations do not exist yet.
var errSkip = errors.New("relation not in the warehouse yet")
