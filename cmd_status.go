package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/output/sqlout"
	"github.com/tradewh/tradewh/output/warehouse"
)

func newStatusCmd(g *globals) *cobra.Command {
	var limit int
	var configPath string
	cmd := &cobra.Command{
		Use:   "status [--config FILE]",
		Short: "Show recent runs: job, started, finished, status, rows in, loaded, rejected, error",
		Long: `Show the recent runs of the warehouse. With --config (a job config file, or 'live'), first
show each scheduled job's next run and its last success and last failure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			var cfg *jobs.Config
			if configPath != "" {
				var err error
				if cfg, err = loadJobConfig(configPath); err != nil {
					return err
				}
			}
			wh, err := g.openReader(ctx)
			if err != nil {
				return err
			}
			defer wh.Close()
			if cfg != nil {
				if err := printSchedule(ctx, g, wh, cfg); err != nil {
					return err
				}
			}
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
			return sqlout.Write(g.stdout, rows, sqlout.Table)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "number of runs to show")
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (or 'live'): also show each job's next run and last success/failure")
	return cmd
}

// printSchedule shows each job's next run (in its schedule's zone) and the
// last outcomes recorded in job_state.
func printSchedule(ctx context.Context, g *globals, wh *warehouse.Warehouse, cfg *jobs.Config) error {
	next := jobs.NextRuns(cfg, time.Now())
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format("2006-01-02 15:04:05 MST")
	}
	fmt.Fprintln(g.stdout, "Scheduled jobs:")
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "job\tschedule\tnext_run\tlast_success\tlast_failure\tlast_error")
	for _, j := range cfg.Jobs {
		st, err := wh.JobState(ctx, j.Name)
		if err != nil {
			return err
		}
		lastErr := "-"
		if !st.LastFailure.IsZero() {
			lastErr = strings.Join(strings.Fields(st.LastError), " ")
			if r := []rune(lastErr); len(r) > 100 {
				lastErr = string(r[:99]) + "…"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", j.Name, j.Schedule, stamp(next[j.Name]),
			stamp(st.LastSuccess), stamp(st.LastFailure), lastErr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout)
	return nil
}
