package sheet

import (
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

func TestConfigProblemsNameTheField(t *testing.T) {
	base := func() map[string]any { return smallConfig("x.csv") }
	for _, tc := range []struct {
		name string
		edit func(map[string]any)
		want []string
	}{
		{"unknown table", func(c map[string]any) { c["table"] = "trades" },
			[]string{"table: must be one of trade_flows, mineral_statistics"}},
		{"unknown column", func(c map[string]any) { c["columns"].(map[string]any)["hs_cod"] = "HS" },
			[]string{"columns.hs_cod: not a column of trade_flows (known: freq, period,"}},
		{"required column", func(c map[string]any) { delete(c["columns"].(map[string]any), "hs_code") },
			[]string{"columns.hs_code: is required: map it to a header, or give it in constants"}},
		{"no measure", func(c map[string]any) { delete(c["columns"].(map[string]any), "value_usd") },
			[]string{"columns: map at least one of value_usd, net_weight_kg, quantity"}},
		{"empty header", func(c map[string]any) { c["columns"].(map[string]any)["partner_iso3"] = " " },
			[]string{"columns.partner_iso3: must be the file's header text"}},
		{"bad constant", func(c map[string]any) { c["constants"].(map[string]any)["reporter_iso3"] = "Atlantis" },
			[]string{`constants.reporter_iso3: unknown country "Atlantis"`}},
		{"bad flow constant", func(c map[string]any) { c["constants"].(map[string]any)["flow"] = "both" },
			[]string{`constants.flow: flow "both" is not import, export`}},
		{"constant list", func(c map[string]any) { c["constants"].(map[string]any)["freq"] = []any{"A"} },
			[]string{"constants.freq: must be a single value"}},
		{"multiplier", func(c map[string]any) { c["multipliers"] = map[string]any{"value_usd": -1, "partner_iso3": 2} },
			[]string{"multipliers.partner_iso3: only numeric columns take a multiplier",
				"multipliers.value_usd: must be a positive number, got -1"}},
		{"header row", func(c map[string]any) { c["header_row"] = -2 }, []string{"header_row: must be 1 or more"}},
		{"delimiter", func(c map[string]any) { c["delimiter"] = ";;" }, []string{"delimiter: must be one character"}},
		{"columns not a mapping", func(c map[string]any) { c["columns"] = []any{"Year"} },
			[]string{"columns: must be a mapping"}},
		{"mineral value constant", func(c map[string]any) {
			c["table"] = "mineral_statistics"
			c["columns"] = map[string]any{"year": "Year", "commodity": "Mineral"}
			c["constants"] = map[string]any{"edition": "MCS2024", "country_iso3": "USA", "measure": "imports", "unit": "t", "value": 1}
		}, []string{"constants.value: value must come from a column"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.edit(cfg)
			_, _, err := etl.BuildSource(etl.JobSpec{Name: "j", Kind: Kind, Config: cfg}, etl.Runtime{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n lacks %q", err, w)
				}
			}
		})
	}
}

// The config of the brief's example (a mapped reporter with a constant
// standing in for blank cells, numeric YAML values) is valid.
func TestConfigExample(t *testing.T) {
	cfg := tradeConfig("./inbox/analyst/*.xlsx", "./inbox/analyst/*.csv")
	cfg["constants"].(map[string]any)["hs_revision"] = 2022
	src := build(t, cfg, etl.Runtime{})
	m := src.m
	if m.table != etl.TradeFlows || m.sheet != "Imports" || m.headerRow != 3 || m.sourceName != "analyst-sheet" ||
		m.multipliers["value_usd"] != 1000 || m.constants["hs_revision"] != "2022" || len(m.columns) != 6 {
		t.Errorf("mapping: %+v", m)
	}
}
