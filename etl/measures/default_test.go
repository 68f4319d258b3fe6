package measures

import (
	"regexp"
	"strings"
	"testing"
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
