package measures

import (
	"errors"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

func TestParseYAMLAndCSV(t *testing.T) {
	yml := `measures:
  - measure_id: IDN-NICKEL-2020
    imposing_iso3: IDN
    measure_type: ban
    title: Nickel ore export ban
    effective_date: 2020-01-01
    hs_codes: [260400]
    citation: Regulation of the Minister of Energy and Mineral Resources No. 11 of 2019
  - measure_id: X-2
    imposing_iso3: China
    target_iso3: [USA, JPN]
    measure_type: quota
    commodity: rare_earths
    title: A quota
    effective_date: 2024-01-01
    hs_codes: ["2846", 284690@HS2017]
    hs_revision: HS2022
    citation: c
`
	ms, err := parse("m.yaml", "m.yaml", []byte(yml), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[1].Imposing != "CHN" || strings.Join(ms[1].Targets, ",") != "USA,JPN" ||
		ms[1].Codes[0] != (Code{"2846", "HS2022"}) || ms[1].Codes[1] != (Code{"284690", "HS2017"}) || ms[1].Line != 9 {
		t.Errorf("parsed %+v", ms)
	}
	csvData := "\ufeffmeasure_id,imposing_iso3,target_iso3,measure_type,title,effective_date,hs_codes,citation\n" +
		"A-1,CHN,USA;JPN,ban,\"A ban, of sorts\",2024-12-03,811292;282560,source\n"
	ms, err = parse("m.csv", "m.csv", []byte(csvData), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Title != "A ban, of sorts" || len(ms[0].Codes) != 2 || ms[0].Status != "in_force" || ms[0].Line != 2 {
		t.Errorf("parsed %+v", ms)
	}
}

// A measure on no goods (a ban on exporting technologies) has no HS code
// and says why in unsourced; an ended measure with its end is accepted.
func TestParseMeasureWithoutCodes(t *testing.T) {
	file := "measure_id,imposing_iso3,measure_type,title,effective_date,end_date,status,hs_codes,citation,unsourced\n" +
		"T-1,CHN,ban,Technologies,2023-12-21,,,,c,hs_codes: technologies only\n" +
		"T-2,CHN,ban,Over,2023-01-01,2023-06-30,ended,811292,c,\n"
	ms, err := parse("m.csv", "m.csv", []byte(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || len(ms[0].Codes) != 0 || ms[0].Unsourced != "hs_codes: technologies only" || day(ms[1].End) != "2023-06-30" {
		t.Errorf("got %+v", ms)
	}
}

func TestParseProblemsNameLineAndColumn(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string
	}{
		{"csv", "measure_id,imposing_iso3,measure_type,title,effective_date,hs_codes,citation,colour\n" +
			"A-1,XXX,embargo,t,2024-13-01,81129x,c,red\n" +
			"A-1,CHN,ban,t,2024-01-01,811292,c,red\n",
			[]string{
				`m.csv:1:78: colour: unknown column`,
				`m.csv:2:5: imposing_iso3: unknown country "XXX"`,
				`m.csv:2:9: measure_type: must be one of licensing, ban, quota, export_tax, suspension, lifting, got "embargo"`,
				`m.csv:2:19: effective_date: "2024-13-01" is not a date YYYY-MM-DD`,
				`m.csv:2:30: hs_codes: "81129x" is not an HS code of 2 to 10 digits`,
			}},
		{"csv duplicate and dangling suspension", "measure_id,imposing_iso3,measure_type,title,effective_date,hs_codes,citation,suspends_measure_id\n" +
			"A-1,CHN,ban,t,2024-01-01,811292,c,\n" +
			"A-1,CHN,ban,t,2024-01-01,811292,c,\n" +
			"A-2,CHN,suspension,t,2024-01-01,811292,c,NOPE\n",
			[]string{
				`m.csv:3:1: measure_id: measure "A-1" is also on line 2`,
				`m.csv:4:1: suspends_measure_id: no measure "NOPE" in this file or the default list`,
			}},
		{"csv no codes and no reason, ended without an end", "measure_id,imposing_iso3,measure_type,title,effective_date,hs_codes,citation,status,unsourced\n" +
			"C-1,CHN,ban,t,2024-01-01,,c,,\n" +
			"C-2,CHN,ban,t,2024-01-01,811292,c,ended,\n" +
			"C-3,CHN,ban,t,2024-01-01,,c,,title: our own\n",
			[]string{
				`m.csv:2:26: hs_codes: is required (a measure no HS code covers says why in unsourced`,
				`m.csv:3:35: status: ended: give the end_date (a measure's status is computed from its dates)`,
				`m.csv:4:26: hs_codes: is required`,
			}},
		{"yaml", "measures:\n  - measure_id: B-1\n    imposing_iso3: CHN\n    measure_type: ban\n    title: t\n" +
			"    effective_date: 2024-05-01\n    end_date: 2024-01-01\n    hs_codes: [811292]\n    colour: red\n",
			[]string{
				`m.yaml:7:15: end_date: 2024-01-01 is before the effective date 2024-05-01`,
				`m.yaml:9:5: colour: unknown field`,
				`m.yaml:2:5: citation: is required`,
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "m.csv"
			if c.name == "yaml" {
				name = "m.yaml"
			}
			_, err := parse(name, name, []byte(c.file), nil)
			var ps etl.FileProblems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v, want etl.FileProblems", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in:\n%s", w, err)
				}
			}
			if len(ps) != len(c.want) {
				t.Errorf("%d problems, want %d:\n%s", len(ps), len(c.want), err)
			}
		})
	}
}
