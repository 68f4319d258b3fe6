package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
)

// validate equals run: on each config, `tradewh validate` and building the
// source as a run does accept or reject it together, and validate names the
// line of the problem.
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

// A config whose aliases expand past the limit is refused by validate and
// by run alike, at the alias's line and column, before it is decoded.
func TestAliasBombRefusedByValidateAndRun(t *testing.T) {
	var b strings.Builder
	b.WriteString("jobs:\n  - name: j\n    source: comtrade-csv\n    schedule: \"0 1 * * *\"\n    config:\n      paths:\n")
	b.WriteString("        - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 5; i++ { // 10^6 strings expanded: over the limit, yet small if decoded
		fmt.Fprintf(&b, "        - &a%d [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	cfg := writeConfig(t, t.TempDir(), b.String())
	// the keys, a0..a3 and a4's list count 12359 values and each alias of
	// a3 11111 more: the eighth, on line 11, passes 100000
	const want = "jobs.yaml:11:51: YAML: aliases expand the file to more than 100000 values"
	for _, args := range [][]string{{"validate", cfg}, {"--warehouse", t.TempDir(), "run", "--config", cfg}} {
		code, out, errs := cli(t, args...)
		if code == 0 || !strings.Contains(errs, want) {
			t.Errorf("tradewh %s: exit %d\nstdout: %s\nstderr: %s\nwant a failure saying %s", strings.Join(args, " "), code, out, errs, want)
		}
	}
}
