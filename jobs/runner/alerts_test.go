package runner

import (
	"slices"
	"testing"

	"github.com/tradewh/tradewh/jobs"
)

func crossing(rule string, values ...float64) jobs.Crossing {
	c := jobs.Crossing{Rule: rule}
	for _, v := range values {
		c.Rows = append(c.Rows, map[string]any{"source": "comtrade", "freq": "A", "reporter_iso3": "USA",
			"commodity": "gallium_germanium", "period": "2024-01-01", "metric": "concern_share", "value": v})
	}
	return c
}

func TestAlertLogSendsEachCrossingOnce(t *testing.T) {
	type step struct {
		do       string // claim, forget (the last claim's keys), seed (the first claim's keys)
		c        jobs.Crossing
		wantRows int
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"a standing crossing is sent once", []step{
			{"claim", crossing("high", 0.7), 1}, {"claim", crossing("high", 0.7), 0}, {"claim", crossing("high", 0.7), 0}}},
		{"a new value of the series is sent", []step{
			{"claim", crossing("high", 0.7), 1}, {"claim", crossing("high", 0.75), 1}}},
		{"another rule on the same series is sent", []step{
			{"claim", crossing("high", 0.7), 1}, {"claim", crossing("jump", 0.7), 1}}},
		{"only the rows not sent are sent", []step{
			{"claim", crossing("high", 0.7), 1}, {"claim", crossing("high", 0.7, 0.8), 1}}},
		{"a failed delivery is sent again", []step{
			{"claim", crossing("high", 0.7), 1}, {"forget", jobs.Crossing{}, 0}, {"claim", crossing("high", 0.7), 1}}},
		{"what a previous process sent is not sent", []step{
			{"seed", crossing("high", 0.7), 0}, {"claim", crossing("high", 0.7), 0}, {"claim", crossing("high", 0.9), 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAlertLog()
			var last []string
			for i, s := range tt.steps {
				switch s.do {
				case "claim":
					rows, keys, series := a.claim(s.c)
					if len(rows) != s.wantRows || len(keys) != s.wantRows || len(series) != s.wantRows {
						t.Fatalf("step %d: %d rows, %d keys, %d series; want %d", i, len(rows), len(keys), len(series), s.wantRows)
					}
					last = keys
				case "forget":
					a.forget(last)
				case "seed":
					var keys []string
					for _, row := range s.c.Rows {
						keys = append(keys, alertKey(s.c.Rule, row))
					}
					a.seed(keys)
				}
			}
		})
	}
}

// The key names rule, series, period and value, and nothing else: the
// same crossing read in another run has the same key.
func TestAlertKey(t *testing.T) {
	a := crossing("high", 0.7).Rows[0]
	b := crossing("high", 0.7).Rows[0]
	b["metric"] = "other" // not part of the key
	if alertKey("high", a) != alertKey("high", b) {
		t.Errorf("keys differ: %q, %q", alertKey("high", a), alertKey("high", b))
	}
	keys := []string{alertKey("high", a), alertKey("low", a), alertKey("high", crossing("high", 0.71).Rows[0])}
	if len(slices.Compact(slices.Sorted(slices.Values(keys)))) != 3 {
		t.Errorf("keys of different crossings collide: %q", keys)
	}
}
