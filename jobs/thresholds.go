package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
)

// AlertMetrics are the dependency_trends columns alert rules may watch.
// The keys are column names: EvaluateRules reads them as written.
var AlertMetrics = map[string]string{
	"concern_share":     "share (0-1) of the reporter's imports of the commodity that come from the partner of concern",
	"share_change_pp":   "change of concern_share since the previous period, in percentage points",
	"top_share":         "share (0-1) of the largest supplier",
	"hhi":               "Herfindahl-Hirschman index of supplier concentration (0-10000; above 2500 is highly concentrated)",
	"concern_share_12m": "concern_share over the trailing 12 months (0-1), monthly data only",
}

// Crossing is a rule whose threshold some rows crossed.
type Crossing struct {
	Rule string
	Rows []map[string]any
}

// latestTrends is the newest period of every reporter/commodity group series
// (hs_code NULL): alerts speak of where dependence stands now, not of
// history the warehouse has always held.
const latestTrends = `
SELECT source, freq, strftime(period, '%Y-%m-%d') AS period, year, reporter_iso3, commodity,
       concern_iso3, top_partner_iso3, total_value_usd,
       concern_share, share_change_pp, top_share, hhi, concern_share_12m
FROM dependency_trends
WHERE hs_code IS NULL
QUALIFY row_number() OVER (PARTITION BY source, freq, reporter_iso3, commodity ORDER BY period DESC) = 1
ORDER BY commodity, reporter_iso3, source, freq`

// trendRow is one row of latestTrends.
type trendRow struct {
	source, freq, period, reporter string
	year                           int64
	commodity, concern, top        sql.NullString
	total                          sql.NullFloat64
	metrics                        map[string]sql.NullFloat64
}

// EvaluateRules checks each rule against the latest period of every
// reporter/commodity series in dependency_trends and returns the rules that
// some series crossed, in rule order. A rule with several thresholds fires
// when any of them is crossed; a NULL metric (no data, or no previous period
// for a change) crosses nothing. A warehouse without the mart yet has
// nothing to cross.
func EvaluateRules(ctx context.Context, db *sql.DB, rules []AlertRule) ([]Crossing, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	for _, r := range rules {
		if _, ok := AlertMetrics[r.Metric]; !ok {
			return nil, fmt.Errorf("alert rule %q: unknown metric %q (known: %s)", r.Name, r.Metric, strings.Join(metricNames(), ", "))
		}
	}
	var exists bool
	err := db.QueryRowContext(ctx, `SELECT count(*) > 0 FROM duckdb_tables()
		WHERE table_name = 'dependency_trends' AND schema_name = 'main' AND NOT temporary`).Scan(&exists)
	if err != nil {
		return nil, fmt.Errorf("evaluating alert rules: %w", err)
	}
	if !exists {
		return nil, nil
	}
	trends, err := readTrends(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []Crossing
	for _, r := range rules {
		var rows []map[string]any
		for _, t := range trends {
			if r.Commodity != "" && t.commodity.String != r.Commodity || r.Reporter != "" && t.reporter != r.Reporter {
				continue
			}
			v := t.metrics[r.Metric]
			if !v.Valid {
				continue
			}
			if cond, ok := crossed(r, v.Float64); ok {
				rows = append(rows, t.alertRow(r.Metric, v.Float64, cond))
			}
		}
		if len(rows) > 0 {
			out = append(out, Crossing{Rule: r.Name, Rows: rows})
		}
	}
	return out, nil
}

func readTrends(ctx context.Context, db *sql.DB) ([]trendRow, error) {
	rows, err := db.QueryContext(ctx, latestTrends)
	if err != nil {
		return nil, fmt.Errorf("evaluating alert rules: reading dependency_trends: %w", err)
	}
	defer rows.Close()
	var out []trendRow
	for rows.Next() {
		var t trendRow
		var cs, chg, top, hhi, cs12 sql.NullFloat64
		if err := rows.Scan(&t.source, &t.freq, &t.period, &t.year, &t.reporter, &t.commodity,
			&t.concern, &t.top, &t.total, &cs, &chg, &top, &hhi, &cs12); err != nil {
			return nil, fmt.Errorf("evaluating alert rules: reading dependency_trends: %w", err)
		}
		t.metrics = map[string]sql.NullFloat64{"concern_share": cs, "share_change_pp": chg,
			"top_share": top, "hhi": hhi, "concern_share_12m": cs12}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("evaluating alert rules: reading dependency_trends: %w", err)
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
func (t trendRow) alertRow(metric string, v float64, cond string) map[string]any {
	m := map[string]any{
		"source": t.source, "freq": t.freq, "period": t.period, "year": t.year,
		"reporter_iso3": t.reporter, "commodity": nullable(t.commodity),
		"concern_iso3": nullable(t.concern), "top_partner_iso3": nullable(t.top),
		"metric": metric, "value": v, "condition": cond,
	}
	if t.total.Valid {
		m["total_value_usd"] = t.total.Float64
	}
	return m
}

func nullable(s sql.NullString) any {
	if s.Valid {
		return s.String
	}
	return nil
}
