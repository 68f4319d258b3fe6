package etl

import (
	"maps"
	"slices"
)

// TrendMetrics are the dependency_trends columns that say how dependent a
// reporter is on its suppliers of a commodity group, with what each means.
// Alert rules watch them by these names.
var TrendMetrics = map[string]string{
	"concern_share":     "share (0-1) of the reporter's imports of the commodity that come from the partner of concern",
	"share_change_pp":   "change of concern_share since the previous period, in percentage points",
	"top_share":         "share (0-1) of the largest supplier",
	"hhi":               "Herfindahl-Hirschman index of supplier concentration (0-10000; above 2500 is highly concentrated)",
	"concern_share_12m": "concern_share over the trailing 12 months (0-1), monthly data only",
}

// TrendMetricNames are TrendMetrics' names, sorted.
func TrendMetricNames() []string { return slices.Sorted(maps.Keys(TrendMetrics)) }

// Trend is where one reporter/commodity group series of dependency_trends
// stands in one period. Text left null in the mart is "".
type Trend struct {
	Source, Freq, Reporter, Commodity string
	Period                            string // first day, YYYY-MM-DD
	Year                              int64
	Concern, TopPartner               string
	TotalValueUSD                     *float64
	Metrics                           map[string]float64 // the TrendMetrics that are not null
}
