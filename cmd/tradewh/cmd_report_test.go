package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo run builds the report and prints where it is; tradewh report
// writes it again where asked, for a group, as of a past time; a config's
// report section makes a configured run rebuild it.
func TestReportCommand(t *testing.T) {
	wh := t.TempDir()
	out := mustCLI(t, "--warehouse", wh, "run")
	page := filepath.Join(wh, "report", "index.html")
	if !strings.Contains(out, "Report (") || !strings.Contains(out, page) {
		t.Fatalf("the demo run does not say where its report is:\n%s", out)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `id="illustrative"`) {
		t.Error("the demo's report does not say its flows are illustrative")
	}

	ga := filepath.Join(t.TempDir(), "ga.html")
	out = mustCLI(t, "--warehouse", wh, "report", "--commodity", "gallium_germanium", "--as-of", "2100-01-01", "--output", ga)
	if !strings.Contains(out, ga) {
		t.Errorf("report prints %q, not %s", out, ga)
	}
	b, err = os.ReadFile(ga)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `id="gallium_germanium"`) || strings.Contains(s, `id="rare_earths"`) ||
		!strings.Contains(s, "2100-01-01 00:00:00 UTC") {
		t.Error("--commodity or --as-of did not shape the page")
	}

	for _, bad := range [][]string{{"--as-of", "yesterday"}, {"--reporter", "XYZ"}, {"--commodity", "unobtainium"}} {
		if code, _, errs := cli(t, append([]string{"--warehouse", wh, "report"}, bad...)...); code != exitUsage || !strings.Contains(errs, bad[0]) {
			t.Errorf("report %s: exit %d, %s", strings.Join(bad, " "), code, errs)
		}
	}

	// A configured run with a report section writes it where it says.
	cfg := filepath.Join(t.TempDir(), "jobs.yaml")
	usgs := filepath.Join(wh, "raw", "demo", "usgs")
	if err := os.WriteFile(cfg, []byte(`report: { output: nightly/report.html, commodity: tungsten }
jobs:
  - name: usgs
    source: usgs-mcs
    schedule: "0 3 * * *"
    config: { paths: ["`+filepath.ToSlash(usgs)+`"] }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustCLI(t, "--warehouse", wh, "run", "--config", cfg)
	nightly := filepath.Join(wh, "nightly", "report.html")
	if !strings.Contains(out, nightly) {
		t.Errorf("configured run does not print its report:\n%s", out)
	}
	if b, err := os.ReadFile(nightly); err != nil || !strings.Contains(string(b), `id="tungsten"`) {
		t.Errorf("nightly report: %v", err)
	}
}
