package runner

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"

	_ "github.com/tradewh/tradewh/sources/all"
)

// validate equals run: on each config, jobs.Parse (as `tradewh validate`)
// and building the source as a run does accept or reject it together, and
// validate names the line of the problem. Every kind is registered here,
// as in the program.
func TestValidateRejectsWhatRunRejects(t *testing.T) {
	for _, tc := range []struct {
		name, source, config string
		want                 string // in validate's message; "" for a good config
	}{
		{"sheet ok", "sheet", `{paths: [a.xlsx], table: trade_flows, columns: {period: Year, partner_iso3: Partner, hs_code: HS, value_usd: Value}, constants: {freq: A, flow: import, reporter_iso3: USA}}`, ""},
		{"sheet negative header row and unknown column", "sheet", `{paths: [a.xlsx], table: trade_flows, header_row: -3, columns: {period: Year, partner_iso3: Partner, hs_code: HS, value_usd: Value, colour: Colour}, constants: {freq: A, flow: import, reporter_iso3: USA}}`, "header_row"},
		{"sheet without a value column", "sheet", `{paths: [a.xlsx], table: trade_flows, columns: {period: Year, partner_iso3: Partner, hs_code: HS}, constants: {freq: A, flow: import, reporter_iso3: USA}}`, "value_usd"},
		{"sheet wrong table", "sheet", `{paths: [a.xlsx], table: trade, columns: {period: Year}}`, "table"},
		{"comtrade ok", "comtrade", `{freq: A, from: "2019", to: latest, reporters: [USA], commodities: [gallium_germanium]}`, ""},
		{"comtrade relative months ok", "comtrade", `{freq: M, from: "-60m", to: latest, reporters: [USA, JPN], commodities: [antimony]}`, ""},
		{"comtrade unknown reporter", "comtrade", `{freq: A, from: "2019", reporters: [XXX], commodities: [antimony]}`, `"XXX" is not a known reporting country`},
		{"comtrade malformed period", "comtrade", `{freq: A, from: "20x0", reporters: [USA], commodities: [antimony]}`, "20x0"},
		{"comtrade unknown partner", "comtrade", `{freq: A, from: "2019", reporters: [USA], partners: [ZZZ], commodities: [antimony]}`, "ZZZ"},
		{"comtrade bad HS code", "comtrade", `{freq: A, from: "2019", reporters: [USA], hs_codes: ["28x6"]}`, "28x6"},
		{"comtrade bad base_url", "comtrade", `{base_url: "ftp://x", freq: A, from: "2019", reporters: [USA], commodities: [antimony]}`, "base_url"},
		{"census ok", "census", `{from: "202301", to: "202312", commodities: [gallium_germanium]}`, ""},
		{"census bad flow", "census", `{from: "202301", flows: [transit], commodities: [antimony]}`, "transit"},
		{"census malformed period", "census", `{from: "2023x1", commodities: [antimony]}`, "2023x1"},
		{"baci ok", "baci", `{paths: [b.csv], hs_codes: ["2846", "8112"]}`, ""},
		{"baci bad prefix", "baci", `{paths: [b.csv], hs_codes: ["1"]}`, "hs_codes"},
		{"baci unknown reporter", "baci", `{paths: [b.csv], reporters: [QQQ]}`, "QQQ"},
		{"usgs ok", "usgs-mcs", `{paths: [inbox/usgs], edition: MCS2025}`, ""},
		{"usgs bad edition", "usgs-mcs", `{paths: [inbox/usgs], edition: "2025"}`, "edition"},
		{"usgs nothing to read", "usgs-mcs", `{}`, "paths"},
		{"comtrade-csv unknown field", "comtrade-csv", `{paths: [a.csv], sheet: x}`, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := fmt.Sprintf("jobs:\n  - name: j\n    source: %s\n    schedule: \"0 1 * * *\"\n    config: %s\n", tc.source, tc.config)
			_, verr := jobs.Parse("jobs.yaml", []byte(doc))

			var raw map[string]any
			if err := yaml.Unmarshal([]byte(tc.config), &raw); err != nil {
				t.Fatal(err)
			}
			spec := etl.JobSpec{Name: "j", Kind: tc.source, Config: etl.PeriodRange(raw, etl.Cursor{}, 0, time.Now())}
			_, _, berr := etl.BuildSource(spec, etl.Runtime{})

			if (verr == nil) != (berr == nil) {
				t.Fatalf("validate and run disagree:\n validate: %v\n run:      %v", verr, berr)
			}
			if tc.want == "" {
				if verr != nil {
					t.Fatalf("a good config was rejected: %v", verr)
				}
				return
			}
			var ps etl.FileProblems
			if !errors.As(verr, &ps) || !strings.Contains(verr.Error(), tc.want) {
				t.Fatalf("validate: %v\nwant a problem mentioning %q", verr, tc.want)
			}
			for _, p := range ps {
				if p.Line != 5 {
					t.Errorf("problem %q at %d:%d, want on line 5, the config's", p.Message, p.Line, p.Col)
				}
			}
			// Every problem run reports, validate reports.
			for _, bp := range etl.ProblemsOf(berr) {
				if !strings.Contains(verr.Error(), bp.Message) {
					t.Errorf("run reports %q, validate does not:\n%v", bp.Message, verr)
				}
			}
		})
	}
}
