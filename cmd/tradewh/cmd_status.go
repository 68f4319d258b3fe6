package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/runner"
	"github.com/tradewh/tradewh/jobs/runstatus"
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
show each scheduled job's next run and its last success and last failure.

While a load or run holds the warehouse (DuckDB lets no reader in meanwhile), status answers from
the status file the writer keeps beside the database (<warehouse>/status.json): who holds the
warehouse and since when, the running job with the rows it has read so far, and the last runs.`,
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
			wh, err := g.openReader(ctx, runner.ReadOptions{Wait: statusWait})
			if errors.Is(err, etl.ErrLocked) {
				// A writer has the database: answer from its status file.
				return g.printBusyStatus(limit)
			}
			if err != nil {
				return err
			}
			defer wh.Close()
			if cfg != nil {
				if err := printSchedule(ctx, g, wh, cfg); err != nil {
					return err
				}
			}
			rows, err := wh.RecentRuns(ctx, limit)
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", j.Name, j.Schedule, when(next[j.Name]),
			when(st.LastSuccess), when(st.LastFailure), lastErr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout)
	return nil
}

// statusWait is how long status tries the database before it answers from
// the status file.
const statusWait = 2 * time.Second

// printBusyStatus answers status from the status file while a writer holds
// the database.
func (g *globals) printBusyStatus(limit int) error {
	w := g.stdout
	fmt.Fprintf(w, "The warehouse is in use by a writer: %s.\n", g.holderText())
	st, err := runstatus.Read(g.warehouse)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(w, "It keeps no status file yet; try again when it has finished.")
			return nil
		}
		return err
	}
	fmt.Fprintf(w, "From its status file %s (the database itself cannot be read until it finishes):\n\n",
		filepath.Join(g.warehouse, runstatus.FileName))
	stamp := func(t time.Time) string { return t.UTC().Format(timeLayout) }
	if r := st.Running; r != nil {
		fmt.Fprintf(w, "Running: job %s (%s), run %d, pid %d, started %s UTC, %d rows read so far (as of %s UTC)\n\n",
			r.Job, r.Source, r.RunID, r.PID, stamp(r.Started), r.Rows, stamp(r.Updated))
	} else {
		fmt.Fprint(w, "Running: no job (the writer is between jobs: marts, export or starting)\n\n")
	}
	fmt.Fprintln(w, "Recent runs (UTC):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "run_id\tjob\tsource\tstarted\tfinished\tstatus\trows_in\tloaded\trejected\terror")
	for i, r := range st.Recent {
		if i == limit {
			break
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", r.RunID, r.Job, r.Source, stamp(r.Started),
			stamp(r.Finished), r.Outcome, r.RowsIn, r.Loaded, r.Rejected, r.Error)
	}
	return tw.Flush()
}

// holderText says who holds the warehouse and since when, as far as the
// lock file and the status file tell.
func (g *globals) holderText() string {
	h, ok := jobs.ReadHolder(g.warehouse)
	text := "another process"
	if ok {
		text = h.String()
	}
	if st, err := runstatus.Read(g.warehouse); err == nil && st.Running != nil {
		r := st.Running
		text += fmt.Sprintf(", running job %s (%d rows read so far at %s UTC)", r.Job, r.Rows, r.Updated.UTC().Format("15:04:05"))
	}
	return text
}
