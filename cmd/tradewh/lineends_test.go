package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl/etltest"
)

// Every CSV source loads a file saved with CR line ends ("CSV (Macintosh)")
// or CRLF ones exactly as the same file with LF line ends: the same rows,
// the same source rows, the same rejections.
func TestCROnlyFilesLoadAsLF(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	flows := `SELECT freq, period, reporter_iso3, partner_iso3, flow, hs_code, hs_revision, value_usd, net_weight_kg,
		quantity, quantity_unit, source_row FROM trade_flows ORDER BY source_row`
	cases := []struct {
		kind, file, text string
		set              []string
		query            string
	}{
		{"comtrade-csv", "flows.csv",
			"freqCode,period,reporterCode,partnerCode,flowCode,cmdCode,cmdDesc,classificationCode,primaryValue,netWgt,qtyUnitCode,qty\n" +
				"A,2023,842,156,M,811292,\"Gallium,\nunwrought\",H6,1500000,2000,8,2000\n" +
				"A,2023,842,0,M,811292,,H6,3000000,5000,8,5000\n" +
				"A,2023,842,999999,M,811292,,H6,1,1,8,1\n",
			nil, flows},
		{"sheet", "broker.csv",
			"Year,Partner,HS,Value\n2023,China,811292,6000\n\n2023,Japan,811292,\"6,000\"\n2023,Atlantis,811292,1\n",
			[]string{"--set", "table=trade_flows", "--set", "columns={period: Year, partner_iso3: Partner, hs_code: HS, value_usd: Value}",
				"--set", "constants={freq: A, flow: import, reporter_iso3: USA}"}, flows},
		{"usgs-mcs", "mcs2025-raree_salient.csv", read(etltest.RepoFile(t, "sources/usgsmcs/testdata/mcs2025-raree_salient.csv")), nil,
			`SELECT edition, commodity, year, country_iso3, measure, product, value, unit, qualifier, source_row, source_column
			FROM mineral_statistics ORDER BY source_row, source_column`},
		{"baci", "BACI_HS17_Y2022_V202401.csv", read(etltest.RepoFile(t, "sources/baci/testdata/BACI_HS17_Y2022_V202401.csv")),
			[]string{"--set", "hs_codes=*"}, flows},
		{"measures", "measures.csv",
			"measure_id,imposing_iso3,target_iso3,measure_type,title,effective_date,hs_codes,citation\n" +
				"X-1,CHN,USA;JPN,ban,\"A ban,\nof sorts\",2024-12-03,811292;282560,a notice\n" +
				"X-2,CHN,,licensing,Licences,2023-08-01,811292,another notice\n",
			nil, `SELECT measure_id, imposing_iso3, target_iso3, measure_type, title, effective_date, citation
			FROM trade_measures WHERE measure_id LIKE 'X-%' ORDER BY measure_id`},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			load := func(ends string) []string {
				dir := t.TempDir()
				path := filepath.Join(dir, tc.file)
				if err := os.WriteFile(path, []byte(strings.ReplaceAll(tc.text, "\n", ends)), 0o644); err != nil {
					t.Fatal(err)
				}
				wh := filepath.Join(dir, "wh")
				args := append([]string{"--warehouse", wh, "load", "--no-export", "--source", tc.kind}, tc.set...)
				mustCLI(t, append(args, path)...)
				db := queryDB(t, wh)
				defer db.Close()
				got := etltest.Lines(t, db, tc.query, 6)
				got = append(got, etltest.Lines(t, db, "SELECT source_row, source_column, reason FROM rejected_rows ORDER BY ALL", 6)...)
				return got
			}
			want := load("\n")
			if len(want) < 2 {
				t.Fatalf("the LF file loads %d rows: %q", len(want), want)
			}
			for _, ends := range []string{"\r\n", "\r"} {
				if got := load(ends); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("line ends %q load\n%s\nwant, as with LF:\n%s", ends, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		})
	}
}
