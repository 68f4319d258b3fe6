package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tradewh/tradewh/etl/etltest"
)

// readTable reads a salient CSV as USGS publishes it: BOM, CRLF, quoted
// thousands; the empty columns USGS pads some rows with are dropped.
func readTable(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Errorf("%s does not start with a byte-order mark", path)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out [][]string
	for _, row := range rows {
		for len(row) > 0 && row[len(row)-1] == "" {
			row = row[:len(row)-1]
		}
		if len(row) > 0 {
			out = append(out, row)
		}
	}
	return out
}

// The demo's USGS tables are MCS 2024's, figure for figure: every column
// name, year, value and qualifier the demo writes equals the published
// file's, and the demo covers every seed commodity.
func TestDemoSalientTablesArePublishedMCS2024(t *testing.T) {
	real := etltest.SharedFile(t, filepath.Join("usgs", "mcs2024", "salient"))
	dir := t.TempDir()
	if _, err := Write(dir); err != nil {
		t.Fatal(err)
	}
	written := map[string]bool{}
	for _, tbl := range salientTables {
		written[tbl.file] = true
	}
	written[tungstenXLSX.file] = true
	for _, abbr := range []string{"raree", "galli", "germa", "antim", "graph"} {
		name := "mcs2024-" + abbr + "_salient.csv"
		if !written[name] {
			t.Errorf("the demo has no %s", name)
			continue
		}
		want := readTable(t, filepath.Join(real, name))
		got := readTable(t, filepath.Join(dir, "usgs", name))
		compareTables(t, name, got, want)
	}

	// Tungsten ships as a workbook: figures as numbers, qualifiers as text.
	want := readTable(t, filepath.Join(real, "mcs2024-tungs_salient.csv"))
	f, err := excelize.OpenFile(filepath.Join(dir, "usgs", tungstenXLSX.file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	compareTables(t, tungstenXLSX.file, got, want)
	for r, row := range tungstenXLSX.rows {
		for c, v := range row {
			if _, isText := v.(string); isText == isNumber(want[r+1][c]) {
				t.Errorf("%s row %d column %s: %v stored as %T, published %q", tungstenXLSX.file, r+2, want[0][c], v, v, want[r+1][c])
			}
		}
	}
}

func isNumber(s string) bool {
	var f float64
	_, err := fmt.Sscan(s, &f)
	return err == nil && !strings.ContainsAny(s, "<>")
}

func compareTables(t *testing.T, name string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, the published file has %d", name, len(got), len(want))
	}
	for r := 0; r < len(got) && r < len(want); r++ {
		if len(got[r]) != len(want[r]) {
			t.Errorf("%s row %d: %d columns, published %d", name, r+1, len(got[r]), len(want[r]))
		}
		for c := 0; c < len(got[r]) && c < len(want[r]); c++ {
			if got[r][c] != want[r][c] {
				t.Errorf("%s row %d column %d (%s): %q, published %q", name, r+1, c+1, want[0][c], got[r][c], want[r][c])
			}
		}
	}
}
