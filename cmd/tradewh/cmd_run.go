package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/demo"
	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/runner"
	"github.com/tradewh/tradewh/output/parquet"
)

func newRunCmd(g *globals) *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "run [--config FILE] [--replay [--raw DIR]] [JOB...]",
		Short: "Run the configured jobs: extract, load, rebuild marts, export Parquet",
		Long: `Run the jobs of a config file (all of them, or the JOBs named), each in its own
transaction: extract, validate, merge into the fact tables with revision history, rebuild the marts;
then export every table to Parquet.

Without --config, run the built-in offline demo: it writes demo inputs (a UN Comtrade v1 response of
illustrative trade flows, the real USGS MCS 2024 salient tables as CSVs and an XLSX workbook) under
<warehouse>/raw/demo and loads them.

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
			specs, err := g.jobSpecs(ctx, configPath, args, s)
			if err != nil {
				return err
			}
			st, runErr := s.RunJobs(ctx, specs)
			if ctx.Err() != nil {
				return runErr
			}
			manifests, err := s.Export(ctx)
			if err != nil {
				return errors.Join(runErr, err)
			}
			g.printSummary(ctx, s, st, manifests, configPath == "")
			if g.report != nil {
				if err := g.buildReport(ctx, s, g.report); err != nil {
					runErr = errors.Join(runErr, err)
				}
			}
			return runErr
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (YAML); default: the built-in offline demo")
	cmd.Flags().BoolVar(&g.replay, "replay", false, "rebuild from the raw landing zone only, no network")
	cmd.Flags().StringVar(&g.rawDir, "raw", "", "landing zone to read and write (default <warehouse>/raw)")
	return cmd
}

// demoNotice is the demo summary's line on where its figures come from.
const demoNotice = "Demo data: the trade flows (comtrade/*_illustrative.json) are the project's own illustration, " +
	"not published statistics; the USGS tables are the real MCS 2024 salient figures."

// jobSpecs resolves the jobs to run from a config file or the demo.
func (g *globals) jobSpecs(ctx context.Context, configPath string, names []string, s *runner.Session) ([]etl.JobSpec, error) {
	var specs []etl.JobSpec
	if configPath == "" {
		var err error
		specs, err = demo.Write(filepath.Join(g.warehouse, "raw", "demo"))
		if err != nil {
			return nil, fmt.Errorf("writing demo inputs: %w", err)
		}
		g.report = &jobs.ReportConfig{} // the demo shows its report
	} else {
		cfg, err := loadJobConfig(configPath)
		if err != nil {
			return nil, err
		}
		if err := s.SetConcern(ctx, cfg); err != nil {
			return nil, err
		}
		g.report = cfg.Report
		for _, j := range cfg.Jobs {
			sp := runner.JobSpec(j)
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

func (g *globals) printSummary(ctx context.Context, s *runner.Session, st etl.LoadStats, manifests []parquet.Manifest, isDemo bool) {
	w := g.stdout
	fmt.Fprintf(w, "\nLoaded: %d rows in, %d loaded (%d revised), %d unchanged, %d rejected\n",
		st.RowsIn, st.Loaded, st.Revised, st.Unchanged, st.Rejected)
	if isDemo {
		fmt.Fprintf(w, "%s\n", demoNotice)
	}
	if counts, err := s.WH.TableCounts(ctx); err == nil {
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
		fmt.Fprintf(w, "\nParquet exports (ZSTD) under %s:\n", runner.ExportDir(g.warehouse))
		for _, m := range manifests {
			layout := "not partitioned"
			if len(m.Partition) > 0 {
				layout = "partitioned by " + strings.Join(m.Partition, ", ")
			}
			fmt.Fprintf(w, "  %-28s %8d rows  %s\n", m.Table+"/", m.Rows, layout)
		}
	}
	if st.Rejected > 0 {
		fmt.Fprintf(w, "\nRejected rows are in the rejected_rows table:\n  %s\n", g.commandLine("query", rejectedQuery))
	}
	fmt.Fprintf(w, "\nTry:\n  %s\n", g.commandLine("query", tryQuery))
	fmt.Fprintf(w, "  %s\n", g.commandLine("impact", "CHN-MOFCOM-2023-23", "--code", "811292"))
}
