package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/output/warehouse"
)

func (g *globals) openReader(ctx context.Context) (*warehouse.Warehouse, error) {
	return warehouse.Open(ctx, warehouse.Options{Dir: g.warehouse, ReadOnly: true, Logger: g.logger, OpenTimeout: 10 * time.Second})
}

func newQueryCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "query [--format table|csv|json] SQL",
		Short: "Run SQL against the warehouse (read-only)",
		Long: `Run one SQL statement against the warehouse, opened read-only, and print the result.

Tables: trade_flows, mineral_statistics (current values), trade_flows_history,
mineral_statistics_history (every version), trade_flows_as_of(ts) and mineral_statistics_as_of(ts)
(what was known at ts), mineral_statistics_latest, import_shares, dependency_trends, mirror_flows,
event_windows, diversion, diversion_replacements, supplier_alternatives, trade_measures,
trade_measure_codes, trade_measures_history, rejected_rows, etl_runs, countries, commodity_groups,
commodity_codes, settings.`,
		Example: `  tradewh query "SELECT * FROM dependency_trends WHERE commodity = 'rare_earths' AND hs_code IS NULL"
  tradewh query --format csv "SELECT * FROM import_shares" > shares.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return usagef("--format must be table, csv or json, got %q", format)
			}
			ctx := cmd.Context()
			wh, err := g.openReader(ctx)
			if err != nil {
				return err
			}
			defer wh.Close()
			rows, err := wh.DB().QueryContext(ctx, args[0])
			if err != nil {
				return err
			}
			defer rows.Close()
			return printRows(g.stdout, rows, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}

// printRows writes a result set in the chosen format.
func printRows(w io.Writer, rows *sql.Rows, format string) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var records [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		records = append(records, vals)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch format {
	case "json":
		// Objects keep the columns in the query's order.
		out := make([]json.RawMessage, len(records))
		for i, r := range records {
			var b strings.Builder
			b.WriteByte('{')
			for j, c := range cols {
				k, _ := json.Marshal(c)
				v, err := json.Marshal(jsonValue(r[j]))
				if err != nil {
					return err
				}
				if j > 0 {
					b.WriteByte(',')
				}
				b.Write(k)
				b.WriteByte(':')
				b.Write(v)
			}
			b.WriteByte('}')
			out[i] = json.RawMessage(b.String())
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(cols); err != nil {
			return err
		}
		for _, r := range records {
			line := make([]string, len(r))
			for j, v := range r {
				line[j] = text(v)
			}
			if err := cw.Write(line); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
		for _, r := range records {
			line := make([]string, len(r))
			for j, v := range r {
				line[j] = text(v)
				if v == nil {
					line[j] = "NULL"
				}
			}
			fmt.Fprintln(tw, strings.Join(line, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "(%d rows)\n", len(records))
		return nil
	}
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case float64:
		return fmt.Sprintf("%.10g", x)
	case duckdb.Decimal:
		return x.String()
	}
	return fmt.Sprint(v)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return text(x)
	case []byte:
		return string(x)
	case duckdb.Decimal:
		return x.Float64()
	}
	return v
}
