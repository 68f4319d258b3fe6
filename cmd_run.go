package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/demo"
	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/output/parquet"
	"github.com/tradewh/tradewh/output/warehouse"
)

const lockWait = 30 * time.Second

// session is an open, locked warehouse for a writing command.
type session struct {
	g    *globals
	lock *jobs.Lock
	wh   *warehouse.Warehouse
}

func (g *globals) openWriter(ctx context.Context, command string) (*session, error) {
	lock, err := jobs.AcquireWriter(g.warehouse, command, lockWait)
	if err != nil {
		return nil, err
	}
	wh, err := warehouse.Open(ctx, warehouse.Options{Dir: g.warehouse, Logger: g.logger})
	if err != nil {
		lock.Release()
		return nil, err
	}
	return &session{g: g, lock: lock, wh: wh}, nil
}

func (s *session) Close() {
	s.wh.Close()
	s.lock.Release()
}

func (s *session) pipeline() *etl.Pipeline {
	raw := s.g.rawDir
	if raw == "" {
		raw = filepath.Join(s.g.warehouse, "raw")
	}
	return &etl.Pipeline{Store: s.wh, Runtime: etl.Runtime{
		RawDir:   raw,
		Logger:   s.g.logger,
		Replay:   s.g.replay,
		Progress: s.g.progress,
	}}
}

// runJobs runs jobs in order; a failed job does not stop the others, but
// makes the command fail.
func (s *session) runJobs(ctx context.Context, specs []etl.JobSpec) (etl.LoadStats, error) {
	p := s.pipeline()
	var total etl.LoadStats
	var errs []error
	for _, j := range specs {
		res, err := p.Run(ctx, j)
		total = total.Add(res.LoadStats)
		if err != nil {
			errs = append(errs, fmt.Errorf("job %s: %w", j.Name, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	return total, errors.Join(errs...)
}

func (s *session) export(ctx context.Context) ([]parquet.Manifest, error) {
	return parquet.ExportWith(ctx, s.wh.DB(), filepath.Join(s.g.warehouse, "parquet"), parquet.DefaultTables(),
		parquet.Options{Logger: s.g.logger, Grace: s.g.parquetGrace, KeepPrevious: parquet.DefaultKeepPrevious})
}

func newRunCmd(g *globals) *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "run [--config FILE] [--replay [--raw DIR]] [JOB...]",
		Short: "Run the configured jobs: extract, load, rebuild marts, export Parquet",
		Long: `Run the jobs of a config file (all of them, or the JOBs named), each in its own
transaction: extract, validate, merge into the fact tables with revision history, rebuild the marts;
then export every table to Parquet.

Without --config, run the built-in offline demo: it writes demo inputs (a UN Comtrade v1 response,
USGS MCS salient CSVs and an XLSX workbook) under <warehouse>/raw/demo and loads them.

A plain run is incremental: sources with periods fetch from each job's cursor (the latest period
loaded) less its revision_window in months (default 24: trade figures are revised for about two
years). --replay rebuilds from the raw landing zone alone, with no network: every stored API
response (newest copy of a record wins) and every landed spreadsheet. With --raw it reads another
warehouse's landing zone, e.g. to rebuild a fresh warehouse from scratch.`,
		Example: `  tradewh run
  tradewh run --config jobs.yaml comtrade-annual`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh run")
			if err != nil {
				return err
			}
			defer s.Close()
			specs, err := g.jobSpecs(configPath, args, s)
			if err != nil {
				return err
			}
			st, runErr := s.runJobs(ctx, specs)
			if ctx.Err() != nil {
				return runErr
			}
			manifests, err := s.export(ctx)
			if err != nil {
				return errors.Join(runErr, fmt.Errorf("exporting Parquet: %w", err))
			}
			g.printSummary(ctx, s, st, manifests)
			return runErr
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (YAML); default: the built-in offline demo")
	cmd.Flags().BoolVar(&g.replay, "replay", false, "rebuild from the raw landing zone only, no network")
	cmd.Flags().StringVar(&g.rawDir, "raw", "", "landing zone to read and write (default <warehouse>/raw)")
	return cmd
}

// jobSpecs resolves the jobs to run from a config file or the demo.
func (g *globals) jobSpecs(configPath string, names []string, s *session) ([]etl.JobSpec, error) {
	var specs []etl.JobSpec
	if configPath == "" {
		var err error
		specs, err = demo.Write(filepath.Join(g.warehouse, "raw", "demo"))
		if err != nil {
			return nil, fmt.Errorf("writing demo inputs: %w", err)
		}
	} else {
		cfg, err := loadJobConfig(configPath)
		if err != nil {
			return nil, err
		}
		if cfg.Concern != "" {
			if err := s.wh.SetConcern(context.Background(), cfg.Concern); err != nil {
				return nil, err
			}
		}
		for _, j := range cfg.Jobs {
			sp := jobSpec(j)
			// A replay loads all that was landed, not an incremental slice.
			sp.Incremental = !g.replay
			specs = append(specs, sp)
		}
	}
	if len(names) == 0 {
		return specs, nil
	}
	byName := map[string]etl.JobSpec{}
	var known []string
	for _, sp := range specs {
		byName[sp.Name] = sp
		known = append(known, sp.Name)
	}
	var out []etl.JobSpec
	for _, n := range names {
		sp, ok := byName[n]
		if !ok {
			return nil, usagef("no job named %q (jobs: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, sp)
	}
	return out, nil
}

func (g *globals) printSummary(ctx context.Context, s *session, st etl.LoadStats, manifests []parquet.Manifest) {
	w := g.stdout
	fmt.Fprintf(w, "\nLoaded: %d rows in, %d loaded (%d revised), %d unchanged, %d rejected\n",
		st.RowsIn, st.Loaded, st.Revised, st.Unchanged, st.Rejected)
	if counts, err := s.wh.TableCounts(ctx); err == nil {
		fmt.Fprintf(w, "\nWarehouse %s:\n", filepath.Join(g.warehouse, "warehouse.duckdb"))
		names := make([]string, 0, len(counts))
		for n := range counts {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(w, "  %-28s %8d rows\n", n, counts[n])
		}
	}
	if len(manifests) > 0 {
		fmt.Fprintf(w, "\nParquet exports (Hive-partitioned, ZSTD) under %s:\n", filepath.Join(g.warehouse, "parquet"))
		for _, m := range manifests {
			fmt.Fprintf(w, "  %-28s %8d rows  partitioned by %s\n", m.Table+"/", m.Rows, strings.Join(m.Partition, ", "))
		}
	}
	if st.Rejected > 0 {
		fmt.Fprintf(w, "\nRejected rows are in the rejected_rows table:\n  tradewh query \"SELECT source_ref, source_row, source_column, reason FROM rejected_rows ORDER BY rejected_at DESC LIMIT 20\"\n")
	}
	fmt.Fprintf(w, "\nTry:\n  tradewh --warehouse %s query \"SELECT year, reporter_iso3, commodity, round(share*100,1) AS china_pct, rank FROM import_shares WHERE partner_iso3 = 'CHN' AND hs_code IS NULL AND freq = 'A' ORDER BY commodity, year\"\n", g.warehouse)
}

func newMartsCmd(g *globals) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "marts",
		Short: "Rebuild the marts of periods loaded with --no-marts (--all: of every period)",
		Long: `Rebuild the marts (import_shares, dependency_trends, mirror_flows) of the periods that loads
with --no-marts left pending; with --all, of every period in the warehouse. Every load and run
without --no-marts rebuilds pending periods too. Run tradewh export afterwards to refresh the
Parquet exports.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh marts")
			if err != nil {
				return err
			}
			defer s.Close()
			pending, err := s.wh.PendingMarts(ctx)
			if err != nil {
				return err
			}
			if pending == 0 && !all {
				fmt.Fprintln(g.stdout, "no periods wait for their marts")
				return nil
			}
			if err := s.wh.RebuildMarts(ctx, etl.LoadStats{}, all); err != nil {
				return err
			}
			if all {
				fmt.Fprintln(g.stdout, "rebuilt the marts of every period")
			} else {
				fmt.Fprintf(g.stdout, "rebuilt the marts of %d pending periods\n", pending)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "rebuild every period, not only the pending ones")
	return cmd
}

func newExportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "Export every fact and mart table to Parquet under <warehouse>/parquet",
		Long: `Write each table to <warehouse>/parquet/<table>/ as Hive-partitioned, ZSTD-compressed
Parquet, with its manifest (row count, schema, fingerprint, generated_at, stale marts) beside it in
<warehouse>/parquet/_manifests/<table>.json. Each table is written aside and swapped in atomically,
so a reader never sees a half-written export; a table that did not change keeps its published
files, and a replaced version stays readable for --parquet-grace.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh export")
			if err != nil {
				return err
			}
			defer s.Close()
			ms, err := s.export(ctx)
			if err != nil {
				return err
			}
			for _, m := range ms {
				fmt.Fprintf(g.stdout, "%-22s %8d rows -> %s\n", m.Table, m.Rows, filepath.Join(g.warehouse, "parquet", m.Table))
			}
			return nil
		},
	}
}

// jobSpec is a configured job as the pipeline runs it: incrementally, from
// its cursor less the revision window.
func jobSpec(j jobs.Job) etl.JobSpec {
	return etl.JobSpec{Name: j.Name, Kind: j.Source, Config: j.Raw, Incremental: true, RevisionWindow: j.RevisionWindow}
}

// runConfigured runs one configured job on its own: it takes the writer
// lock, opens the warehouse, runs the job, refreshes the exports and closes
// everything again, so readers can open the warehouse between runs. The
// scheduler runs jobs through it.
func (g *globals) runConfigured(ctx context.Context, cfg *jobs.Config, j jobs.Job) (etl.Result, error) {
	s, err := g.openWriter(ctx, "tradewh schedule: job "+j.Name)
	if err != nil {
		return etl.Result{}, err
	}
	defer s.Close()
	if cfg.Concern != "" {
		if err := s.wh.SetConcern(ctx, cfg.Concern); err != nil {
			return etl.Result{}, err
		}
	}
	res, err := s.pipeline().Run(ctx, jobSpec(j))
	if err != nil {
		return res, err
	}
	if _, err := s.export(ctx); err != nil {
		return res, fmt.Errorf("exporting Parquet: %w", err)
	}
	return res, nil
}
