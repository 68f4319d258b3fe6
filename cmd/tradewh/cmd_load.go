package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/etl"
)

// fileKinds are the source kinds that can load local files with no other
// settings (a spreadsheet needs its column mapping from a job config).
func fileKinds() []etl.Kind {
	var out []etl.Kind
	for _, k := range etl.Kinds() {
		if k.FileArgs != "" && onlyFilesRequired(k) {
			out = append(out, k)
		}
	}
	return out
}

func onlyFilesRequired(k etl.Kind) bool {
	for _, f := range k.Spec {
		if f.Required && f.Name != k.FileArgs {
			return false
		}
	}
	return true
}

func newLoadCmd(g *globals) *cobra.Command {
	var kind, job string
	var noExport, noMarts bool
	var sets []string
	var b strings.Builder
	b.WriteString(`Load local files ad hoc, as a job of their own: validate, merge into the fact tables
(idempotent: loading the same files again changes nothing; a changed value is kept as a revision),
rebuild the marts and refresh the Parquet exports. Rows that fail validation go to rejected_rows
with file, row, column and reason.

Source kinds (--source):
`)
	for _, k := range fileKinds() {
		fmt.Fprintf(&b, "  %-16s %s\n", k.Name, k.Summary)
	}
	cmd := &cobra.Command{
		Use:   "load --source KIND FILE...",
		Short: "Load local files (Comtrade CSV/JSON, USGS MCS CSV/XLSX, ...) into the warehouse",
		Long:  b.String(),
		Example: `  tradewh load --source comtrade-csv records.csv
  tradewh load --source baci --set 'hs_codes=*' BACI_HS17_Y2022_V202401.csv
  tradewh load --source comtrade-json response.json
  tradewh load --source usgs-mcs mcs2024-raree_salient.csv mcs2024-galli_salient.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if kind == "" {
				return usagef("--source KIND is required")
			}
			k, ok := etl.LookupKind(kind)
			if !ok || k.FileArgs == "" {
				var names []string
				for _, k := range fileKinds() {
					names = append(names, k.Name)
				}
				return usagef("--source must be one of %s, got %q", strings.Join(names, ", "), kind)
			}
			if job == "" {
				job = "load-" + k.Name
			}
			cfg, err := loadSettings(k, sets, files)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := g.openWriter(ctx, "tradewh load")
			if err != nil {
				return err
			}
			defer s.Close()
			p := s.Pipeline()
			p.DeferMarts = noMarts
			res, err := p.Run(ctx, etl.JobSpec{Name: job, Kind: k.Name, Config: cfg})
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: %d rows in, %d loaded (%d revised), %d unchanged, %d rejected\n",
				job, res.RowsIn, res.Loaded, res.Revised, res.Unchanged, res.Rejected)
			if res.MartsSkipped {
				fmt.Fprintln(g.stdout, "Nothing changed: the marts are current, not rebuilt.")
			}
			if res.Rejected > 0 {
				fmt.Fprintf(g.stdout, "Rejected rows are in the rejected_rows table:\n  %s\n", g.commandLine("query", rejectedQuery))
			}
			if noExport {
				return nil
			}
			if _, err := s.Export(ctx); err != nil {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "source", "", "source kind of the files (required)")
	cmd.Flags().StringVar(&job, "job", "", "job name recorded in etl_runs (default load-KIND)")
	cmd.Flags().BoolVar(&noExport, "no-export", false, "skip the Parquet export after the load")
	cmd.Flags().BoolVar(&noMarts, "no-marts", false, "leave the marts of the loaded periods for later: the next load, run or\n"+
		"tradewh marts rebuilds them (bulk loads of several files rebuild once)")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "a setting of the source kind as KEY=VALUE, as in a job config (repeatable;\n"+
		"true/false and numbers as in YAML, a list comma-separated or YAML): --set 'hs_codes=*'\n"+
		"loads every product of a BACI file, --set strict=true makes a usgs-mcs load all or nothing\n"+
		"(tradewh validate --help lists each kind's settings)")
	return cmd
}

// loadSettings builds the source config of a load from its flags and file
// arguments, and checks it before anything is opened or recorded: a
// mistake in them is a usage error, not a failed run.
func loadSettings(k etl.Kind, sets, files []string) (map[string]any, error) {
	cfg, err := sourceSettings(k, sets)
	if err != nil {
		return nil, err
	}
	paths := make([]any, len(files))
	for i, f := range files {
		paths[i] = f
	}
	cfg[k.FileArgs] = paths
	if _, probs := k.Configure(cfg); len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = "--set " + p.Error()
			if p.Field == k.FileArgs || strings.HasPrefix(p.Field, k.FileArgs+"[") {
				msgs[i] = "FILE: " + p.Message
			}
		}
		return nil, usagef("%s", strings.Join(msgs, "; "))
	}
	for _, f := range files {
		if etl.IsPattern(f) {
			if m, err := filepath.Glob(f); err == nil && len(m) == 0 {
				return nil, usagef("no file matches %q", f)
			}
		} else if _, err := os.Stat(f); err != nil {
			return nil, usageError{err}
		}
	}
	return cfg, nil
}

// sourceSettings turns --set KEY=VALUE flags into a source config; the
// kind's spec checks it like a job config's.
func sourceSettings(k etl.Kind, sets []string) (map[string]any, error) {
	cfg := map[string]any{}
	for _, kv := range sets {
		key, val, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			return nil, usagef("--set %q: want KEY=VALUE", kv)
		}
		if key == k.FileArgs {
			return nil, usagef("--set %s: the FILE arguments set it", key)
		}
		var field *etl.Field
		for i := range k.Spec {
			if k.Spec[i].Name == key {
				field = &k.Spec[i]
			}
		}
		switch {
		case strings.HasPrefix(val, "[") || strings.HasPrefix(val, "{"):
			var v any
			if err := yaml.Unmarshal([]byte(val), &v); err != nil {
				return nil, usagef("--set %s: %v", key, err)
			}
			cfg[key] = v
		case field != nil && (field.Type == etl.TypeBool || field.Type == etl.TypeInt || field.Type == etl.TypeFloat):
			// Typed as YAML types it in a job config; text that is no
			// scalar of the kind is left for the spec to name.
			var v any
			if err := yaml.Unmarshal([]byte(val), &v); err == nil && v != nil {
				cfg[key] = v
			} else {
				cfg[key] = val
			}
		case field != nil && field.Type == etl.TypeStrings:
			var items []any
			for _, s := range strings.Split(val, ",") {
				items = append(items, strings.TrimSpace(s))
			}
			cfg[key] = items
		default:
			cfg[key] = val
		}
	}
	return cfg, nil
}
