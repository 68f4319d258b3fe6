package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
)

func newValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE|example|live",
		Short: "Check a job config file and report every problem with its line",
		Long: `Check a job config: YAML syntax, job names, source kinds, each source's settings against
its spec, cron expressions, time zones, retries and alert rules. Every problem is reported as
FILE:LINE:COL, not just the first. Exit code 0 when the file is valid, 1 when it is not.
A name that is not a file may be a config shipped with the program: example (offline jobs on
the demo's inputs) or live (the real services).

A job has: name, source (a kind below), schedule (cron: five fields, an optional seconds field,
@daily...; CRON_TZ=Zone allowed), timezone, retries, retry_backoff, catch_up, revision_window
(months re-fetched before the cursor on each run) and config (the source's settings). The periods
from/to of comtrade and census may also be "latest" or relative to today ("-60m", "-5y").
Each source's settings are checked as building the source checks them when a job runs (known
countries, well-formed periods, a sheet's column mapping), so a file validate accepts does not fail
a run on its settings.

The file's own keys:
` + jobs.EnvelopeDoc() + `
Source kinds and their settings:
` + kindsDoc(),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := jobs.Open(args[0])
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
