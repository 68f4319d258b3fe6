package usgsmcs

import (
	"archive/zip"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rejectedAt finds the rejection of one cell.
func rejectedAt(rej []etl.Rejection, row int64, column string) *etl.Rejection {
	for i := range rej {
		if rej[i].Row == row && rej[i].Column == column {
			return &rej[i]
		}
	}
	return nil
}

// NaN and infinities are not figures: strconv.ParseFloat takes them, the
// tables never mean them.
func TestNonFiniteCellsRejected(t *testing.T) {
	path := writeFile(t, "mcs2025-raree_salient.csv",
		"DataSource,Commodity,Year,USprod_t,Imports_t,NIR_pct\n"+
			"MCS2025,Rare Earths,2022,NaN,10,50\n"+
			"MCS2025,Rare Earths,2023,5,inf,-Infinity\n"+
			"MCS2025,Rare Earths,2024,6,11,>nan\n")
	rows, rej := run(t, "", path)
	if len(rows) != 5 {
		t.Errorf("%d rows, want 5: %+v", len(rows), rows)
	}
	for _, c := range []struct {
		row int64
		col string
	}{{1, "USprod_t"}, {2, "Imports_t"}, {2, "NIR_pct"}, {3, "NIR_pct"}} {
		r := rejectedAt(rej, c.row, c.col)
		if r == nil || r.Ref != path || !strings.Contains(r.Reason, "number") {
			t.Errorf("row %d %s: rejection %v, want one naming %s", c.row, c.col, r, path)
		}
	}
	if len(rej) != 4 {
		t.Errorf("%d rejections, want 4: %v", len(rej), rej)
	}
}

// A row cut short (a truncated download) would load its cut last number.
func TestTruncatedRowRejected(t *testing.T) {
	path := writeFile(t, "mcs2025-raree_salient.csv",
		"DataSource,Commodity,Year,USprod_t,Imports_t,NIR_pct\n"+
			"MCS2025,Rare Earths,2022,43000,10900,95\n"+
			"MCS2025,Rare Earths,2023,41,")
	rows, rej := run(t, "", path)
	if len(rows) != 3 {
		t.Errorf("%d rows, want the 3 of the whole row: %+v", len(rows), rows)
	}
	if len(rej) != 1 || rej[0].Row != 2 || rej[0].Column != "NIR_pct" || !strings.Contains(rej[0].Reason, "cut short") {
		t.Errorf("rejections %v, want row 2 cut short at NIR_pct", rej)
	}
	world := writeFile(t, "mcs2025-raree_world.csv",
		"Source,Country,Type,Prod_t_2023,Prod_t_2024,Reserves_t\n"+
			"MCS2025,China,Mine production,240000,270000,44000000\n"+
			"MCS2025,Burma,Mine production,38000,3")
	rows, rej = run(t, "", world)
	if len(rows) != 3 || len(rej) != 1 || rej[0].Row != 2 || rej[0].Column != "Reserves_t" {
		t.Errorf("world: %d rows, rejections %v; want 3 rows and row 2 rejected", len(rows), rej)
	}
}

// writeFormulaWorkbook writes a salient table whose 15 figures are
// formulas saved without values, as a tool that does not calculate
// writes them; one more figure is a formula nothing can calculate.
func writeFormulaWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	s := "Sheet1"
	header := []any{"DataSource", "Commodity", "Year", "USprod_t", "Imports_t", "Exports_t", "Consump_t", "NIR_pct", "Stocks_t"}
	if err := f.SetSheetRow(s, "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, year := range []int{2022, 2023, 2024} {
		r := i + 2
		row := []any{"MCS2025", "Rare Earths", year}
		if err := f.SetSheetRow(s, "A"+strconv.Itoa(r), &row); err != nil {
			t.Fatal(err)
		}
		for j, col := range []string{"D", "E", "F", "G", "H"} {
			if err := f.SetCellFormula(s, col+strconv.Itoa(r), strconv.Itoa(1000*(j+1))+"+"+strconv.Itoa(year-2000)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SetCellFormula(s, "I4", "NOSUCHFUNCTION(1)"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestFormulasWithoutCachedValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcs2025-raree_salient.xlsx")
	writeFormulaWorkbook(t, path)
	rows, rej := run(t, "", path)
	if len(rows) != 15 {
		t.Fatalf("%d rows, want the 15 calculated figures", len(rows))
	}
	want(t, one(t, rows, "Imports_t", 2023, "USA"), etl.F(2023), "", "imports", "", "t")
	if len(rej) != 1 || rej[0].Row != 3 || rej[0].Column != "Stocks_t" || !strings.Contains(rej[0].Reason, "=NOSUCHFUNCTION(1)") {
		t.Errorf("rejections %v, want Stocks_t of row 3 naming its formula", rej)
	}
}

func TestWorkbooksThatCannotBeRead(t *testing.T) {
	dir := t.TempDir()
	locked := filepath.Join(dir, "mcs2025-raree_salient.xlsx")
	writeFormulaWorkbook(t, locked)
	f, err := excelize.OpenFile(locked)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(locked, excelize.Options{Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	notBook := filepath.Join(dir, "mcs2025-germa_salient.xlsx")
	zf, _ := os.Create(notBook)
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("not a workbook"))
	zw.Close()
	zf.Close()

	text := filepath.Join(dir, "mcs2025-galli_salient.xlsx")
	os.WriteFile(text, []byte("DataSource,Commodity,Year\n"), 0o644)

	for path, msg := range map[string]string{
		locked:  "password-protected",
		notBook: "a zip archive but not an .xlsx workbook",
		text:    "not a zip archive",
	} {
		_, err := readFile(path)
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want %q", filepath.Base(path), err, msg)
		}
	}
}

func TestHeaderOnlyTableWarns(t *testing.T) {
	path := writeFile(t, "mcs2025-raree_salient.csv", "DataSource,Commodity,Year,USprod_t\n\n")
	var logs bytes.Buffer
	src := &Source{Paths: []string{path}, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := src.Extract(t.Context(), &etl.MemorySink{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "no data rows") || !strings.Contains(logs.String(), path) {
		t.Errorf("no warning naming the file: %s", logs.String())
	}
}

// A file whose name holds [ or ] is a file when it exists, not a pattern.
func TestBracketsInAFileName(t *testing.T) {
	path := writeFile(t, "mcs2025-raree_salient [copy].csv", "DataSource,Commodity,Year,USprod_t\nMCS2025,Rare Earths,2024,5\n")
	rows, _ := run(t, "", path)
	if len(rows) != 1 {
		t.Errorf("%d rows, want 1", len(rows))
	}
}

// A unit suffix the source does not know keeps its own name: MCS 2022's
// gypsum table gives wallboard products in million square feet
// (Products_msqft), which must not become 26,200 t.
func TestUnknownUnitSuffixKept(t *testing.T) {
	path := writeFile(t, "mcs2022-gypsu_salient.csv", "\ufeffDataSource,Commodity,Year,USprod_Crude_kt,USprod_Synthetic_kt,Calcined_kt,Products_msqft,Imports_kt,Exports_kt,Consump_kt,Price_Crude_dt,Employment_num,NIR_pct\n"+
		"MCS2022,Gypsum,2021,\"22,000\",\"11,000\",\"18,000\",\"26,200\",\"6,300\",40,\"39,000\",10,\"4,500\",14\n")
	var logs bytes.Buffer
	src := &Source{Paths: []string{path}, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	sink := &etl.MemorySink{}
	defer sink.Release()
	if err := src.Extract(t.Context(), sink); err != nil {
		t.Fatal(err)
	}
	rows, rej := run(t, "", path)
	if len(rej) != 0 {
		t.Errorf("rejections %v", rej)
	}
	want(t, one(t, rows, "Products_msqft", 2021, "USA"), etl.F(26200), "", "products", "", "msqft")
	want(t, one(t, rows, "Consump_kt", 2021, "USA"), etl.F(39000000), "", "consumption", "", "t")
	if !strings.Contains(logs.String(), `Products_msqft (unit \"msqft\")`) {
		t.Errorf("no warning listing the unit: %s", logs.String())
	}
}

// Files named as people save them: the edition and abbreviation are found
// wherever they stand, and one file that cannot be read is rejected while
// the others of the folder load.
func TestFileNamesAsSaved(t *testing.T) {
	dir := t.TempDir()
	salient := "DataSource,Commodity,Year,USprod_t\nMCS2022,%s,2021,5\n"
	world := "Source,Country,Type,Prod_t_2021,Reserves_t\nMCS2022,China,Mine production,100,2000\n"
	files := map[string]string{
		"rare_earths_mcs2022-raree_world.csv":     world,
		"germanium_mcs2022-germa_salient.csv":     strings.Replace(salient, "%s", "Germanium", 1),
		"mcs2023-zirco-hafni_world.csv":           strings.Replace(world, "MCS2022", "MCS2023", 1),
		"MCS2022-galli_salient (1).csv":           strings.Replace(salient, "%s", "Gallium", 1),
		"mcs2022-xyzzy_world.csv":                 world, // an abbreviation nobody knows
		"notes.txt":                               "not a table",
		"rare_earths_mcs2022-raree_world.csv.bak": world,
	}
	for n, body := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := &Source{Paths: []string{dir}}
	sink := &etl.MemorySink{}
	defer sink.Release()
	if err := src.Extract(t.Context(), sink); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range etltest.MineralStats(t, sink) {
		got[r.Edition+" "+r.Commodity]++
	}
	wantRows := map[string]int{"MCS2022 rare_earths": 2, "MCS2022 germanium": 1, "MCS2023 zirconium_and_hafnium": 2, "MCS2022 gallium": 1}
	if fmt.Sprint(got) != fmt.Sprint(wantRows) {
		t.Errorf("rows %v, want %v", got, wantRows)
	}
	bad := filepath.Join(dir, "mcs2022-xyzzy_world.csv")
	if len(sink.Rejections) != 1 || sink.Rejections[0].Ref != bad || !strings.Contains(sink.Rejections[0].Reason, `abbreviation "xyzzy"`) {
		t.Errorf("rejections %v, want the xyzzy file's", sink.Rejections)
	}
	if len(src.FailedFiles) != 1 || src.FailedFiles[0] != bad {
		t.Errorf("failed files %v", src.FailedFiles)
	}
	src = &Source{Paths: []string{dir}, Strict: true}
	if err := src.Extract(t.Context(), &etl.MemorySink{}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("strict: %v, want the load to fail naming %s", err, bad)
	}
}

// A comma is a thousands separator only between groups of three digits
// before any decimal point: "12,5" is not 125, nor "12.200,5" 12.2005.
func TestCommasThatAreNotThousandsSeparators(t *testing.T) {
	for _, tc := range []struct {
		cell string
		want *float64 // nil: the cell is rejected
		qual string
	}{
		{`"7,900"`, etl.F(7900), ""},
		{`"1,234,567.5"`, etl.F(1234567.5), ""},
		{`">1,000"`, etl.F(1000), ">"},
		{`"e24,000"`, etl.F(24000), ""},
		{`"12,5"`, nil, ""},
		{`"12.200,5"`, nil, ""},
		{`"1,2345"`, nil, ""},
		{`"1234,567"`, nil, ""},
		{`",500"`, nil, ""},
		{`"500,"`, nil, ""},
		{`"<0,5"`, nil, ""},
		{`"1,5-3"`, nil, ""},
		{`"Less than 2,5 tons"`, nil, ""},
	} {
		t.Run(tc.cell, func(t *testing.T) {
			path := writeFile(t, "mcs2025-raree_salient.csv",
				"DataSource,Commodity,Year,USprod_t,Imports_t\n"+
					"MCS2025,Rare Earths,2024,"+tc.cell+",10\n")
			rows, rej := run(t, "", path)
			if tc.want != nil {
				if len(rej) != 0 {
					t.Fatalf("rejections %v", rej)
				}
				want(t, one(t, rows, "USprod_t", 2024, "USA"), tc.want, tc.qual, "production", "", "t")
				return
			}
			r := rejectedAt(rej, 1, "USprod_t")
			if len(rej) != 1 || r == nil || r.Ref != path || !strings.Contains(r.Reason, "not a thousands separator") {
				t.Errorf("rejections %v, want row 1 USprod_t of %s: a comma that is not a thousands separator", rej, path)
			}
			if len(find(rows, "USprod_t", 2024, "USA")) != 0 || len(find(rows, "Imports_t", 2024, "USA")) != 1 {
				t.Errorf("rows %+v, want only Imports_t", rows)
			}
		})
	}
}

// Tungsten and manganese prices are quoted per metric ton unit (1% of a
// tonne: 10 kg of WO3, or of contained Mn) under the suffix _dt: read as
// dollars per tonne they would be 100 times too small. The unit USGS uses
// is kept; a tungsten column in another unit keeps that unit.
func TestPricesPerMetricTonUnit(t *testing.T) {
	for _, tc := range []struct {
		file, header, cells string
		column, product     string
		value               float64
		unit                string
	}{
		{"mcs2025-tungs_salient.csv", "Price_WO3dt", "275", "Price_WO3dt", "wo3", 275, "usd_per_mtu_wo3"},
		{"mcs2025-tungs_salient.csv", "Price_APT_dt", "\"1,205\"", "Price_APT_dt", "apt", 1205, "usd_per_mtu_wo3"},
		{"mcs2025-tungs_salient.csv", "Price_Powder_dkg", "45", "Price_Powder_dkg", "powder", 45, "usd_per_kg"},
		{"mcs2025-manga_salient.csv", "Price_CN_CIF_dt", "5.97", "Price_CN_CIF_dt", "cn-cif", 5.97, "usd_per_mtu_mn"},
		{"mcs2025-lithi_salient.csv", "Price_dt", "\"46,000\"", "Price_dt", "", 46000, "usd_per_t"},
	} {
		t.Run(tc.file+" "+tc.header, func(t *testing.T) {
			com := map[string]string{"tungs": "Tungsten", "manga": "Manganese", "lithi": "Lithium"}[tc.file[8:13]]
			path := writeFile(t, tc.file, "DataSource,Commodity,Year,Imports_t,"+tc.header+",NIR_pct\n"+
				"MCS2025,"+com+",2024,1500,"+tc.cells+",>50\n")
			rows, rej := run(t, "", path)
			if len(rej) != 0 {
				t.Fatalf("rejections %v", rej)
			}
			want(t, one(t, rows, tc.column, 2024, "USA"), etl.F(tc.value), "", "price", tc.product, tc.unit)
			want(t, one(t, rows, "Imports_t", 2024, "USA"), etl.F(1500), "", "imports", "", "t")
		})
	}
}

// A CSV cell is held to a workbook's limit: a row with a longer cell is
// rejected with its text cut, and the rest of the table loads.
func TestLongCSVCellRejectsRow(t *testing.T) {
	path := writeFile(t, "mcs2024-galli_salient.csv", "DataSource,Commodity,Year,USprod_Primarykg,Imports_Metalkg,NIR_pct\n"+
		"MCS2024,Gallium,2022,0,11400,100\n"+
		"MCS2024,Gallium,2023,0,"+strings.Repeat("1", 1<<20)+",100\n")
	rows, rej := run(t, "", path)
	if len(rows) != 3 || len(find(rows, "Imports_Metalkg", 2022, "USA")) != 1 {
		t.Errorf("%d rows, want the 3 of 2022: %+v", len(rows), rows)
	}
	if len(rej) != 1 || rej[0].Ref != path || rej[0].Row != 2 || rej[0].Column != "Imports_Metalkg" ||
		!strings.Contains(rej[0].Reason, "cell E3 holds 1048576 characters") || len(rej[0].Raw) > 300 {
		t.Errorf("rejections %v, want row 2 rejected at Imports_Metalkg with its text cut", rej)
	}
}
