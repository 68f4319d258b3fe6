package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// report --as-of never replaces the current report: without --output it
// writes a page of its own, named for the time; a time before the
// warehouse's first figures is refused, saying when they came, and writes
// nothing.
func TestReportAsOfKeepsTheDefaultReport(t *testing.T) {
	wh := t.TempDir()
	mustCLI(t, "--warehouse", wh, "run")
	page := filepath.Join(wh, "report", "index.html")
	before, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}

	code, out, errs := cli(t, "--warehouse", wh, "report", "--as-of", "2000-01-01")
	hint := regexp.MustCompile(`give --as-of "([^"]+)" or later`).FindStringSubmatch(errs)
	if code != exitUsage || !strings.Contains(errs, "--as-of 2000-01-01 00:00:00 UTC") || !strings.Contains(errs, "first figures") || hint == nil {
		t.Fatalf("--as-of before the warehouse: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	// The time the refusal suggests is accepted.
	hinted := filepath.Join(t.TempDir(), "first.html")
	mustCLI(t, "--warehouse", wh, "report", "--as-of", hint[1], "--output", hinted)

	out = mustCLI(t, "--warehouse", wh, "report", "--as-of", "2100-01-01")
	asOf := filepath.Join(wh, "report", "as-of-2100-01-01T000000Z.html")
	if !strings.Contains(out, asOf) {
		t.Errorf("report --as-of prints %q, not %s", out, asOf)
	}
	if b, err := os.ReadFile(asOf); err != nil || !strings.Contains(string(b), `id="gallium_germanium"`) || !strings.Contains(string(b), "2100-01-01 00:00:00 UTC") {
		t.Errorf("the as-of page: %v", err)
	}
	if after, _ := os.ReadFile(page); !bytes.Equal(after, before) {
		t.Error("report --as-of replaced the default report")
	}
	ents, _ := os.ReadDir(filepath.Join(wh, "report"))
	if len(ents) != 2 {
		t.Errorf("report folder: %v, want index.html and the as-of page", ents)
	}
}
