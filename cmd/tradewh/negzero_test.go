package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A figure written -0 is stored as 0: query prints 0, and the row is the
// one a file writing 0 loads (loading that file next changes nothing).
func TestNegativeZeroIsStoredAsZero(t *testing.T) {
	const comtrade = "freqCode,period,reporterCode,partnerCode,flowCode,cmdCode,classificationCode,primaryValue,netWgt,qtyUnitCode,qty\n" +
		"A,2023,842,156,M,811292,H6,%s,%s.0,8,%se5\n"
	for _, tc := range []struct {
		kind, file, text string
		set              []string
		query            string
	}{
		{"comtrade-csv", "flows.csv", comtrade, nil,
			"SELECT value_usd, net_weight_kg, quantity FROM trade_flows"},
		{"baci", "BACI_HS17_Y2022_V202401.csv", "t,i,j,k,v,q\n2022,156,842,811292,%s,%s.000\n", []string{"--set", "hs_codes=*"},
			"SELECT value_usd, net_weight_kg FROM trade_flows"},
		{"sheet", "broker.csv", "Year,Partner,HS,Value\n2023,China,811292,%s\n",
			[]string{"--set", "table=trade_flows", "--set", "columns={period: Year, partner_iso3: Partner, hs_code: HS, value_usd: Value}",
				"--set", "constants={freq: A, flow: import, reporter_iso3: USA}", "--set", "multipliers={value_usd: 1000}"},
			"SELECT value_usd FROM trade_flows"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			wh := t.TempDir()
			load := func(zero string) string {
				path := filepath.Join(t.TempDir(), tc.file)
				text := strings.ReplaceAll(tc.text, "%s", zero)
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				args := append([]string{"--warehouse", wh, "load", "--no-export", "--source", tc.kind}, tc.set...)
				return mustCLI(t, append(args, path)...)
			}
			if out := load("-0"); !strings.Contains(out, "1 loaded") {
				t.Fatalf("load: %s", out)
			}
			out := mustCLI(t, "--warehouse", wh, "query", tc.query)
			if strings.Contains(out, "-0") || !strings.Contains(out, "0") {
				t.Errorf("query prints\n%s\nwant 0, not -0", out)
			}
			if out := load("0"); !strings.Contains(out, "0 loaded (0 revised), 1 unchanged") {
				t.Errorf("the same figure written 0 loads as a revision: %s", out)
			}
		})
	}
}
