package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/runner"
	"github.com/tradewh/tradewh/output/report"
)

func newReportCmd(g *globals) *cobra.Command {
	var o report.Options
	var asOf, output string
	cmd := &cobra.Command{
		Use:   "report [--reporter ISO3] [--commodity GROUP] [--as-of TS] [--output FILE]",
		Short: "Write the dependency report: one self-contained HTML file with charts and their numbers",
		Long: `Write the dependency report of a reporter's imports, one section per commodity group: the
concern country's share over time (annual, monthly with its trailing 12 months) with export-control
measures at their effective dates, the HHI and its band, the top partners' shares, USGS net import
reliance, each measure's event window, alternative suppliers, diversion candidates and the
provenance of every figure. Sections whose tables the warehouse lacks say so.

The page is one HTML file with inline CSS and inline SVG charts: it opens offline in any browser,
needs no script, prints cleanly and is small enough to e-mail. The warehouse is opened read-only.
--as-of builds the report as the warehouse knew it at a past time: the marts are recomputed in
memory from trade_flows_as_of and mineral_statistics_as_of. Without --output it is written beside
the current report, as as-of-YYYY-MM-DDTHHMMSSZ.html, which it never replaces; a time before the
warehouse's first figures is refused, naming when they were loaded.`,
		Example: `  tradewh report
  tradewh report --commodity gallium_germanium --output ga-ge.html
  tradewh report --as-of "2024-06-30 00:00:00" --output 2024-06-30.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Reporter = strings.ToUpper(o.Reporter)
			if !etl.KnownISO3(o.Reporter) {
				return usagef("--reporter: unknown ISO 3166 alpha-3 country code %q", o.Reporter)
			}
			if o.Commodity != "" && !slices.Contains(etl.GroupSlugs(), o.Commodity) {
				return usagef("--commodity: unknown commodity group %q (known: %s)", o.Commodity, strings.Join(etl.GroupSlugs(), ", "))
			}
			if asOf != "" {
				ts, err := parseAsOf(asOf)
				if err != nil {
					return usagef("--as-of: %v", err)
				}
				o.AsOf = ts
			}
			if output == "" {
				output = report.DefaultPath(g.warehouse)
				if asOf != "" {
					// A past state is a page of its own: the current report stays.
					output = filepath.Join(filepath.Dir(output), "as-of-"+o.AsOf.Format("2006-01-02T150405Z")+".html")
				}
			}
			ctx := cmd.Context()
			wh, err := g.openReader(ctx, runner.ReadOptions{})
			if err != nil {
				return err
			}
			defer wh.Close()
			if asOf != "" {
				if err := checkAsOf(ctx, wh.DB(), o.AsOf); err != nil {
					return err
				}
			}
			start := time.Now()
			n, err := report.Write(ctx, wh.DB(), o, output)
			if err != nil {
				return err
			}
			g.logger.Info("report written", "path", output, "bytes", n, "took", time.Since(start).Round(time.Millisecond))
			fmt.Fprintf(g.stdout, "Report (%d KB), open it in a browser:\n  %s\n", (n+1023)/1024, absPath(output))
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Reporter, "reporter", "USA", "reporting (importing) country, ISO3")
	cmd.Flags().StringVar(&o.Commodity, "commodity", "", "commodity group slug (default: every group the reporter has)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "build the report as known at this time (RFC 3339, 'YYYY-MM-DD HH:MM:SS' UTC or a date)")
	cmd.Flags().StringVar(&output, "output", "", "file to write (default <warehouse>/report/index.html, with --as-of\n"+
		"<warehouse>/report/as-of-YYYY-MM-DDTHHMMSSZ.html)")
	return cmd
}

// buildReport rebuilds the report a run's config asks for and prints where
// it is.
func (g *globals) buildReport(ctx context.Context, s *runner.Session, rc *jobs.ReportConfig) error {
	out, n, err := s.Report(ctx, rc)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "\nReport (%d KB), open it in a browser:\n  %s\n", (n+1023)/1024, absPath(out))
	return nil
}

// checkAsOf refuses a time before the warehouse's first figures: the page
// would be empty.
func checkAsOf(ctx context.Context, db *sql.DB, ts time.Time) error {
	var first sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT min(v) FROM (
		SELECT min(valid_from) AS v FROM trade_flows_history
		UNION ALL SELECT min(valid_from) FROM mineral_statistics_history)`).Scan(&first); err != nil {
		return err
	}
	at := ts.Format(zonedLayout)
	switch {
	case !first.Valid:
		return usagef("--as-of %s: the warehouse holds no figures yet", at)
	case ts.Before(first.Time):
		from := first.Time.UTC()
		if !from.Equal(from.Truncate(time.Second)) {
			from = from.Truncate(time.Second).Add(time.Second)
		}
		return usagef("--as-of %s: the warehouse knew nothing then; its first figures were loaded at %s (give --as-of %q or later)",
			at, first.Time.UTC().Format("2006-01-02 15:04:05.999999 MST"), from.Format(timeLayout))
	}
	return nil
}

// parseAsOf reads a timestamp as RFC 3339, or as UTC date and time.
func parseAsOf(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (use RFC 3339, 'YYYY-MM-DD HH:MM:SS' in UTC, or YYYY-MM-DD)", s)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
