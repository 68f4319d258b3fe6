package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradewh/tradewh/jobs/runner"
	"github.com/tradewh/tradewh/output/warehouse"
)

func newImpactCmd(g *globals) *cobra.Command {
	var code, event, side, freq, source string
	cmd := &cobra.Command{
		Use:   "impact MEASURE [--code HS] [--event effective|end] [--side reported_exports|partner_imports] [--freq M|A]",
		Short: "Print what a trade measure did to the flows: its event window from event_windows",
		Long: `Print a measure's event window (the event_windows mart) as a table: for each period around
the event, the imposing country's flows to the target countries, to everyone else and to the world,
with value indices against the pre-event baseline (mean of t -12 ... -1 = 100, annual -3 ... -1) and
against the period before, unit values and the target's share. Without --code the measure's codes
of each commodity group are shown together; the measures are in trade_measures
(tradewh query "SELECT measure_id, title, effective_date FROM trade_measures").`,
		Example: `  tradewh impact CHN-MOFCOM-2023-23
  tradewh impact CHN-MOFCOM-2024-46 --code 811292
  tradewh impact CHN-MOFCOM-2024-46 --event end --side partner_imports`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if event != "effective" && event != "end" {
				return usagef("--event must be effective or end, got %q", event)
			}
			if side != "" && side != "reported_exports" && side != "partner_imports" {
				return usagef("--side must be reported_exports or partner_imports, got %q", side)
			}
			if freq != "" && freq != "M" && freq != "A" {
				return usagef("--freq must be M or A, got %q", freq)
			}
			ctx := cmd.Context()
			wh, err := g.openReader(ctx, runner.ReadOptions{})
			if err != nil {
				return err
			}
			defer wh.Close()
			return printImpact(ctx, wh, g.stdout, warehouse.EventWindowFilter{
				Measure: args[0], Event: event, Code: code, Side: side, Freq: freq, Source: source})
		},
	}
	cmd.Flags().StringVar(&code, "code", "", "an HS code of the measure (default: its codes of each group together)")
	cmd.Flags().StringVar(&event, "event", "effective", "effective, or end (a measure that ends or that a later one suspends)")
	cmd.Flags().StringVar(&side, "side", "", "reported_exports or partner_imports (default: every side the warehouse has)")
	cmd.Flags().StringVar(&freq, "freq", "", "M or A (default: both where loaded)")
	cmd.Flags().StringVar(&source, "source", "", "a source kind, e.g. comtrade (default: every source)")
	return cmd
}

// printImpact writes one block per source, frequency, side and code:
// a row per period, the destinations side by side.
func printImpact(ctx context.Context, wh *warehouse.Warehouse, w io.Writer, q warehouse.EventWindowFilter) error {
	m, err := wh.Measure(ctx, q.Measure)
	if errors.Is(err, warehouse.ErrNoMeasure) {
		return fmt.Errorf("no measure %q in trade_measures (tradewh query \"SELECT measure_id, title FROM trade_measures\")", q.Measure)
	}
	if err != nil {
		return err
	}
	to := "every destination"
	if m.Targets != "" {
		to = m.Targets
	}
	dates := "effective " + m.Effective.Format(time.DateOnly)
	if !m.End.IsZero() {
		dates += " to " + m.End.Format(time.DateOnly)
	}
	fmt.Fprintf(w, "%s: %s\n%s, on %s, %s; status on %s: %s\n", m.ID, m.Title, m.Imposing, to, dates,
		m.StatusOn.Format(time.DateOnly), strings.ReplaceAll(m.Status, "_", " "))

	rows, err := wh.EventWindow(ctx, q)
	if err != nil {
		return err
	}
	type line struct {
		t      int
		period time.Time
		dest   map[string]warehouse.EventWindowRow
		share  sql.NullFloat64
	}
	var block string
	var lines []*line
	var dests []string
	flush := func() {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, block)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := "t\tperiod\t"
		for _, d := range dests {
			head += d + " USD\tindex\tvs t-1\t"
		}
		head += "world kg\tUSD/kg\t"
		if len(dests) > 1 {
			head += "target share\t"
		}
		fmt.Fprintln(tw, head)
		for _, l := range lines {
			s := fmt.Sprintf("%+d\t%s\t", l.t, l.period.Format("2006-01"))
			if l.t == 0 {
				s = "0\t" + l.period.Format("2006-01") + "\t"
			}
			for _, d := range dests {
				c := l.dest[d]
				s += money(c.ValueUSD) + "\t" + num(c.ValueIndex, 0) + "\t" + num(c.IndexPrev, 0) + "\t"
			}
			world := l.dest["world"]
			s += money(world.WeightKg) + "\t" + num(world.UnitValueUSDPerKg, 1) + "\t"
			if len(dests) > 1 {
				s += pct(l.share) + "\t"
			}
			fmt.Fprintln(tw, s)
		}
		tw.Flush()
		lines, dests = nil, nil
	}
	for _, r := range rows {
		what := r.Commodity + " (the measure's codes together)"
		if r.HSCode != "" {
			what = "HS " + r.HSCode
		}
		unit := "months"
		if r.Freq == "A" {
			unit = "years"
		}
		name := map[string]string{"reported_exports": m.Imposing + "'s reported exports", "partner_imports": "partners' reported imports from " + m.Imposing}[r.Side]
		b := fmt.Sprintf("%s, %s, %s; t in %s from %s (%s)", what, name, r.Source, unit, r.EventDate.Format(time.DateOnly), q.Event)
		if b != block {
			flush()
			block = b
		}
		if len(lines) == 0 || lines[len(lines)-1].t != r.T {
			lines = append(lines, &line{t: r.T, period: r.Period, dest: map[string]warehouse.EventWindowRow{}, share: r.TargetShare})
		}
		l := lines[len(lines)-1]
		if _, ok := l.dest[r.Destination]; !ok && len(lines) == 1 {
			dests = append(dests, r.Destination)
		}
		l.dest[r.Destination] = r
	}
	if block == "" && m.Codes == 0 {
		why := "tradewh query \"SELECT unsourced FROM trade_measures WHERE measure_id = '" + m.ID + "'\""
		if strings.ContainsFunc(m.ID, func(r rune) bool { return !strings.ContainsRune(idChars, r) }) {
			why = "its unsourced in trade_measures" // no command a shell would misread
		}
		fmt.Fprintln(w, "\nthe measure covers no HS code, so it has no event window (why: "+why+")")
		return nil
	}
	if block == "" {
		fmt.Fprintln(w, "\nno flows of the measure's codes around the event in the warehouse")
		if q.Code == "" {
			fmt.Fprintln(w, "(codes of no commodity group have no group rows: try --code)")
		}
		return nil
	}
	flush()
	fmt.Fprintln(w, "\nindex: baseline mean = 100; vs t-1: the period before = 100; blank: not reported")
	return nil
}

// idChars are the characters a measure id may show in a printed command.
const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./"

func money(v sql.NullFloat64) string {
	if !v.Valid {
		return ""
	}
	x := math.Round(v.Float64)
	s := fmt.Sprintf("%.0f", math.Abs(x))
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if x < 0 {
		return "-" + b.String()
	}
	return b.String()
}

func num(v sql.NullFloat64, prec int) string {
	if !v.Valid {
		return ""
	}
	return fmt.Sprintf("%.*f", prec, v.Float64)
}

func pct(v sql.NullFloat64) string {
	if !v.Valid {
		return ""
	}
	return fmt.Sprintf("%.1f%%", 100*v.Float64)
}
