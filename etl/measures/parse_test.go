package measures

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// The default list: every code traced to a line of its announcement (the
// citation names the line's 10-digit code), and a code no line gives is
// left out and named in unsourced.
func TestDefaultCoversTheChinaMeasures(t *testing.T) {
	ms := Default()
	byID := map[string]Measure{}
	for _, m := range ms {
		byID[m.ID] = m
		if m.Citation == "" || m.Origin != DefaultOrigin {
			t.Errorf("%s: citation %q origin %q", m.ID, m.Citation, m.Origin)
		}
		if len(m.Codes) == 0 && !strings.HasPrefix(m.Unsourced, "hs_codes: ") {
			t.Errorf("%s: no code and no reason in unsourced", m.ID)
		}
	}
	const c23 = "811292 811299 282560 282590 285000 285390"
	const c33 = "261710 283090 8110 811010 811020 811090 282580 285000 285390"
	const c46 = "811292 811299 282560 282590 285000 285390 261710 283090 8110 811010 811020 811090 282580"
	for _, c := range []struct {
		id, typ, announced, effective, end string
		targets, suspends                  string
		codes                              string // in the order listed
		untraced                           string // codes named in unsourced, not listed
	}{
		{"CHN-MOFCOM-2023-23", "licensing", "2023-07-03", "2023-08-01", "", "", "", c23, "381800 382569 284290"},
		{"CHN-MOFCOM-2023-39", "licensing", "2023-10-20", "2023-12-01", "", "", "", "250410 380110 380190", "250490 681519 382499"},
		{"CHN-MOFCOM-MOST-2023-TECH", "ban", "2023-12-21", "2023-12-21", "", "", "", "", ""},
		{"CHN-MOFCOM-2024-33", "licensing", "2024-08-15", "2024-09-15", "", "", "", c33, "2617 293190 847989"},
		{"CHN-MOFCOM-2024-46", "ban", "2024-12-03", "2024-12-03", "", "USA", "", c46, ""},
		{"CHN-MOFCOM-2025-10", "licensing", "2025-02-04", "2025-02-04", "", "", "", "284180 282590 284990 810194 810199", "2611 810110 810196 810197"},
		{"CHN-MOFCOM-2025-18", "licensing", "2025-04-04", "2025-04-04", "", "", "", "280530 284690", "2846 284610 850511 382499"},
		{"CHN-MOFCOM-2025-55", "licensing", "2025-10-09", "2025-11-08", "", "", "", "", ""},
		{"CHN-MOFCOM-2025-56", "licensing", "2025-10-09", "2025-11-08", "", "", "", "", ""},
		{"CHN-MOFCOM-2025-57", "licensing", "2025-10-09", "2025-11-08", "", "", "", "280530", ""},
		{"CHN-MOFCOM-2025-58", "licensing", "2025-10-09", "2025-11-08", "", "", "", "850760 284290 285390", "847989"},
		{"CHN-MOFCOM-2025-61", "licensing", "2025-10-09", "2025-10-09", "", "", "", "", ""},
		{"CHN-MOFCOM-2025-62", "licensing", "2025-10-09", "2025-10-09", "", "", "", "", ""},
		{"CHN-MOFCOM-2025-70-55", "suspension", "2025-11-07", "2025-11-07", "2026-11-10", "", "CHN-MOFCOM-2025-55", "", ""},
		{"CHN-MOFCOM-2025-70-56", "suspension", "2025-11-07", "2025-11-07", "2026-11-10", "", "CHN-MOFCOM-2025-56", "", ""},
		{"CHN-MOFCOM-2025-70-57", "suspension", "2025-11-07", "2025-11-07", "2026-11-10", "", "CHN-MOFCOM-2025-57", "280530", ""},
		{"CHN-MOFCOM-2025-70-58", "suspension", "2025-11-07", "2025-11-07", "2026-11-10", "", "CHN-MOFCOM-2025-58", "850760 284290 285390", ""},
		{"CHN-MOFCOM-2025-70-61", "suspension", "2025-11-07", "2025-11-07", "2026-11-10", "", "CHN-MOFCOM-2025-61", "", ""},
		{"CHN-MOFCOM-2025-70-62", "suspension", "2025-11-07", "2025-11-07", "2026-11-10", "", "CHN-MOFCOM-2025-62", "", ""},
		{"CHN-MOFCOM-2025-72", "suspension", "2025-11-09", "2025-11-09", "2026-11-27", "USA", "CHN-MOFCOM-2024-46", c46, ""},
	} {
		m, ok := byID[c.id]
		if !ok {
			t.Errorf("no default measure %s", c.id)
			continue
		}
		delete(byID, c.id)
		if m.Type != c.typ || day(m.Announced) != c.announced || day(m.Effective) != c.effective || day(m.End) != c.end ||
			strings.Join(m.Targets, ",") != c.targets || m.Imposing != "CHN" || m.Suspends != c.suspends {
			t.Errorf("%s: %s %s %s %s %v %s suspends %q", c.id, m.Type, day(m.Announced), day(m.Effective), day(m.End), m.Targets, m.Imposing, m.Suspends)
		}
		var codes []string
		for _, code := range m.Codes {
			codes = append(codes, code.HS)
			if code.Revision != "HS2022" {
				t.Errorf("%s %s: revision %q", c.id, code.HS, code.Revision)
			}
		}
		if got := strings.Join(codes, " "); got != c.codes {
			t.Errorf("%s: codes %s, want %s", c.id, got, c.codes)
		}
		for _, u := range strings.Fields(c.untraced) {
			if !strings.Contains(m.Unsourced, u) {
				t.Errorf("%s: unsourced does not name %s: %s", c.id, u, m.Unsourced)
			}
		}
	}
	for id := range byID {
		t.Errorf("default measure %s is not checked here", id)
	}
}

// Each 6-digit code of a default measure of China's is the subheading of a
// 10-digit line its citation quotes (the announcement's reference code).
func TestDefaultCodesTraceToTheirLines(t *testing.T) {
	for _, m := range Default() {
		if m.Type == Suspension {
			continue // its codes are the suspended measure's
		}
		if m.ID == "CHN-MOFCOM-2024-46" {
			continue // item 2 names items, not lines: the codes of Nos. 23 and 33
		}
		for _, c := range m.Codes {
			if len(c.HS) == 6 && !strings.Contains(m.Citation, "-> "+c.HS) && !strings.Contains(m.Citation, ", "+c.HS) {
				t.Errorf("%s: %s is mapped from no line of the citation", m.ID, c.HS)
			}
			if len(c.HS) == 6 && !regexp.MustCompile(`\b`+c.HS+`\d{2}(\d{2})?\b`).MatchString(m.Citation) {
				t.Errorf("%s: the citation quotes no tariff line in %s", m.ID, c.HS)
			}
			if len(c.HS) == 4 && !strings.Contains(m.Citation, "heading "+c.HS) {
				t.Errorf("%s: heading %s is not explained in the citation", m.ID, c.HS)
			}
		}
	}
}

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
