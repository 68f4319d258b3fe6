package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/runner"
)

const defaultGrace = 30 * time.Second

func newScheduleCmd(g *globals) *cobra.Command {
	var configPath, listen string
	var grace time.Duration
	var public bool
	cmd := &cobra.Command{
		Use:   "schedule --config FILE [--listen ADDR [--listen-public]] [--grace DURATION]",
		Short: "Run the configured jobs on their cron schedules until stopped (the unattended refresh)",
		Long: `Run every job of a config file on its cron schedule until SIGINT or SIGTERM.

Each run takes the warehouse writer lock, loads incrementally, rebuilds the marts, refreshes the
Parquet exports and lets go of the warehouse again, so 'tradewh query' and 'tradewh status' work
between runs. Jobs that trigger together queue; a trigger that finds its own job still running is
skipped and recorded as a 'skipped' run. Failed runs are retried with backoff (retries,
retry_backoff), a run missed while the scheduler was down is caught up once at start (catch_up), and
a job that still fails is recorded in job_state and alerted.

After each successful run the alert rules are checked against the latest period of every
reporter/commodity series of dependency_trends; a crossing is sent once per period and value, also
across restarts (what was sent is kept in the alerts_sent table).
Alerts go to alerts.webhook (JSON POST) or alerts.command (JSON on stdin), and are always logged.

/healthz (200, or 503 naming the failing jobs, or the warehouse folder while it cannot be opened for
writing) and /metrics (Prometheus) are served on http.listen or --listen, on loopback only unless --listen-public allows another address (0.0.0.0:9464 for a
Prometheus in Compose or Kubernetes; both endpoints only read and carry no secret).

On shutdown no new run starts, not even one queued behind a running job; running jobs get --grace to
finish before they are cancelled and rolled back, and are recorded as cancelled, not failed.

--config live selects the built-in config of the real services (unless a file of that name exists).`,
		Example: `  tradewh schedule --config jobs.yaml
  tradewh --warehouse /srv/tradewh --log-format json schedule --config live --listen 127.0.0.1:9464
  tradewh --warehouse /data schedule --config live --listen 0.0.0.0:9464 --listen-public`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadJobConfig(configPath)
			if err != nil {
				return err
			}
			if len(cfg.Jobs) == 0 {
				return usagef("config %s has no jobs to schedule", configPath)
			}
			if grace < 0 {
				return usagef("--grace must not be negative, got %s", grace)
			}
			if cmd.Flags().Changed("listen") {
				cfg.HTTP.Listen = listen
			}
			sch, err := runner.NewSchedule(g.env(), cfg, runner.ScheduleOptions{Grace: grace,
				Listen: cfg.HTTP.Listen, ListenPublic: public})
			if err != nil {
				return usageError{err}
			}
			return sch.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (YAML), or 'live' for the built-in config (required)")
	cmd.Flags().StringVar(&listen, "listen", "", "address of /healthz and /metrics, overriding http.listen (\"\" disables; port 0 picks one)")
	cmd.Flags().BoolVar(&public, "listen-public", false, "allow a --listen or http.listen address that is not loopback (e.g. 0.0.0.0:9464)")
	cmd.Flags().DurationVar(&grace, "grace", defaultGrace, "how long running jobs may finish after SIGINT/SIGTERM before they are cancelled")
	return cmd
}

// loadJobConfig is jobs.Open with its mistakes as usage errors: an invalid
// config lists every problem.
func loadJobConfig(path string) (*jobs.Config, error) {
	if path == "" {
		return nil, usagef("--config is required: a job config file, or 'live' for the built-in config of the real services")
	}
	cfg, err := jobs.Open(path)
	var ps etl.FileProblems
	switch {
	case errors.As(err, &ps):
		return nil, usageError{fmt.Errorf("%d problem(s) in the job config:\n%w", len(ps), err)}
	case errors.Is(err, jobs.ErrNoConfig):
		return nil, usageError{err}
	case err != nil:
		return nil, usagef("config: %v", err)
	}
	return cfg, nil
}
