package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
)

// fileKinds are the source kinds that can load local files with no other
// settings (a spreadsheet needs its column mapping from a job config).
func fileKinds() []etl.Kind {
	var out []etl.Kind
	for _, k := range etl.Kinds() {
		if k.FileArgs != "" && onlyFilesRequired(k) {
			out = append(out, k)
		}
	}
	return out
}

func onlyFilesRequired(k etl.Kind) bool {
	for _, f := range k.Spec {
		if f.Required && f.Name != k.FileArgs {
			return false
		}
	}
	return true
}

func newLoadCmd(g *globals) *cobra.Command {
	var kind, job string
	var noExport bool
	var b strings.Builder
	b.WriteString(`Load local files ad hoc, as a job of their own: validate, merge into the fact tables
(idempotent: loading the same files again changes nothing; a changed value is kept as a revision),
rebuild the marts and refresh the Parquet exports. Rows that fail validation go to rejected_rows
with file, row, column and reason.

Source kinds (--source):
`)
	for _, k := range fileKinds() {
		fmt.Fprintf(&b, "  %-16s %s\n", k.Name, k.Summary)
	}
	cmd := &cobra.Command{
		Use:   "load --source KIND FILE...",
		Short: "Load local files (Comtrade CSV/JSON, USGS MCS CSV/XLSX, ...) into the warehouse",
		Long:  b.String(),
		Example: `  tradewh load --source comtrade-csv records.csv
  tradewh load --source comtrade-json response.json
  tradewh load --source usgs-mcs mcs2024-raree_salient.csv mcs2024-galli_salient.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if kind == "" {
				return usagef("--source KIND is required")
			}
			k, ok := etl.LookupKind(kind)
			if !ok || k.FileArgs == "" {
				var names []string
				for _, k := range fileKinds() {
					names = append(names, k.Name)
				}
				return usagef("--source must be one of %s, got %q", strings.Join(names, ", "), kind)
			}
			if job == "" {
				job = "load-" + k.Name
			}
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh load")
			if err != nil {
				return err
			}
			defer s.Close()
			paths := make([]any, len(files))
			for i, f := range files {
				paths[i] = f
			}
			res, err := s.pipeline().Run(ctx, etl.JobSpec{Name: job, Kind: k.Name, Config: map[string]any{k.FileArgs: paths}})
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: %d rows in, %d loaded (%d revised), %d unchanged, %d rejected\n",
				job, res.RowsIn, res.Loaded, res.Revised, res.Unchanged, res.Rejected)
			if noExport {
				return nil
			}
			if _, err := s.export(ctx); err != nil {
				return fmt.Errorf("exporting Parquet: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "source", "", "source kind of the files (required)")
	cmd.Flags().StringVar(&job, "job", "", "job name recorded in etl_runs (default load-KIND)")
	cmd.Flags().BoolVar(&noExport, "no-export", false, "skip the Parquet export after the load")
	return cmd
}
