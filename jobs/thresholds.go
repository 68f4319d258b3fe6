package jobs

import (
	"fmt"
	"math"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// Crossing is a rule whose threshold some rows crossed.
type Crossing struct {
	Rule string
	Rows []map[string]any
}

// EvaluateRules checks each rule against trends (the latest period of every
// reporter/commodity series, as Warehouse.LatestTrends reads them) and
// returns the rules that some series crossed, in rule order. A rule with
// several thresholds fires when any of them is crossed; a null metric (no
// data, or no previous period for a change) crosses nothing.
func EvaluateRules(rules []AlertRule, trends []etl.Trend) ([]Crossing, error) {
	for _, r := range rules {
		if _, ok := etl.TrendMetrics[r.Metric]; !ok {
			return nil, fmt.Errorf("alert rule %q: unknown metric %q (known: %s)", r.Name, r.Metric, strings.Join(etl.TrendMetricNames(), ", "))
		}
	}
	var out []Crossing
	for _, r := range rules {
		var rows []map[string]any
		for _, t := range trends {
			if r.Commodity != "" && t.Commodity != r.Commodity || r.Reporter != "" && t.Reporter != r.Reporter {
				continue
			}
			v, ok := t.Metrics[r.Metric]
			if !ok {
				continue
			}
			if cond, ok := crossed(r, v); ok {
				rows = append(rows, alertRow(t, r.Metric, v, cond))
			}
		}
		if len(rows) > 0 {
			out = append(out, Crossing{Rule: r.Name, Rows: rows})
		}
	}
	return out, nil
}

// crossed reports whether v crosses one of r's thresholds, and which.
func crossed(r AlertRule, v float64) (string, bool) {
	switch {
	case r.Above != nil && v > *r.Above:
		return fmt.Sprintf("above %v", *r.Above), true
	case r.Below != nil && v < *r.Below:
		return fmt.Sprintf("below %v", *r.Below), true
	case r.AbsAbove != nil && math.Abs(v) > *r.AbsAbove:
		return fmt.Sprintf("abs_above %v", *r.AbsAbove), true
	}
	return "", false
}

// alertRow is the JSON-friendly description of a crossing series.
func alertRow(t etl.Trend, metric string, v float64, cond string) map[string]any {
	m := map[string]any{
		"source": t.Source, "freq": t.Freq, "period": t.Period, "year": t.Year,
		"reporter_iso3": t.Reporter, "commodity": nullable(t.Commodity),
		"concern_iso3": nullable(t.Concern), "top_partner_iso3": nullable(t.TopPartner),
		"metric": metric, "value": v, "condition": cond,
	}
	if t.TotalValueUSD != nil {
		m["total_value_usd"] = *t.TotalValueUSD
	}
	return m
}

func nullable(s string) any {
	if s != "" {
		return s
	}
	return nil
}
