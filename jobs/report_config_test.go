package jobs

import (
	"strings"
	"testing"
)

// The report section: off unless present; true, empty or a mapping turn
// it on; its fields are checked like the rest of the file.
func TestParseReportSection(t *testing.T) {
	const job = "jobs:\n  - { name: x, source: testkind, schedule: '@daily', config: { freq: A, from: 2000 } }\n"
	tests := []struct {
		name, yaml string
		want       *ReportConfig
		problem    string
	}{
		{"absent", job, nil, ""},
		{"true", "report: true\n" + job, &ReportConfig{}, ""},
		{"false", "report: false\n" + job, nil, ""},
		{"empty", "report:\n" + job, &ReportConfig{}, ""},
		{"mapping", "report: { output: r.html, reporter: JPN, commodity: graphite }\n" + job,
			&ReportConfig{Output: "r.html", Reporter: "JPN", Commodity: "graphite"}, ""},
		{"unknown key", "report: { outptu: r.html }\n" + job, nil, "report.outptu"},
		{"bad commodity", "report: { commodity: unobtainium }\n" + job, nil, `unknown commodity group "unobtainium"`},
		{"bad reporter", "report: { reporter: XXX }\n" + job, nil, `unknown ISO 3166 alpha-3 country code "XXX"`},
		{"not a mapping", "report: [a]\n" + job, nil, "must be a mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("c.yaml", []byte(tc.yaml))
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("error %v, want one containing %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (cfg.Report == nil) != (tc.want == nil) || cfg.Report != nil && *cfg.Report != *tc.want {
				t.Errorf("report %+v, want %+v", cfg.Report, tc.want)
			}
		})
	}
}
