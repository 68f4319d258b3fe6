package usgsmcs

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/sources/workbook/workbooktest"
)

// vocabulary is the set of measure/product/unit triples of rows.
func vocabulary(rows []etl.MineralStat, country string) []string {
	set := map[string]bool{}
	for _, r := range rows {
		if r.Country == country {
			set[r.Measure+"/"+r.Product+"/"+r.Unit] = true
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestRealXLSX(t *testing.T) {
	d := etltest.SharedFile(t, "usgs")
	path := filepath.Join(d, "xlsx/mcs2023-stond_salient.xlsx")
	rows, rej := run(t, "", path)
	salient := 0
	for _, r := range rows {
		if !strings.HasPrefix(r.Ref, path+"#") {
			t.Fatalf("source_ref %q does not name the sheet", r.Ref)
		}
		if r.Edition != "MCS2023" || r.Commodity != "stone_dimension" {
			t.Fatalf("row %+v", r)
		}
		if strings.HasSuffix(r.Ref, "#SalientCSV") {
			salient++
			if r.Year < 2018 || r.Year > 2022 || r.Country != "USA" {
				t.Fatalf("salient row %+v", r)
			}
		}
	}
	if salient == 0 {
		t.Fatal("no rows from the SalientCSV sheet")
	}
	want(t, one(t, rows, "USprod_Quantity_kt", 2018, "USA"), etl.F(2660000), "", "production", "quantity", "t")
	want(t, one(t, rows, "NIR_pct", 2022, "USA"), etl.F(82), "", "net_import_reliance", "", "pct")
	want(t, one(t, rows, "Prod_kt_est_2022", 2022, "WLD"), nil, "NA", "mine_production", "", "t")
	for _, r := range rej {
		t.Logf("rejected: %s", r)
		if !matchesAny(r.Reason, `"Variable, depending on type of product"|unknown country|residual group`) {
			t.Errorf("unexpected rejection %s", r)
		}
	}
	// the same table as CSV, a year later, speaks the same vocabulary
	csvRows, _ := run(t, "", filepath.Join(d, "mcs2024/salient/mcs2024-stond_salient.csv"))
	var salientRows []etl.MineralStat
	for _, r := range rows {
		if strings.HasSuffix(r.Ref, "#SalientCSV") {
			salientRows = append(salientRows, r)
		}
	}
	if a, b := strings.Join(vocabulary(salientRows, "USA"), " "), strings.Join(vocabulary(csvRows, "USA"), " "); a != b {
		t.Errorf("XLSX vocabulary\n  %s\nCSV vocabulary\n  %s", a, b)
	}
}

// writeWorkbook writes an MCS2025 salient table as the USGS workbooks do:
// a formatted sheet first, the data on a sheet of its own.
func writeWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "SalientTableToTransfer"))
	must(f.SetCellValue("SalientTableToTransfer", "A1", "Rare Earths"))
	must(f.SetCellValue("SalientTableToTransfer", "A2", "Salient Statistics—United States:"))
	_, err := f.NewSheet("SalientCSV")
	must(err)
	for i, row := range [][]any{
		{"DataSource", "Commodity", "Year", "USprod_Concentrate_t", "Imports_Compounds_kt", "Consump_Compounds-Metals_t", "Price_CeO2_dkg", "NIR_pct", "NIR_Concentrate_pct"},
		{"MCS2025", "Rare Earths", 2022, 42000, 10.9, "10,400", 1, ">95", "E"},
		{"MCS2025", "Rare Earths", 2023, 43000, 8.8, 8800, 1, ">95", "E"},
		{"MCS2025", "Rare Earths", 2024, 45000, "W", 9000, nil, ">95", "E"},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(f.SetSheetRow("SalientCSV", cell, &row))
	}
	must(f.SaveAs(path))
}

func TestWrittenXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcs2025-raree_salient.xlsx")
	writeWorkbook(t, path)
	rows, rej := run(t, "", path)
	if len(rej) != 0 {
		t.Errorf("rejections: %v", rej)
	}
	f := etl.F
	// a revised 2022 figure in the newer edition, under a renamed column
	r := one(t, rows, "Imports_Compounds_kt", 2022, "USA")
	want(t, r, f(10900), "", "imports", "compounds", "t")
	if r.Edition != "MCS2025" || r.Commodity != "rare_earths" || r.Ref != path+"#SalientCSV" || r.Row != 1 {
		t.Errorf("provenance %+v", r)
	}
	want(t, one(t, rows, "Consump_Compounds-Metals_t", 2022, "USA"), f(10400), "", "consumption", "compounds-metals", "t")
	want(t, one(t, rows, "NIR_pct", 2023, "USA"), f(95), ">", "net_import_reliance", "", "pct")
	want(t, one(t, rows, "NIR_Concentrate_pct", 2024, "USA"), nil, "E", "net_import_reliance", "concentrate", "pct")
	want(t, one(t, rows, "Imports_Compounds_kt", 2024, "USA"), nil, "W", "imports", "compounds", "t")
	if got := find(rows, "Price_CeO2_dkg", 2024, "USA"); len(got) != 0 {
		t.Errorf("an empty cell gave rows: %+v", got)
	}
	// MCS2024's CSV names the same statistics differently; the keys agree
	csv, _ := run(t, "", etltest.SharedFile(t, "usgs/mcs2024/salient/mcs2024-raree_salient.csv"))
	old := one(t, csv, "Imports_Compounds_t", 2022, "USA")
	if old.Measure != r.Measure || old.Product != r.Product || old.Unit != r.Unit || *old.Value == *r.Value {
		t.Errorf("MCS2024 %+v vs MCS2025 %+v: want one key, a revised value", old, r)
	}
	old = one(t, csv, "NIR_Concentrate_t", 2022, "USA")
	if n := one(t, rows, "NIR_Concentrate_pct", 2022, "USA"); old.Measure+old.Product+old.Unit != n.Measure+n.Product+n.Unit {
		t.Errorf("NIR keys differ: %+v vs %+v", old, n)
	}
}

func TestXLSXWithoutTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcs2025-raree_salient.xlsx")
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "Directions: copy salient table")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	err := (&Source{Paths: []string{path}, Strict: true}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), "no sheet starts with an MCS table header") || !strings.Contains(err.Error(), "Sheet1") {
		t.Fatalf("error %v", err)
	}
}

// A cell longer than a spreadsheet allows rejects its row, text cut, and
// the other rows load; a workbook inflating past the cap is refused whole,
// naming the file, and the other files of the load still load.
func TestWorkbookLimits(t *testing.T) {
	dir := t.TempDir()
	header := workbooktest.Row("DataSource", "Commodity", "Year", "USprod_Primarykg", "Imports_Metalkg", "NIR_pct")
	long := strings.Repeat("1", 1<<20)
	cells := filepath.Join(dir, "mcs2024-galli_salient.xlsx")
	if err := workbooktest.Write(cells, workbooktest.Part{Head: workbooktest.SheetHead + header +
		workbooktest.Row("MCS2024", "Gallium", "2021", "0", "8890", "100") +
		workbooktest.Row("MCS2024", "Gallium", "2022", "0", long, "100") +
		workbooktest.Row("MCS2024", "Gallium", "2023", "0", "9400", "100"), Tail: workbooktest.SheetTail}); err != nil {
		t.Fatal(err)
	}
	row := workbooktest.Row("MCS2024", "Germanium", "2023", "0", "9400", "100")
	bomb := filepath.Join(dir, "mcs2024-germa_salient.xlsx")
	if err := workbooktest.Write(bomb, workbooktest.Part{Head: workbooktest.SheetHead + header,
		Chunk: strings.Repeat(row, (1<<20)/len(row)), N: 1025, Tail: workbooktest.SheetTail}); err != nil {
		t.Fatal(err)
	}
	rows, rej := run(t, "", cells, bomb)
	if len(rows) != 6 || len(find(rows, "Imports_Metalkg", 2022, "USA")) != 0 {
		t.Errorf("%d rows, want the 6 figures of 2021 and 2023: %+v", len(rows), rows)
	}
	want(t, one(t, rows, "Imports_Metalkg", 2023, "USA"), etl.F(9400), "", "imports", "metal", "kg")
	if len(rej) != 2 {
		t.Fatalf("rejections %v, want the long row and the inflating workbook", rej)
	}
	if r := rej[0]; r.Ref != cells+"#Sheet1" || r.Row != 2 || r.Column != "Imports_Metalkg" ||
		!strings.Contains(r.Reason, "cell E3 holds 1048576 characters") || len(r.Raw) > 300 || !strings.Contains(r.Raw, "11111…") {
		t.Errorf("long cell: %v (raw %d bytes)", r, len(r.Raw))
	}
	if r := rej[1]; r.Ref != bomb || r.Row != 0 || !strings.Contains(r.Reason, "inflates to 1.0 GiB") || !strings.Contains(r.Reason, "256 MiB") {
		t.Errorf("inflating workbook: %v", r)
	}
}
