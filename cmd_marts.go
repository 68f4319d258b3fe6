package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
)

func newMartsCmd(g *globals) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "marts",
		Short: "Rebuild the marts of periods loaded with --no-marts (--all: of every period)",
		Long: `Rebuild the marts (import_shares, dependency_trends, mirror_flows, event_windows, diversion,
diversion_replacements, supplier_alternatives) of the periods that loads with --no-marts left pending; with --all, of every period in the warehouse. Every load and run
without --no-marts rebuilds pending periods too. Run tradewh export afterwards to refresh the
Parquet exports.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh marts")
			if err != nil {
				return err
			}
			defer s.Close()
			pending, err := s.WH.PendingMarts(ctx)
			if err != nil {
				return err
			}
			if pending == 0 && !all {
				fmt.Fprintln(g.stdout, "no periods wait for their marts")
				return nil
			}
			if err := s.WH.RebuildMarts(ctx, etl.LoadStats{}, all); err != nil {
				return err
			}
			if all {
				fmt.Fprintln(g.stdout, "rebuilt the marts of every period")
			} else {
				fmt.Fprintf(g.stdout, "rebuilt the marts of %d pending periods\n", pending)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "rebuild every period, not only the pending ones")
	return cmd
}
