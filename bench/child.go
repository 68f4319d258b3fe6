package bench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/arrowmem"
	"github.com/tradewh/tradewh/output/parquet"
	"github.com/tradewh/tradewh/output/warehouse"
	_ "github.com/tradewh/tradewh/sources/baci" // the baci kind
)

// ChildFlag is the hidden first argument that makes a program run one
// benchmark step in a child process (see RunChild): a load measured
// there has a peak RSS of its own, unmixed with DuckDB's read_csv run.
const ChildFlag = "--bench-child"

// childResult is what a child reports on its last stdout line.
type childResult struct {
	TotalS    float64 `json:"total_s"` // open, load, record the run, close
	LoadS     float64 `json:"load_s"`  // Load alone
	MartsS    float64 `json:"marts_s,omitempty"`
	ExportS   float64 `json:"export_s,omitempty"`
	RowsIn    int64   `json:"rows_in"`
	Loaded    int64   `json:"loaded"`
	Unchanged int64   `json:"unchanged"`
	Rejected  int64   `json:"rejected"`
	// PeakRSS is the child's own high-water resident set in bytes (0
	// where the OS does not say; see selfPeakRSS).
	PeakRSS int64 `json:"peak_rss,omitempty"`
}

// RunChild runs one step in this process and writes its result as JSON
// to out. args are the flags after ChildFlag: --warehouse DIR --file F
// --hs all|critical, and --then-marts-export to rebuild every mart and
// export Parquet after the load (each timed on its own).
func RunChild(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench-child", flag.ContinueOnError)
	dir := fs.String("warehouse", "", "warehouse folder")
	file := fs.String("file", "", "BACI file")
	hs := fs.String("hs", "all", "all or critical")
	more := fs.Bool("then-marts-export", false, "rebuild marts and export Parquet after the load")
	verbose := fs.Bool("v", false, "log the warehouse's steps to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	arrowmem.LimitGoMemory() // as tradewh's main does
	log := slog.New(slog.DiscardHandler)
	if *verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	res, err := loadOnce(ctx, log, *dir, *file, *hs)
	if err != nil {
		return err
	}
	if *more {
		if res.MartsS, res.ExportS, err = martsAndExport(ctx, log, *dir); err != nil {
			return err
		}
	}
	res.PeakRSS = selfPeakRSS()
	return json.NewEncoder(out).Encode(res)
}

// loadOnce does what `tradewh load --source baci FILE` does before its
// marts and export: open the warehouse, record a run, load, finish, close.
func loadOnce(ctx context.Context, log *slog.Logger, dir, file, hs string) (childResult, error) {
	var res childResult
	cfg := map[string]any{"paths": []any{file}}
	if hs == "all" {
		cfg["hs_codes"] = []any{"*"}
	}
	start := time.Now()
	w, err := warehouse.Open(ctx, warehouse.Options{Dir: dir, Logger: log})
	if err != nil {
		return res, err
	}
	defer w.Close()
	job := etl.JobSpec{Name: "bench", Kind: "baci", Config: cfg}
	runID, err := w.StartRun(ctx, job.Name, job.Kind)
	if err != nil {
		return res, err
	}
	src, _, err := etl.BuildSource(job, etl.Runtime{Logger: log, RawDir: filepath.Join(dir, "raw")})
	if err != nil {
		return res, fmt.Errorf("baci source: %w", err)
	}
	loadStart := time.Now()
	st, err := w.Load(ctx, runID, src)
	res.LoadS = time.Since(loadStart).Seconds()
	if ferr := w.FinishRun(ctx, runID, st, err); err == nil {
		err = ferr
	}
	if err != nil {
		return res, err
	}
	if err := w.Close(); err != nil {
		return res, err
	}
	res.TotalS = time.Since(start).Seconds()
	res.RowsIn, res.Loaded, res.Unchanged, res.Rejected = st.RowsIn, st.Loaded, st.Unchanged, st.Rejected
	return res, nil
}

// martsAndExport rebuilds every mart and exports Parquet as `tradewh run` does.
func martsAndExport(ctx context.Context, log *slog.Logger, dir string) (martsS, exportS float64, err error) {
	w, err := warehouse.Open(ctx, warehouse.Options{Dir: dir, Logger: log})
	if err != nil {
		return 0, 0, err
	}
	defer w.Close()
	start := time.Now()
	if err := w.RebuildMarts(ctx, etl.LoadStats{}, true); err != nil {
		return 0, 0, err
	}
	martsS = time.Since(start).Seconds()
	start = time.Now()
	if _, err := parquet.Export(ctx, w.DB(), filepath.Join(dir, "parquet"), parquet.DefaultTables(), log); err != nil {
		return 0, 0, fmt.Errorf("export: %w", err)
	}
	return martsS, time.Since(start).Seconds(), nil
}
