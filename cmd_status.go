package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newStatusCmd(g *globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show recent runs: job, started, finished, status, rows in, loaded, rejected, error",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			wh, err := g.openReader(ctx)
			if err != nil {
				return err
			}
			defer wh.Close()
			rows, err := wh.DB().QueryContext(ctx, `
				SELECT run_id, job, source, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,
				       strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished, status,
				       rows_in, rows_loaded AS loaded, rows_unchanged AS unchanged, rows_rejected AS rejected,
				       coalesce(error, '') AS error
				FROM etl_runs ORDER BY run_id DESC LIMIT ?`, limit)
			if err != nil {
				return err
			}
			defer rows.Close()
			fmt.Fprintln(g.stdout, "Recent runs (UTC):")
			return printRows(g.stdout, rows, "table")
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "number of runs to show")
	return cmd
}
