package sheet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// The pipeline finds the capability by type assertion.
var _ interface{ Committed(context.Context) error } = (*Source)(nil)

func smallConfig(paths ...string) map[string]any {
	return cfgOf(paths, "trade_flows",
		map[string]any{"period": "Year", "partner_iso3": "Partner", "hs_code": "HS", "value_usd": "Value"},
		map[string]any{"flow": "import", "reporter_iso3": "USA"}, nil, nil)
}

func sha(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestUnchangedFileSkippedOnlyAfterCommit(t *testing.T) {
	dir, raw := t.TempDir(), t.TempDir()
	a := writeFile(t, filepath.Join(dir, "inbox", "a.csv"), "Year,Partner,HS,Value\n2023,CHN,811292,10\n2023,CAN,811292,20\n")
	b := writeFile(t, filepath.Join(dir, "inbox", "b.csv"), "Year,Partner,HS,Value\n2022,CHN,811292,5\n")
	var logs bytes.Buffer
	rt := etl.Runtime{RawDir: raw, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	glob := filepath.Join(dir, "inbox", "*.csv")
	jobDir := filepath.Join(raw, "sheet", "analyst")
	statePath := filepath.Join(jobDir, "seen.json")

	src := build(t, smallConfig(glob), rt)
	if n := extract(t, src).Rows(etl.TradeFlows); n != 3 {
		t.Fatalf("first run: %d rows", n)
	}
	// Each loaded file is in the landing zone, named by its hash.
	for _, f := range []string{a, b} {
		landed := filepath.Join(jobDir, sha(t, f)[:12]+"-"+filepath.Base(f))
		if got, want := sha(t, landed), sha(t, f); got != want {
			t.Errorf("landed copy of %s differs", f)
		}
	}
	if _, err := os.Stat(statePath); !os.IsNotExist(err) {
		t.Fatalf("state written before the commit: %v", err)
	}

	// The load did not commit (no Committed call): the next run loads again.
	src = build(t, smallConfig(glob), rt)
	if n := extract(t, src).Rows(etl.TradeFlows); n != 3 || src.SkippedFiles != 0 {
		t.Fatalf("uncommitted rerun: %d rows, %d skipped", n, src.SkippedFiles)
	}
	if err := src.Committed(t.Context()); err != nil {
		t.Fatal(err)
	}
	var st state
	data, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if e := st.Files[sha(t, a)]; e.Path != a || e.Rows != 2 || e.LoadedAt.IsZero() {
		t.Errorf("state entry of a.csv: %+v", e)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(jobDir, ".part-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// Committed: both files are skipped the next time.
	src = build(t, smallConfig(glob), rt)
	if n := extract(t, src).Rows(etl.TradeFlows); n != 0 || src.SkippedFiles != 2 {
		t.Fatalf("committed rerun: %d rows, %d skipped", n, src.SkippedFiles)
	}
	if !strings.Contains(logs.String(), "file skipped: unchanged since it was loaded") {
		t.Errorf("skips not logged:\n%s", logs.String())
	}

	// A changed file loads again; the unchanged one stays skipped.
	writeFile(t, a, "Year,Partner,HS,Value\n2023,CHN,811292,11\n2023,CAN,811292,20\n")
	src = build(t, smallConfig(glob), rt)
	if n := extract(t, src).Rows(etl.TradeFlows); n != 2 || src.SkippedFiles != 1 {
		t.Fatalf("changed file: %d rows, %d skipped", n, src.SkippedFiles)
	}
	if err := src.Committed(t.Context()); err != nil {
		t.Fatal(err)
	}

	// A failed run records nothing.
	writeFile(t, filepath.Join(dir, "inbox", "c.csv"), "Jahr,Partner,HS,Value\n2023,CHN,811292,1\n")
	before, _ := os.ReadFile(statePath)
	src = build(t, smallConfig(glob), rt)
	if err := src.Extract(t.Context(), &etl.MemorySink{}); err == nil || !strings.Contains(err.Error(), "c.csv") {
		t.Fatalf("bad file: %v", err)
	}
	if err := src.Committed(t.Context()); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(statePath); !bytes.Equal(before, after) {
		t.Error("a failed run changed the state file")
	}
	os.Remove(filepath.Join(dir, "inbox", "c.csv"))

	// A changed mapping loads every file again.
	cfg := smallConfig(glob)
	cfg["multipliers"] = map[string]any{"value_usd": 1000}
	src = build(t, cfg, rt)
	if n := extract(t, src).Rows(etl.TradeFlows); n != 3 || src.SkippedFiles != 0 {
		t.Fatalf("changed mapping: %d rows, %d skipped", n, src.SkippedFiles)
	}

	// Replay loads the committed files from the landing zone, in load
	// order, under their original names, without the inbox.
	if err := os.RemoveAll(filepath.Join(dir, "inbox")); err != nil {
		t.Fatal(err)
	}
	rt.Replay = true
	src = build(t, smallConfig(glob), rt)
	sink := extract(t, src)
	got := rowsOf(sink, etl.TradeFlows, "partner_iso3", "value_usd", "source_ref")
	// a.csv (first version) and b.csv were committed together, then a.csv's
	// second version.
	want := []string{
		"partner_iso3=CHN value_usd=10 source_ref=" + a, "partner_iso3=CAN value_usd=20 source_ref=" + a,
		"partner_iso3=CHN value_usd=5 source_ref=" + b,
		"partner_iso3=CHN value_usd=11 source_ref=" + a, "partner_iso3=CAN value_usd=20 source_ref=" + a,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("replay:\n got %q\nwant %q", got, want)
	}
}

// Two copies of one file in an inbox load once.
func TestSameContentTwiceInOneRun(t *testing.T) {
	dir := t.TempDir()
	body := "Year,Partner,HS,Value\n2023,CHN,811292,10\n"
	writeFile(t, filepath.Join(dir, "a.csv"), body)
	writeFile(t, filepath.Join(dir, "a (copy).csv"), body)
	writeFile(t, filepath.Join(dir, "~$a.xlsx"), "lock")
	src := build(t, smallConfig(filepath.Join(dir, "*")), etl.Runtime{RawDir: t.TempDir()})
	if n := extract(t, src).Rows(etl.TradeFlows); n != 1 || src.SkippedFiles != 1 {
		t.Errorf("%d rows, %d skipped", n, src.SkippedFiles)
	}
}

func TestInputs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "notes.txt"), "x")
	for _, tc := range []struct {
		name, path, err string
	}{
		{"missing file", filepath.Join(dir, "nope.csv"), "no such file"},
		{"folder", dir, "is a folder; give files or a pattern"},
		{"other file type", filepath.Join(dir, "*.txt"), "not a .xlsx, .xlsm or .csv file"},
		{"empty glob", filepath.Join(dir, "*.xlsx"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := build(t, smallConfig(tc.path), etl.Runtime{}).Extract(t.Context(), &etl.MemorySink{})
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("got %v, want %q", err, tc.err)
			}
		})
	}
}
