package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The README's spreadsheet job, as an analyst would use it: a workbook
// with a title, a header on row 3, names for countries.
func TestSheetJobFromReadme(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox", "analyst")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Imports")
	rows := [][]any{
		{"US imports of gallium, our broker's figures"},
		{},
		{"Year", "Partner country", "HS code", "Value (USD thousand)"},
		{2023, "China", 811292, 6000},
		{2023, "Germany", 811292, 4000},
		{2023, "World", 811292, 12000},
		{2023, "Atlantis", 811292, 10},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Imports", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(filepath.Join(inbox, "broker.xlsx")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cfg := writeConfig(t, dir, `jobs:
  - name: analyst-imports
    source: sheet
    schedule: "*/30 * * * *"
    config:
      paths: ["`+inbox+`/*.xlsx"]
      table: trade_flows
      sheet: Imports
      header_row: 3
      columns: { period: Year, partner_iso3: "Partner country", hs_code: "HS code", value_usd: "Value (USD thousand)" }
      constants: { freq: A, flow: import, reporter_iso3: USA }
      multipliers: { value_usd: 1000 }
`)
	wh := filepath.Join(dir, "wh")
	out := mustCLI(t, "--warehouse", wh, "run", "--config", cfg)
	if !strings.Contains(out, "4 rows in, 3 loaded") || !strings.Contains(out, "1 rejected") {
		t.Errorf("summary: %s", out)
	}
	db := queryDB(t, wh)
	var share float64
	if err := db.QueryRow(`SELECT share FROM import_shares WHERE partner_iso3 = 'CHN' AND hs_code = '811292'
		AND source = 'sheet'`).Scan(&share); err != nil || share != 0.5 {
		t.Errorf("China's share %v (%v), want 6000/12000", share, err)
	}
	var ref, col string
	var row int64
	if err := db.QueryRow(`SELECT source_ref, source_row, source_column FROM rejected_rows`).Scan(&ref, &row, &col); err != nil ||
		!strings.HasSuffix(ref, "broker.xlsx#Imports") || row != 7 || col != "Partner country" {
		t.Errorf("rejection at %s row %d column %q (%v)", ref, row, col, err)
	}
	db.Close()
	// The same workbook again is not loaded again.
	out = mustCLI(t, "--warehouse", wh, "run", "--config", cfg)
	if !strings.Contains(out, "0 rows in") {
		t.Errorf("unchanged workbook loaded again: %s", out)
	}
}
