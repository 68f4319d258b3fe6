package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse"
)

func newMartsCmd(g *globals) *cobra.Command {
	var all bool
	var sets []string
	cmd := &cobra.Command{
		Use:   "marts [--all] [--set NAME=VALUE]...",
		Short: "Rebuild the marts of periods loaded with --no-marts (--all: of every period)",
		Long: `Rebuild the marts (import_shares, dependency_trends, mirror_flows, event_windows, diversion,
diversion_replacements, supplier_alternatives) of the periods that loads with --no-marts left pending; with --all, of every period in the warehouse. Every load and run
without --no-marts rebuilds pending periods too. Run tradewh export afterwards to refresh the
Parquet exports.

--set changes a setting of the marts (kept in the settings table) and rebuilds what rests on it.
The settings, their defaults and ranges:
` + martSettingsDoc(),
		Example: `  tradewh marts
  tradewh marts --set min_coverage=0.9 --set single_supplier_share=0.5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh marts")
			if err != nil {
				return err
			}
			defer s.Close()
			if len(sets) > 0 {
				if err := s.WH.SetMartSettings(ctx, sets); errors.Is(err, warehouse.ErrBadSetting) {
					return usageError{err}
				} else if err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "set %s\n", strings.Join(sets, ", "))
			}
			pending, err := s.WH.PendingMarts(ctx)
			if err != nil {
				return err
			}
			if pending == 0 && !all && len(sets) == 0 {
				fmt.Fprintln(g.stdout, "no periods wait for their marts")
				return nil
			}
			if err := s.WH.RebuildMarts(ctx, etl.LoadStats{}, all); err != nil {
				return err
			}
			if all {
				fmt.Fprintln(g.stdout, "rebuilt the marts of every period")
			} else if pending == 0 {
				fmt.Fprintln(g.stdout, "rebuilt the marts that rest on the settings")
			} else {
				fmt.Fprintf(g.stdout, "rebuilt the marts of %d pending periods\n", pending)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "rebuild every period, not only the pending ones")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "a setting of the marts as NAME=VALUE (repeatable; listed above)")
	return cmd
}

// martSettingsDoc lists the marts' settings for the help text.
func martSettingsDoc() string {
	var b strings.Builder
	for _, m := range warehouse.MartSettings {
		fmt.Fprintf(&b, "  %s (default %s; %s)\n      %s\n", m.Name, m.Default, m.Range(), m.Doc)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
