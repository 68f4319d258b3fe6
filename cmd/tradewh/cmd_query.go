package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs/runner"
	"github.com/tradewh/tradewh/output/sqlout"
	"github.com/tradewh/tradewh/output/warehouse"
)

func newQueryCmd(g *globals) *cobra.Command {
	var format, output string
	var force bool
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "query [--format table|csv|json|jsonl] [--output FILE [--force]] SQL",
		Short: "Run SQL against the warehouse (read-only)",
		Long: `Run SQL against the warehouse, opened read-only, and print each result. SQL may be a
script of several statements separated by semicolons, or - to read it from standard input: every
statement is checked before the first runs, and each result is printed in turn. Rows are streamed,
not held, and numbers are printed exactly: the shortest text that reads back as the same value, no
exponent for ordinary magnitudes, decimals and HUGEINTs digit for digit.

A query reads the warehouse's tables and views and nothing else: DuckDB's external access is off
and its configuration locked, so statements that touch files fail with "file system operations
are disabled by configuration" (COPY … TO and COPY … FROM, EXPORT DATABASE, ATTACH, read_csv,
read_parquet, read_json, read_text, glob and the like, INSTALL and LOAD), and SET and RESET of
DuckDB's settings fail with "the configuration has been locked". The database is read-only too,
so CREATE, INSERT, UPDATE and DELETE fail. DuckDB spills a large query to a private temporary
folder, removed when query ends. The Parquet exports are for DuckDB itself and BI tools (README,
"Parquet for BI tools").

--output FILE writes the results to FILE instead, whole or not at all (a failed query leaves no
file and an existing one untouched); its format follows the extension (.csv, .jsonl or .ndjson,
.json, .parquet, .txt for a table) unless --format says otherwise. Parquet holds one statement's
result. FILE may not be inside the warehouse folder, and an existing FILE is replaced only with
--force.

While a load or run writes the warehouse, DuckDB lets no reader in: query then says who holds it
and since when, and how to read the Parquet exports meanwhile; --wait waits for the writer instead.

Tables: trade_flows, mineral_statistics (current values), trade_flows_history,
mineral_statistics_history (every version), trade_flows_as_of(ts) and mineral_statistics_as_of(ts)
(what was known at ts), mineral_statistics_latest, import_shares, dependency_trends, mirror_flows,
event_windows, diversion, diversion_replacements, supplier_alternatives, trade_measures,
trade_measure_codes, trade_measures_history, rejected_rows, etl_runs, countries, commodity_groups,
commodity_codes, settings.`,
		Example: `  tradewh query "SELECT * FROM dependency_trends WHERE commodity = 'rare_earths' AND hs_code IS NULL"
  tradewh query --format csv "SELECT * FROM import_shares" > shares.csv
  tradewh query --output shares.parquet "SELECT * FROM import_shares WHERE freq = 'A'"
  tradewh query "SELECT count(*) FROM trade_flows; SELECT count(*) FROM rejected_rows"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "" {
				if err := g.checkOutput(output, force); err != nil {
					return err
				}
			}
			if !cmd.Flags().Changed("format") && output != "" {
				if format = sqlout.FormatOf(output); format == "" {
					return usagef("--output %s: name a .csv, .jsonl, .json, .parquet or .txt file, or give --format", output)
				}
			}
			switch {
			case format == sqlout.Parquet && output == "":
				return usagef("--format parquet writes a file: give --output FILE")
			case format != sqlout.Parquet && !slices.Contains(sqlout.Formats, format):
				return usagef("--format must be %s or parquet, got %q", strings.Join(sqlout.Formats, ", "), format)
			}
			script := args[0]
			if script == "-" {
				b, err := io.ReadAll(os.Stdin)
				if err != nil {
					return err
				}
				script = string(b)
			}
			stmts := sqlout.Split(script)
			if len(stmts) == 0 {
				return usagef("no SQL statement given")
			}
			ctx := cmd.Context()
			within := queryWait
			if cmd.Flags().Changed("wait") {
				within = wait
				if within <= 0 { // --wait=0 waits as long as warehouse.Open does by default
					within = warehouse.DefaultOpenTimeout
				}
			}
			wh, err := g.openReader(ctx, runner.ReadOptions{Wait: within, Sealed: true})
			if errors.Is(err, etl.ErrLocked) && !cmd.Flags().Changed("wait") {
				var flags []string
				if cmd.Flags().Changed("format") {
					flags = append(flags, "--format", format)
				}
				if output != "" {
					flags = append(flags, "--output", output)
				}
				if force {
					flags = append(flags, "--force")
				}
				return g.busyError(args[0], flags)
			}
			if err != nil {
				return err
			}
			defer wh.Close()
			if output != "" {
				return sqlout.RunToFile(ctx, wh.DB(), stmts, output, format, wh.TempDir())
			}
			return sqlout.Run(ctx, wh.DB(), stmts, g.stdout, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv, json, jsonl (JSON lines), or parquet with --output")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the results to FILE (format from its extension unless --format is given)")
	cmd.Flags().BoolVar(&force, "force", false, "let --output replace a file that exists")
	cmd.Flags().DurationVar(&wait, "wait", 0, "while a writer holds the warehouse, wait for it: --wait alone waits until it is free,\n"+
		"--wait=10m at most that long (without --wait, query says who holds it and stops)")
	cmd.Flags().Lookup("wait").NoOptDefVal = foreverText
	return cmd
}

// checkOutput refuses an --output inside the warehouse folder, where a
// result could replace the database or an export, and without force one
// that exists.
func (g *globals) checkOutput(output string, force bool) error {
	dir, err := realPath(g.warehouse)
	if err != nil {
		return err
	}
	path, err := realPath(output)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(dir, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return usagef("--output %s is inside the warehouse folder %s: write the results elsewhere", output, g.warehouse)
	}
	switch fi, err := os.Stat(output); {
	case err != nil:
	case fi.IsDir():
		return usagef("--output %s is a folder: name a file", output)
	case !force:
		return usagef("--output %s exists: give --force to replace it", output)
	}
	return nil
}

// realPath is p made absolute with the symbolic links of its longest
// existing prefix resolved.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for cur := abs; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if filepath.Dir(cur) == cur {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
	}
}

// queryWait is how long query tries a warehouse a writer holds before it
// says so (--wait waits longer).
const queryWait = 2 * time.Second

// foreverText is --wait without a value: wait as long as it takes (a year).
const foreverText = "8760h"

// busyError explains that a writer holds the warehouse, and what to do.
func (g *globals) busyError(sqlText string, flags []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the warehouse %s is in use by a writer: %s.\n", g.warehouse, g.holderText())
	b.WriteString("DuckDB lets no reader in until it has finished. Meanwhile the Parquet exports hold the last\n" +
		"published state of every table; read them with DuckDB, for example:\n")
	glob := filepath.Join(g.warehouse, "parquet", "import_shares") + "/**/*.parquet"
	fmt.Fprintf(&b, "  duckdb -c %s\n", shellQuote(fmt.Sprintf("SELECT * FROM read_parquet('%s', hive_partitioning = true) LIMIT 10", glob)))
	args := append(append([]string{"query", "--wait"}, flags...), sqlText)
	fmt.Fprintf(&b, "or wait for the writer to finish:\n  %s", g.commandLine(args...))
	return errors.New(b.String())
}
