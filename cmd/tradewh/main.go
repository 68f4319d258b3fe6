// Command tradewh builds and refreshes a warehouse of critical-mineral trade:
// extractors normalise trade statistics into one canonical Arrow schema,
// loads merge them into an embedded DuckDB with revision history, marts
// answer who a country imports from and how concentrated that is, and
// Parquet exports feed BI tools. This file only wires the parts together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/internal/arrowmem"
	"github.com/tradewh/tradewh/internal/buildinfo"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/scheduler"
	"github.com/tradewh/tradewh/output/parquet"

	// Every source kind registers itself by name.
	_ "github.com/tradewh/tradewh/sources/all"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks a mistake in how the command was called.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

type globals struct {
	warehouse string
	logFormat string
	logLevel  string
	logger    *slog.Logger
	replay    bool               // run --replay: sources read the landing zone only
	rawDir    string             // run --raw: another landing zone
	report    *jobs.ReportConfig // run: the report to rebuild after the jobs, nil for none
	stdout    io.Writer
	stderr    io.Writer
	clock     scheduler.Clock // nil: the wall clock; tests drive the scheduler with their own

	parquetGrace time.Duration // --parquet-grace: how long a replaced Parquet export stays readable
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	arrowmem.LimitGoMemory()
	code := execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// execute runs the CLI and returns the process exit code.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return executeWith(ctx, &globals{stdout: stdout, stderr: stderr}, args)
}

// executeWith runs the CLI with g's writers (and clock, for tests).
func executeWith(ctx context.Context, g *globals, args []string) int {
	stdout, stderr := g.stdout, g.stderr
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "error:", err)
	var ue usageError
	// cobra reports an unknown command as a plain error.
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") {
		fmt.Fprintln(stderr, "run 'tradewh --help' or 'tradewh COMMAND --help' for usage")
		return exitUsage
	}
	return exitFailure
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "tradewh",
		Short: "A warehouse of critical-mineral trade: who do we import from, what share, how concentrated",
		Long: `tradewh extracts trade statistics (UN Comtrade, US Census, CEPII BACI, USGS Mineral
Commodity Summaries, analyst spreadsheets), normalises them into one canonical schema and loads an
embedded DuckDB warehouse with revision history, marts of import shares and dependency trends, and
Parquet exports for BI tools.

The warehouse folder (--warehouse, default ./warehouse) holds warehouse.duckdb, parquet/ and raw/.
Run 'tradewh run' with no arguments to build the offline demo warehouse.

Exit codes: 0 ok, 1 failure, 2 usage error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return g.setupLogging()
		},
	}
	root.PersistentFlags().StringVar(&g.warehouse, "warehouse", "./warehouse", "warehouse folder (holds warehouse.duckdb, parquet/, raw/)")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "text", "log format: text or json")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	root.PersistentFlags().DurationVar(&g.parquetGrace, "parquet-grace", parquet.DefaultGrace,
		"keep a replaced Parquet export this long for readers that listed its files before the swap\n(the newest replaced version of each table is kept regardless)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newRunCmd(g), newLoadCmd(g), newQueryCmd(g), newMartsCmd(g), newExportCmd(g), newStatusCmd(g),
		newJobsCmd(g), newValidateCmd(g), newBackfillCmd(g))
	root.AddCommand(newImpactCmd(g))
	root.AddCommand(newReportCmd(g))
	root.AddCommand(newScheduleCmd(g), newHealthcheckCmd(g))
	root.Version = buildinfo.Get().String()
	root.SetVersionTemplate("tradewh {{.Version}}\n")
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return root
}

// wrapArgs turns cobra's argument-count errors into usage errors.
func wrapArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	if v == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func (g *globals) setupLogging() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return usagef("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch g.logFormat {
	case "text":
		g.logger = slog.New(slog.NewTextHandler(g.stderr, opts))
	case "json":
		g.logger = slog.New(slog.NewJSONHandler(g.stderr, opts))
	default:
		return usagef("--log-format must be text or json, got %q", g.logFormat)
	}
	slog.SetDefault(g.logger)
	return nil
}
