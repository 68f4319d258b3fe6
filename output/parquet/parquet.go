// Package parquet publishes warehouse tables as Hive-partitioned, ZSTD
// compressed Parquet datasets for BI tools.
//
// Layout under the export directory (normally <warehouse>/parquet), and
// its version store beside it (see VersionsDir):
//
//	<dir>/<table>/                 the published version: commodity=.../year=.../data_0.parquet
//	                               and nothing else, so folder scans read data only
//	<dir>/_manifests/<table>.json  the published version's manifest
//	<dir>/.lock                    serialises exports across processes
//	<store>/<table>-<ts>-<n>/      one complete export, at a path that stays while it is kept
//	<store>/<v>.retired            when version <v> was replaced (kept for the grace period)
//	<store>/.staging/              exports being written; never read
//
// The published folders hold hard links to their version's files (copies
// where links are not possible), and only the published version: versions
// replaced and kept for the grace period live in the store, outside the
// export directory, so that a scan of the whole directory
// (read_parquet('parquet/**/*.parquet'), Polars on the root) reads every
// row once. An export is written to the store's .staging, moved into the
// store, and published by exchanging a tree of links to it with
// <dir>/<table> in one rename (RENAME_EXCHANGE on Linux): a reader lists
// either the old or the new version, never a mixture.
// The manifest is renamed into place after the folder, so a manifest never
// names a version that is not published yet. Every table of a call is
// written first and published only if all of them succeeded, from one
// DuckDB transaction, so the tables of an export are consistent with each
// other. A table whose content has not changed since its published
// version (same rows, schema and fingerprint) keeps that version.
//
// A replaced version stays in the store for a grace period, for readers
// that resolved the version its manifest named and open its files later,
// and is deleted by a later export. Folders and files get the permissions the
// process umask allows (0755 and 0644 under the usual 022), so BI tools
// running as other accounts can read them.
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
	// Mart marks a table the mart rebuild derives: its manifest says
	// stale while mart_pending lists periods waiting for that rebuild.
	Mart bool
}

// Manifest describes one published export. It is written beside the data,
// as <dir>/_manifests/<table>.json, so that a scan of the table folder
// finds Parquet files only.
type Manifest struct {
	Table string `json:"table"`
	// Version is the store folder holding the files, relative to the
	// export directory with '/' (e.g. ../.parquet-versions/trade_flows-…):
	// the files <dir>/<table> held when the manifest was published. It
	// stays readable at that path for the grace period after a newer
	// version replaces it.
	Version string `json:"version"`
	Rows    int64  `json:"rows"`
	// Fingerprint is the sum of DuckDB's hash of every row: with Rows and
	// Schema it tells whether a table changed since its published version.
	Fingerprint string `json:"fingerprint"`
	// Stale is true for a mart exported while MartsPending lists periods
	// whose rows the mart does not reflect yet (loads with --no-marts, or
	// a run stopped before its marts were rebuilt).
	Stale        bool            `json:"stale"`
	MartsPending []PendingPeriod `json:"marts_pending,omitempty"`
	Schema       []Column        `json:"schema"`    // every column, partition columns included
	Partition    []string        `json:"partition"` // columns encoded in the paths, in order
	// Files holds the data files, relative to the table folder, with '/'.
	Files       []string  `json:"files"`
	GeneratedAt time.Time `json:"generated_at"`
	Compression string    `json:"compression"`
	// NullPartitionValue replaces NULL in text partition columns (a NULL
	// in another partition column is written the Hive way, as
	// __HIVE_DEFAULT_PARTITION__).
	NullPartitionValue string `json:"null_partition_value"`
}

// PendingPeriod is a period whose marts wait for a rebuild (mart_pending).
type PendingPeriod struct {
	Freq   string `json:"freq"`
	Period string `json:"period"` // YYYY-MM-DD
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
	manifestsDir  = "_manifests"
	stagingDir    = ".staging"
	lockName      = ".lock"
	retiredSuffix = ".retired"

	// DefaultGrace is how long a replaced version stays readable.
	DefaultGrace = time.Hour
	// DefaultKeepPrevious is how many replaced versions of each table are
	// kept whatever their age.
	DefaultKeepPrevious = 1
)

// Options tune an export. The zero value deletes a replaced version at the
// next export; Export uses DefaultGrace and DefaultKeepPrevious.
type Options struct {
	Logger *slog.Logger // nil: slog.Default()
	// Grace keeps a replaced version at least this long after the swap,
	// for readers that resolved <dir>/<table> before it and open the files
	// later (Spark and pyarrow.dataset list files first, read them later).
	Grace time.Duration
	// KeepPrevious keeps the newest replaced versions of each table, this
	// many, even past the grace period.
	KeepPrevious int
	Now          func() time.Time // nil: time.Now; tests inject a clock
}

// VersionsDir is the version store of the export directory dir: the
// hidden sibling .<name>-versions (<warehouse>/.parquet-versions for
// <warehouse>/parquet), outside every scan of the published tree.
func VersionsDir(dir string) string {
	dir = filepath.Clean(dir)
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+"-versions")
}

// ManifestPath is where the manifest of table's published version is.
func ManifestPath(dir, table string) string {
	return filepath.Join(dir, manifestsDir, table+".json")
}

// DefaultTables lists the datasets published after every load. The marts
// (sql/marts) carry commodity and year columns of their own.
func DefaultTables() []Table {
	byCommodityYear := []string{"commodity", "year"}
	return []Table{
		{Name: string(etl.TradeFlows), Query: "SELECT *, year(period) AS year FROM trade_flows", Partition: byCommodityYear},
		{Name: string(etl.MineralStatistics), Query: "SELECT * FROM mineral_statistics", Partition: byCommodityYear},
		{Name: "import_shares", Query: "SELECT * FROM import_shares", Partition: byCommodityYear, Mart: true},
		{Name: "dependency_trends", Query: "SELECT * FROM dependency_trends", Partition: byCommodityYear, Mart: true},
		{Name: "mirror_flows", Query: "SELECT * FROM mirror_flows", Partition: byCommodityYear, Mart: true},
		{Name: "event_windows", Query: "SELECT * FROM event_windows", Partition: byCommodityYear, Mart: true},
		{Name: "diversion", Query: "SELECT * FROM diversion", Partition: []string{"commodity"}, Mart: true},
		{Name: "diversion_replacements", Query: "SELECT * FROM diversion_replacements", Partition: []string{"commodity"}, Mart: true},
		{Name: "supplier_alternatives", Query: "SELECT * FROM supplier_alternatives", Partition: byCommodityYear, Mart: true},
		{Name: "trade_measures", Query: "SELECT * FROM trade_measures"},
		{Name: "trade_measure_codes", Query: "SELECT * FROM trade_measure_codes"},
	}
}

// Export writes tables under dir and publishes them together, keeping
// replaced versions for DefaultGrace (see ExportWith).
func Export(ctx context.Context, db *sql.DB, dir string, tables []Table, logger *slog.Logger) ([]Manifest, error) {
	return ExportWith(ctx, db, dir, tables, Options{Logger: logger, Grace: DefaultGrace, KeepPrevious: DefaultKeepPrevious})
}

// ExportWith writes tables under dir and publishes them together. A table
// whose query names a relation the warehouse does not have yet (a mart
// before the first load) is skipped with a warning and keeps any earlier
// export; a table with no rows is published as one empty Parquet file
// that carries the schema; a table whose content equals its published
// version keeps that version (its manifest is rewritten only if its
// stale mark changed). On any error nothing is published, every earlier
// export stays as it was and the staged files are removed. Versions
// replaced longer ago than o.Grace, beyond the o.KeepPrevious newest of
// their table, are deleted. It returns the manifests of the exported
// tables, published or kept.
func ExportWith(ctx context.Context, db *sql.DB, dir string, tables []Table, o Options) ([]Manifest, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	logger := o.Logger
	if err := validate(tables); err != nil {
		return nil, err
	}
	for _, sub := range []string{filepath.Join(VersionsDir(dir), stagingDir), filepath.Join(dir, manifestsDir)} {
		if err := os.MkdirAll(sub, 0o777); err != nil {
			return nil, fmt.Errorf("parquet: %w", err)
		}
	}
	unlock, err := lock(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := sweep(dir, o); err != nil {
		return nil, err
	}

	generated := o.Now().UTC()
	exports, err := stageAll(ctx, db, dir, tables, generated, logger)
	defer func() {
		for _, s := range exports {
			if s.path != "" {
				os.RemoveAll(s.path) // no-op once moved into the store
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	if err := publishAll(dir, exports, o.Now().UTC(), logger); err != nil {
		return nil, err
	}
	if err := sweep(dir, o); err != nil {
		logger.Warn("parquet: published, but removing old versions failed; the next export retries", "error", err)
	}
	out := make([]Manifest, len(exports))
	var stale []string
	var pending []PendingPeriod // the same for every mart
	for i, s := range exports {
		m := s.manifest
		out[i] = m
		if s.path != "" {
			logger.Info("parquet export published", "table", m.Table, "rows", m.Rows, "files", len(m.Files))
		} else {
			logger.Info("parquet export unchanged; its published version is kept", "table", m.Table, "rows", m.Rows,
				"version", m.Version)
		}
		if m.Stale {
			stale, pending = append(stale, m.Table), m.MartsPending
		}
	}
	if len(stale) > 0 {
		logger.Warn("parquet export: marts published stale: periods wait for their rebuild (the marts command rebuilds them; export again after it); their manifests say stale",
			"tables", strings.Join(stale, ","), "periods", len(pending), "pending", pendingList(pending, 10))
	}
	return out, nil
}

// pendingList formats up to max periods for a log line.
func pendingList(ps []PendingPeriod, max int) string {
	var parts []string
	for i, p := range ps {
		if i == max {
			parts = append(parts, fmt.Sprintf("… %d more", len(ps)-max))
			break
		}
		parts = append(parts, p.Freq+" "+p.Period)
	}
	return strings.Join(parts, ", ")
}

func validate(tables []Table) error {
	seen := map[string]bool{}
	for i, t := range tables {
		if t.Name == "" || strings.HasPrefix(t.Name, ".") || strings.HasPrefix(t.Name, "_") || strings.ContainsAny(t.Name, `/\`) {
			return fmt.Errorf("parquet: table %d: invalid name %q (a plain folder name not starting with '.' or '_')", i, t.Name)
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
