package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/runner"
	"github.com/tradewh/tradewh/output/warehouse"
)

func newJobsCmd(g *globals) *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "jobs [--config FILE]",
		Short: "List configured jobs with their source, schedule, next run and cursor",
		Long: `List the jobs of a config file (default: the built-in offline demo jobs) with their source
kind, schedule, time zone, next scheduled time and cursor (the latest period loaded, from the
warehouse when it exists).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			var cfg *jobs.Config
			if configPath == "" {
				cfg = &jobs.Config{}
				for _, name := range []string{"demo-comtrade", "demo-usgs"} {
					kind := map[string]string{"demo-comtrade": "comtrade-json", "demo-usgs": "usgs-mcs"}[name]
					cfg.Jobs = append(cfg.Jobs, jobs.Job{Name: name, Source: kind})
				}
			} else {
				var err error
				if cfg, err = loadJobConfig(configPath); err != nil {
					return err
				}
			}
			states := map[string]warehouse.JobState{}
			if wh, err := g.openReader(ctx, runner.ReadOptions{}); err == nil {
				for _, j := range cfg.Jobs {
					if s, err := wh.JobState(ctx, j.Name); err == nil {
						states[j.Name] = s
					}
				}
				wh.Close()
			}
			next := jobs.NextRuns(cfg, time.Now())
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "JOB\tSOURCE\tSCHEDULE\tTIME ZONE\tNEXT RUN\tCURSOR\tLAST SUCCESS")
			for _, j := range cfg.Jobs {
				st := states[j.Name]
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.Name, j.Source, dash(j.Schedule), dash(j.Timezone),
					when(next[j.Name]), dash(st.Cursor), when(st.LastSuccess))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (YAML); default: the demo jobs")
	return cmd
}
