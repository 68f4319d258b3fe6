package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/output/warehouse"
)

func newValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a job config file and report every problem with its line",
		Long: `Check a job config: YAML syntax, job names, source kinds, each source's settings against
its spec, cron expressions, time zones, retries and alert rules. Every problem is reported as
FILE:LINE:COL, not just the first. Exit code 0 when the file is valid, 1 when it is not.

A job has: name, source (a kind below), schedule (cron: five fields, an optional seconds field,
@daily...; CRON_TZ=Zone allowed), timezone, retries, retry_backoff, catch_up, revision_window
(months re-fetched before the cursor on each run) and config (the source's settings). The periods
from/to of comtrade and census may also be "latest" or relative to today ("-60m", "-5y").

Source kinds and their settings:
` + kindsDoc(),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := jobs.Load(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: ok, %d jobs\n", args[0], len(cfg.Jobs))
			return nil
		},
	}
}

// kindsDoc documents every source kind's settings from its spec.
func kindsDoc() string {
	var b strings.Builder
	for _, k := range etl.Kinds() {
		fmt.Fprintf(&b, "\n%s: %s\n%s", k.Name, k.Summary, k.Spec.Doc())
	}
	return b.String()
}

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
			if wh, err := g.openReader(ctx); err == nil {
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

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02 15:04:05 MST")
}

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
			if _, hasFrom := j.Raw["from"]; !hasFrom {
				if k, ok := etl.LookupKind(j.Source); !ok || !specHas(k.Spec, "from") {
					return usagef("job %s (source %s) has no periods to backfill: use 'tradewh run %s'", j.Name, j.Source, j.Name)
				}
			}
			chunks, err := yearChunks(from, to)
			if err != nil {
				return usageError{err}
			}
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh backfill "+j.Name)
			if err != nil {
				return err
			}
			defer s.Close()
			return g.backfill(ctx, s, cfg, j, from+"-"+to, chunks, restart)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (YAML)")
	cmd.Flags().StringVar(&from, "from", "", "first period, YYYY or YYYYMM")
	cmd.Flags().StringVar(&to, "to", "", "last period, YYYY or YYYYMM")
	cmd.Flags().BoolVar(&restart, "restart", false, "forget the progress of this range and load it all again")
	return cmd
}

func specHas(s etl.Spec, name string) bool {
	for _, f := range s {
		if f.Name == name {
			return true
		}
	}
	return false
}

// chunk is one transaction of a backfill: a calendar year, or its part
// inside the range.
type chunk struct{ from, to string }

func (c chunk) String() string { return c.from + "-" + c.to }

// yearChunks splits FROM..TO into calendar years, in the periods' own format.
func yearChunks(from, to string) ([]chunk, error) {
	ff, fs, err := etl.PeriodStart(from)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	tf, ts, err := etl.PeriodStart(to)
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	if ff != tf {
		return nil, fmt.Errorf("--from %s and --to %s must both be years or both months", from, to)
	}
	if ts.Before(fs) {
		return nil, fmt.Errorf("--to %s is before --from %s", to, from)
	}
	var out []chunk
	for y := fs.Year(); y <= ts.Year(); y++ {
		if ff == "A" {
			out = append(out, chunk{fmt.Sprint(y), fmt.Sprint(y)})
			continue
		}
		a, b := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 1, 0, 0, 0, 0, time.UTC)
		if y == fs.Year() {
			a = fs
		}
		if y == ts.Year() {
			b = ts
		}
		out = append(out, chunk{a.Format("200601"), b.Format("200601")})
	}
	return out, nil
}

func (g *globals) backfill(ctx context.Context, s *session, cfg *jobs.Config, j jobs.Job, rangeKey string, chunks []chunk, restart bool) error {
	if restart {
		if err := s.wh.ResetBackfill(ctx, j.Name, rangeKey); err != nil {
			return err
		}
	}
	done, err := s.wh.BackfillChunksDone(ctx, j.Name, rangeKey)
	if err != nil {
		return err
	}
	if cfg.Concern != "" {
		if err := s.wh.SetConcern(ctx, cfg.Concern); err != nil {
			return err
		}
	}
	prog := g.progress(fmt.Sprintf("backfill %s %s", j.Name, rangeKey), int64(len(chunks)))
	defer prog.Done()
	var total etl.LoadStats
	skipped := 0
	for _, c := range chunks {
		if done[c.String()] {
			skipped++
			prog.Add(1)
			continue
		}
		spec := jobSpec(j)
		spec.Incremental = false
		spec.Config = withRange(j.Raw, c.from, c.to)
		res, err := s.pipeline().Run(ctx, spec)
		total = total.Add(res.LoadStats)
		if err != nil {
			return fmt.Errorf("backfill %s stopped at %s (done chunks are kept; run the same command again to resume): %w", j.Name, c, err)
		}
		if err := s.wh.MarkBackfillChunk(ctx, j.Name, rangeKey, c.String(), res.RunID); err != nil {
			return err
		}
		prog.Add(1)
	}
	if _, err := s.export(ctx); err != nil {
		return fmt.Errorf("exporting Parquet: %w", err)
	}
	fmt.Fprintf(g.stdout, "backfill %s %s: %d chunks loaded, %d already done; %d rows in, %d loaded (%d revised), %d unchanged, %d rejected\n",
		j.Name, rangeKey, len(chunks)-skipped, skipped, total.RowsIn, total.Loaded, total.Revised, total.Unchanged, total.Rejected)
	return nil
}

// withRange copies a job's raw config with from/to replaced.
func withRange(raw map[string]any, from, to string) map[string]any {
	out := make(map[string]any, len(raw)+2)
	for k, v := range raw {
		out[k] = v
	}
	out["from"], out["to"] = from, to
	return out
}
