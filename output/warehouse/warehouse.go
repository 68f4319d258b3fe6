// Package warehouse is the embedded DuckDB warehouse: it opens and
// migrates the database, runs a load in one transaction (the engine that
// stages and merges its batches is internal/ingest), rebuilds the marts,
// records runs and job state, and answers the queries other packages need.
package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/tradewh/tradewh/etl"
)

// FileName is the database file inside the warehouse folder.
const FileName = "warehouse.duckdb"

// DefaultOpenTimeout is how long Open waits for another process to let go
// of the file.
const DefaultOpenTimeout = 30 * time.Second

// Options configure Open.
type Options struct {
	Dir         string        // warehouse folder: holds warehouse.duckdb, parquet/, raw/
	ReadOnly    bool          // query/status: open read-only
	OpenTimeout time.Duration // how long to keep retrying when the file is locked by another process (default 30s)
	Logger      *slog.Logger
	// MemoryLimit caps DuckDB's buffer memory (e.g. "256MB"); beyond it
	// DuckDB spills to TempDir rather than growing. Default DefaultMemoryLimit.
	MemoryLimit string
	// MartMemoryLimit is the cap outside loads: mart rebuilds, exports and
	// queries, whose windows, aggregates and partitioned writes spill less
	// well than a load. "" is DuckDB's default (80% of RAM): a full rebuild
	// of 10M rows needs more than 1GB.
	MartMemoryLimit string
	// TempDir is where DuckDB spills; default TempDirName in the warehouse folder.
	TempDir string
	// Now is the clock that stamps runs, row versions, migrations and job
	// state; nil is the wall clock. A clock given here is also the day a
	// trade measure's status is read on (read as each connection opens);
	// without one, DuckDB's today in UTC.
	Now func() time.Time
	// Sealed (with ReadOnly) keeps the SQL run on the connection inside the
	// database: DuckDB's external access is off, so no statement reads or
	// writes a file (COPY … TO, EXPORT DATABASE, ATTACH, read_csv, glob,
	// INSTALL all fail), and the configuration is locked so no SET turns it
	// back on. DuckDB always lets its spill folder be written, so a sealed
	// warehouse spills to a private folder removed by Close, not TempDir.
	Sealed bool
}

// DefaultMemoryLimit is DuckDB's buffer pool during a load. Batches stream
// through and what does not fit spills, so a load's peak RSS (about
// 300-350 MiB, much of it DuckDB's and Go's working memory outside the
// pool) barely grows with the file. 160MB loaded no faster: the pool only
// filled up on larger files, which made their peak grow.
const DefaultMemoryLimit = "96MB"

// TempDirName is the spill folder inside the warehouse folder.
const TempDirName = ".tmp"

// Warehouse is an open warehouse. It is safe for concurrent use; merges
// and mart rebuilds are serialised so their transactions never conflict.
type Warehouse struct {
	db       *sql.DB
	dir      string
	readOnly bool
	log      *slog.Logger
	writeMu  sync.Mutex // held by loads and mart rebuilds

	memLimit, martMemLimit string
	clock                  func() time.Time
	tempDir                string
	privateTemp            string // a sealed warehouse's spill folder, removed by Close
}

// now is the warehouse clock's time in UTC.
func (w *Warehouse) now() time.Time { return w.clock().UTC() }

var _ etl.Store = (*Warehouse)(nil)

// Open opens (and on a writable open creates and migrates) the warehouse in o.Dir.
func Open(ctx context.Context, o Options) (*Warehouse, error) {
	if o.Dir == "" {
		return nil, errors.New("warehouse: no folder given")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("warehouse: %w", err)
	}
	if o.OpenTimeout <= 0 {
		o.OpenTimeout = DefaultOpenTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	// A given clock is told to every connection: the trade_measures view
	// reads its day (measures_today()) for the status of each measure.
	var connInit func(driver.ExecerContext) error
	if o.Now != nil {
		clock := o.Now
		connInit = func(c driver.ExecerContext) error {
			_, err := c.ExecContext(context.Background(),
				"SET VARIABLE tradewh_today = DATE '"+clock().UTC().Format(time.DateOnly)+"'", nil)
			return err
		}
	} else {
		o.Now = time.Now
	}
	path := filepath.Join(dir, FileName)
	if o.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no warehouse at %s: run `tradewh run` first", dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("warehouse: create folder: %w", err)
	}

	// Extensions load only from the statically linked set or the project's
	// own folder: a nightly run must never reach for the network.
	cfg := url.Values{}
	cfg.Set("autoinstall_known_extensions", "false")
	cfg.Set("autoload_known_extensions", "true")
	cfg.Set("extension_directory", filepath.Join(dir, ".duckdb_extensions"))
	if o.MemoryLimit == "" {
		o.MemoryLimit = DefaultMemoryLimit
	}
	var privateTemp string
	switch {
	case o.Sealed && !o.ReadOnly:
		return nil, errors.New("warehouse: only a read-only open can be sealed")
	case o.Sealed:
		if privateTemp, err = os.MkdirTemp("", "tradewh-query-"); err != nil {
			return nil, fmt.Errorf("warehouse: spill folder: %w", err)
		}
		o.TempDir = privateTemp
	case o.TempDir == "":
		o.TempDir = filepath.Join(dir, TempDirName)
	}
	cfg.Set("temp_directory", o.TempDir)
	// Row order is never relied on (arrival is batch_no and source_row), and
	// dropping it lets DuckDB insert a stream on all threads.
	cfg.Set("preserve_insertion_order", "false")
	if o.ReadOnly {
		cfg.Set("access_mode", "READ_ONLY")
	}
	connector, err := connect(ctx, path+"?"+cfg.Encode(), connInit, o.OpenTimeout, o.Logger)
	if err != nil {
		removeTemp(privateTemp)
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w := &Warehouse{db: sql.OpenDB(connector), dir: dir, readOnly: o.ReadOnly, log: o.Logger,
		memLimit: o.MemoryLimit, martMemLimit: o.MartMemoryLimit, clock: o.Now, tempDir: o.TempDir, privateTemp: privateTemp}
	if err := w.init(ctx); err == nil && o.Sealed {
		err = w.seal(ctx)
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return w, nil
}

// seal turns DuckDB's external access off and locks the configuration.
// Both settings are global: every connection of the pool is sealed.
func (w *Warehouse) seal(ctx context.Context) error {
	for _, q := range []string{"SET enable_external_access = false", "SET lock_configuration = true"} {
		if _, err := w.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sealing the connection: %w", err)
		}
	}
	return nil
}

// removeTemp removes a private spill folder ("" is none).
func removeTemp(dir string) {
	if dir != "" {
		os.RemoveAll(dir)
	}
}

// connect opens the database, retrying while another process holds its lock.
func connect(ctx context.Context, dsn string, init func(driver.ExecerContext) error, timeout time.Duration, log *slog.Logger) (*duckdb.Connector, error) {
	deadline := time.Now().Add(timeout)
	logged := false
	for {
		c, err := duckdb.NewConnector(dsn, init)
		if err == nil {
			return c, nil
		}
		if !strings.Contains(err.Error(), "Could not set lock on file") {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w (gave up after %s): %v", etl.ErrLocked, timeout, err)
		}
		if !logged {
			log.Info("warehouse is locked by another process; waiting", "timeout", timeout)
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", etl.ErrLocked, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (w *Warehouse) init(ctx context.Context) error {
	if w.martMemLimit == "" {
		if err := w.db.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&w.martMemLimit); err != nil {
			return err
		}
	}
	// The load limit is set by Load for its duration; everything else runs
	// under the larger one.
	if err := w.setMemoryLimit(ctx, w.martMemLimit); err != nil {
		return err
	}
	if w.readOnly {
		pending, err := w.pendingMigrations(ctx)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			w.log.Warn("warehouse schema is older than this program; run a writable command to migrate it",
				"pending", pending)
		}
		return nil
	}
	if err := w.migrate(ctx); err != nil {
		return err
	}
	if err := w.seedMartSettings(ctx); err != nil {
		return err
	}
	if err := w.closeInterruptedRuns(ctx); err != nil {
		return err
	}
	if err := w.refreshReference(ctx); err != nil {
		return err
	}
	return w.refreshDefaultMeasures(ctx)
}

// DB is the underlying database, for queries.
func (w *Warehouse) DB() *sql.DB { return w.db }

// TempDir is DuckDB's spill folder, the one folder a sealed connection
// may write (query writes its Parquet files there first).
func (w *Warehouse) TempDir() string { return w.tempDir }

// Dir is the warehouse folder (absolute).
func (w *Warehouse) Dir() string { return w.dir }

// Close closes the database and releases the file lock.
func (w *Warehouse) Close() error {
	err := w.db.Close()
	removeTemp(w.privateTemp)
	return err
}

// setMemoryLimit sets DuckDB's (global) buffer limit.
func (w *Warehouse) setMemoryLimit(ctx context.Context, limit string) error {
	if _, err := w.db.ExecContext(ctx, "SET memory_limit = '"+strings.ReplaceAll(limit, "'", "")+"'"); err != nil {
		return fmt.Errorf("memory limit %q: %w", limit, err)
	}
	return nil
}
