package jobs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

func f(v float64) *float64 { return &v }

// trend is a latest-period series: source/freq/reporter/commodity/period
// with its not-null metrics.
func trend(series string, total *float64, metrics map[string]float64) etl.Trend {
	p := strings.Split(series, "/")
	var year int64
	fmt.Sscan(p[4][:4], &year)
	return etl.Trend{Source: p[0], Freq: p[1], Reporter: p[2], Commodity: p[3], Period: p[4], Year: year,
		Concern: "CHN", TopPartner: "CHN", TotalValueUSD: total, Metrics: metrics}
}

// trends are series as Warehouse.LatestTrends returns them.
var trends = []etl.Trend{
	trend("census/A/USA/gallium_germanium/2023-01-01", f(610), map[string]float64{"concern_share": 0.9, "top_share": 0.9, "hhi": 8100}),
	trend("comtrade/A/USA/gallium_germanium/2023-01-01", f(1000), map[string]float64{"concern_share": 0.6, "top_share": 0.6, "share_change_pp": 10, "hhi": 4100}),
	trend("comtrade/A/JPN/rare_earths/2023-01-01", f(800), map[string]float64{"concern_share": 0.625, "top_share": 0.625, "hhi": 4375}),
	trend("comtrade/M/USA/rare_earths/2024-03-01", f(100), map[string]float64{"concern_share": 0.2, "top_share": 0.8, "share_change_pp": -15, "concern_share_12m": 0.3, "hhi": 6800}),
	trend("comtrade/A/CAN/tungsten/2023-01-01", nil, map[string]float64{}),
}

// series names a crossing row as source/freq/reporter/commodity/period=value.
func series(r map[string]any) string {
	return fmt.Sprintf("%s/%s/%s/%v/%s=%v", r["source"], r["freq"], r["reporter_iso3"], r["commodity"], r["period"], r["value"])
}

func TestEvaluateRules(t *testing.T) {
	tests := []struct {
		name string
		rule AlertRule
		want []string // crossing series, in order; none: the rule does not fire
	}{
		{"share above, every group series", AlertRule{Metric: "concern_share", Above: f(0.5)}, []string{
			"census/A/USA/gallium_germanium/2023-01-01=0.9",
			"comtrade/A/USA/gallium_germanium/2023-01-01=0.6",
			"comtrade/A/JPN/rare_earths/2023-01-01=0.625",
		}},
		{"reporter filter", AlertRule{Reporter: "JPN", Metric: "concern_share", Above: f(0.5)}, []string{
			"comtrade/A/JPN/rare_earths/2023-01-01=0.625",
		}},
		{"commodity filter and below", AlertRule{Commodity: "rare_earths", Metric: "concern_share", Below: f(0.25)}, []string{
			"comtrade/M/USA/rare_earths/2024-03-01=0.2",
		}},
		{"change either way; exactly 10 is not above 10", AlertRule{Metric: "share_change_pp", AbsAbove: f(10)}, []string{
			"comtrade/M/USA/rare_earths/2024-03-01=-15",
		}},
		{"trailing 12 months", AlertRule{Metric: "concern_share_12m", Above: f(0.25)}, []string{
			"comtrade/M/USA/rare_earths/2024-03-01=0.3",
		}},
		{"top share", AlertRule{Metric: "top_share", Above: f(0.7)}, []string{
			"census/A/USA/gallium_germanium/2023-01-01=0.9",
			"comtrade/M/USA/rare_earths/2024-03-01=0.8",
		}},
		{"hhi is 0-10000", AlertRule{Metric: "hhi", Above: f(8000)}, []string{
			"census/A/USA/gallium_germanium/2023-01-01=8100",
		}},
		{"either of two thresholds", AlertRule{Commodity: "gallium_germanium", Metric: "concern_share", Above: f(0.8), Below: f(0.61)}, []string{
			"census/A/USA/gallium_germanium/2023-01-01=0.9",
			"comtrade/A/USA/gallium_germanium/2023-01-01=0.6",
		}},
		{"nothing crosses; null shares never do", AlertRule{Metric: "concern_share", Below: f(0.1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name = "r1"
			got, err := EvaluateRules([]AlertRule{tt.rule}, trends)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("want no crossing, got %v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != "r1" {
				t.Fatalf("want one crossing of r1, got %v", got)
			}
			var names []string
			for _, r := range got[0].Rows {
				names = append(names, series(r))
				if r["metric"] != tt.rule.Metric || r["concern_iso3"] != "CHN" || r["condition"] == "" {
					t.Errorf("row %v: wrong metric, concern or condition", r)
				}
			}
			if strings.Join(names, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("crossing rows:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestEvaluateRulesOrderAndErrors(t *testing.T) {
	rules := []AlertRule{
		{Name: "quiet", Metric: "hhi", Above: f(10000)},
		{Name: "jump", Metric: "share_change_pp", AbsAbove: f(5)},
		{Name: "high", Metric: "concern_share", Above: f(0.85)},
	}
	got, err := EvaluateRules(rules, trends)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Rule != "jump" || got[1].Rule != "high" {
		t.Fatalf("want crossings jump then high, got %v", got)
	}
	if got[1].Rows[0]["year"] != int64(2023) || got[1].Rows[0]["total_value_usd"] != 610.0 {
		t.Errorf("row fields: %v", got[1].Rows[0])
	}
	if _, has := got[0].Rows[0]["total_value_usd"]; !has {
		t.Errorf("row without total: %v", got[0].Rows[0])
	}
	if _, err := EvaluateRules([]AlertRule{{Name: "x", Metric: "top_partner_share", Above: f(1)}}, trends); err == nil ||
		!strings.Contains(err.Error(), `unknown metric "top_partner_share"`) {
		t.Errorf("unknown metric: got %v", err)
	}
	if got, err := EvaluateRules(rules, nil); err != nil || got != nil {
		t.Errorf("no trends: got %v, %v; want nothing", got, err)
	}
}
