package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/jobs/runner"
)

func newBackfillCmd(g *globals) *cobra.Command {
	var configPath, from, to string
	var restart bool
	cmd := &cobra.Command{
		Use:   "backfill JOB --config FILE --from PERIOD --to PERIOD",
		Short: "Load a range of periods for one job, a year per transaction, resumable",
		Long: `Load the periods FROM..TO (YYYY, or YYYYMM for monthly jobs) of one configured job whose
source has periods (comtrade, census). The range is loaded one calendar year per transaction; each
year done is recorded, so an interrupted backfill (Ctrl-C, a failure) resumes where it stopped when
run again with the same range. Loading is idempotent, so --restart (start over) is always safe.`,
		Example: `  tradewh backfill comtrade-annual --config jobs.yaml --from 2000 --to 2024`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if configPath == "" || from == "" || to == "" {
				return usagef("backfill needs --config, --from and --to")
			}
			cfg, err := loadJobConfig(configPath)
			if err != nil {
				return err
			}
			j, ok := cfg.Job(args[0])
			if !ok {
				return usagef("no job named %q in %s", args[0], configPath)
			}
			if !runner.HasPeriods(j) {
				return usagef("job %s (source %s) has no periods to backfill: use 'tradewh run %s'", j.Name, j.Source, j.Name)
			}
			chunks, err := runner.YearChunks(from, to)
			if err != nil {
				return usageError{err}
			}
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh backfill "+j.Name)
			if err != nil {
				return err
			}
			defer s.Close()
			rangeKey := from + "-" + to
			res, err := s.Backfill(ctx, runner.Backfill{Config: cfg, Job: j, RangeKey: rangeKey, Chunks: chunks, Restart: restart})
			if err != nil {
				return err
			}
			st := res.Stats
			fmt.Fprintf(g.stdout, "backfill %s %s: %d chunks loaded, %d already done; %d rows in, %d loaded (%d revised), %d unchanged, %d rejected\n",
				j.Name, rangeKey, res.Loaded, res.Skipped, st.RowsIn, st.Loaded, st.Revised, st.Unchanged, st.Rejected)
			return nil
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (YAML)")
	cmd.Flags().StringVar(&from, "from", "", "first period, YYYY or YYYYMM")
	cmd.Flags().StringVar(&to, "to", "", "last period, YYYY or YYYYMM")
	cmd.Flags().BoolVar(&restart, "restart", false, "forget the progress of this range and load it all again")
	return cmd
}
