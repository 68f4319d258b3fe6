package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/jobs/runner"
)

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
			ms, err := s.Export(ctx)
			if err != nil {
				return err
			}
			for _, m := range ms {
				fmt.Fprintf(g.stdout, "%-22s %8d rows -> %s\n", m.Table, m.Rows, filepath.Join(runner.ExportDir(g.warehouse), m.Table))
			}
			return nil
		},
	}
}
