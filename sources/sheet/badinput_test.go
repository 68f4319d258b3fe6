package sheet

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/sources/workbook/workbooktest"
)

// China's monthly exports of 811292 by partner, as a research repository
// tabulates them: partner names as agencies write them (UAE, South Korea,
// Taiwan, Hong Kong, Russia, Iran, Czech Republic, ...). Every one is placed.
func TestRealMonthlyPartnerNames(t *testing.T) {
	file := etltest.SharedFile(t, "monthly/china_exports_811292_by_partner_monthly.csv")
	cfg := cfgOf([]string{file}, "trade_flows",
		map[string]any{"period": "period_dt", "partner_iso3": "partner_name", "hs_code": "hs6",
			"value_usd": "val", "net_weight_kg": "qty"},
		map[string]any{"reporter_iso3": "CHN", "flow": "export", "freq": "M"}, nil, nil)
	var logs bytes.Buffer
	sink := extract(t, build(t, cfg, etl.Runtime{Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	if len(sink.Rejections) != 0 {
		t.Errorf("%d rejections, first %v", len(sink.Rejections), sink.Rejections[0])
	}
	if n := sink.Rows(etl.TradeFlows); n != 1181 {
		t.Errorf("%d rows, want the file's 1181", n)
	}
	uae := 0
	for _, r := range rowsOf(sink, etl.TradeFlows, "partner_iso3") {
		if r == "partner_iso3=ARE" {
			uae++
		}
	}
	if uae == 0 {
		t.Error("no row of the United Arab Emirates (UAE)")
	}
	if strings.Contains(logs.String(), "no table places") {
		t.Errorf("unplaced names logged: %s", logs.String())
	}
}

// Names no table places are listed once per file, with their row counts.
func TestUnplacedNamesOneMessagePerFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.csv"), "period,partner,val\n2024-01,Atlantis,1\n2024-02,Atlantis,2\n2024-03,Lemuria,3\n2024-04,UAE,4\n")
	cfg := cfgOf([]string{filepath.Join(dir, "a.csv")}, "trade_flows",
		map[string]any{"period": "period", "partner_iso3": "partner", "value_usd": "val"},
		map[string]any{"reporter_iso3": "CHN", "flow": "export", "hs_code": "811292"}, nil, nil)
	var logs bytes.Buffer
	sink := extract(t, build(t, cfg, etl.Runtime{Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	if sink.Rows(etl.TradeFlows) != 1 || len(sink.Rejections) != 3 {
		t.Errorf("%d rows, %d rejections; want 1 and 3", sink.Rows(etl.TradeFlows), len(sink.Rejections))
	}
	if n := strings.Count(logs.String(), "no table places"); n != 1 ||
		!strings.Contains(logs.String(), `\"Atlantis\" (2 rows), \"Lemuria\" (1 rows)`) {
		t.Errorf("%d messages: %s", n, logs.String())
	}
}

// NaN and infinities are never figures, in any numeric column.
func TestNonFiniteNumbersRejected(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, filepath.Join(dir, "a.csv"), "period,partner,val,kg\n2024-01,USA,NaN,1\n2024-02,USA,2,inf\n2024-03,USA,3,-Infinity\n2024-04,USA,4,5\n")
	cfg := cfgOf([]string{file}, "trade_flows",
		map[string]any{"period": "period", "partner_iso3": "partner", "value_usd": "val", "net_weight_kg": "kg"},
		map[string]any{"reporter_iso3": "CHN", "flow": "export", "hs_code": "811292"}, nil, nil)
	sink := extract(t, build(t, cfg, etl.Runtime{}))
	got := rejections(sink)
	want := []string{
		file + ` row 2 column "val": "NaN" is not a number`,
		file + ` row 3 column "kg": "inf" is not a number`,
		file + ` row 4 column "kg": "-Infinity" is not a number`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejections:\n got %q\nwant %q", got, want)
	}
	if sink.Rows(etl.TradeFlows) != 1 {
		t.Errorf("%d rows, want 1", sink.Rows(etl.TradeFlows))
	}
	stats := writeFile(t, filepath.Join(dir, "s.csv"), "year,value\n2023,nan\n2024,>inf\n")
	cfg = cfgOf([]string{stats}, "mineral_statistics", map[string]any{"year": "year", "value": "value"},
		map[string]any{"edition": "MCS2025", "commodity": "gallium", "country_iso3": "USA", "measure": "production", "unit": "kg"}, nil, nil)
	sink = extract(t, build(t, cfg, etl.Runtime{}))
	if len(sink.Rejections) != 2 || sink.Rows(etl.MineralStatistics) != 0 {
		t.Errorf("statistics: %v", rejections(sink))
	}
}

// Formulas saved without their values (a workbook written by a tool that
// does not calculate) are calculated; one that cannot be is rejected, not
// read as a blank cell.
func TestWorkbookFormulasWithoutValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.xlsx")
	f := excelize.NewFile()
	head := []any{"Year", "Partner", "Value"}
	f.SetSheetRow("Sheet1", "A1", &head)
	for i := 0; i < 15; i++ {
		r := strconv.Itoa(i + 2)
		f.SetCellValue("Sheet1", "A"+r, 2010+i)
		f.SetCellValue("Sheet1", "B"+r, "CHN")
		if err := f.SetCellFormula("Sheet1", "C"+r, "A"+r+"*10"); err != nil {
			t.Fatal(err)
		}
	}
	f.SetCellValue("Sheet1", "A17", 2025)
	f.SetCellValue("Sheet1", "B17", "CHN")
	f.SetCellFormula("Sheet1", "C17", "NOSUCHFUNCTION(A17)")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	cfg := cfgOf([]string{path}, "trade_flows",
		map[string]any{"period": "Year", "partner_iso3": "Partner", "value_usd": "Value"},
		map[string]any{"reporter_iso3": "USA", "flow": "import", "hs_code": "811292"}, nil, nil)
	sink := extract(t, build(t, cfg, etl.Runtime{}))
	if n := sink.Rows(etl.TradeFlows); n != 15 {
		t.Errorf("%d rows, want the 15 calculated", n)
	}
	got := rowsOf(sink, etl.TradeFlows, "period", "value_usd")
	if len(got) > 0 && got[0] != "period=2010-01-01 value_usd=20100" {
		t.Errorf("first row %s", got[0])
	}
	rej := rejections(sink)
	if len(rej) != 1 || !strings.Contains(rej[0], `row 17 column "Value": cell C17 holds the formula =NOSUCHFUNCTION(A17)`) {
		t.Errorf("rejections %q", rej)
	}
}

func TestHeaderOnlyFileWarns(t *testing.T) {
	file := writeFile(t, filepath.Join(t.TempDir(), "a.csv"), "period,partner,val\n")
	cfg := cfgOf([]string{file}, "trade_flows",
		map[string]any{"period": "period", "partner_iso3": "partner", "value_usd": "val"},
		map[string]any{"reporter_iso3": "CHN", "flow": "export", "hs_code": "811292"}, nil, nil)
	var logs bytes.Buffer
	extract(t, build(t, cfg, etl.Runtime{Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "no data rows") {
		t.Errorf("no warning: %s", logs.String())
	}
}

// Each file's rows go in batches of their own, so that batch order is
// file order and the warehouse keeps the first file's copy of a repeated key.
func TestBatchesDoNotMixFiles(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "heavy_ree.csv"), "period,partner,val\n2024,CHN,1\n2024,DEU,2\n")
	b := writeFile(t, filepath.Join(dir, "light_ree.csv"), "period,partner,val\n2024,DEU,3\n2024,CHN,4\n")
	cfg := cfgOf([]string{a, b}, "trade_flows",
		map[string]any{"period": "period", "partner_iso3": "partner", "value_usd": "val"},
		map[string]any{"reporter_iso3": "USA", "flow": "import", "hs_code": "2846"}, nil, nil)
	sink := extract(t, build(t, cfg, etl.Runtime{}))
	recs := sink.Records[etl.TradeFlows]
	if len(recs) != 2 {
		t.Fatalf("%d batches, want one a file", len(recs))
	}
	for i, want := range []string{a, b} {
		refs := recs[i].Column(recs[i].Schema().FieldIndices("source_ref")[0])
		for r := 0; r < refs.Len(); r++ {
			if got := cellText(refs, r); got != want {
				t.Errorf("batch %d row %d from %s, want %s", i, r, got, want)
			}
		}
	}
}

// A cell longer than a spreadsheet allows (32,767 characters) rejects its
// row with the text cut, whichever column it is in, in a workbook or a CSV
// file; the other rows load.
// A workbook that inflates past the cap is refused, naming the file.
func TestWorkbookLimits(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("9", 1<<20)
	cells := filepath.Join(dir, "cells.xlsx")
	if err := workbooktest.Write(cells, workbooktest.Part{Head: workbooktest.SheetHead +
		workbooktest.Row("Year", "Partner", "Value", "Note") +
		workbooktest.Row("2021", "CHN", "100") +
		workbooktest.Row("2022", "CHN", long) +
		workbooktest.Row("2023", "CHN", "300", long) +
		workbooktest.Row("2024", "CHN", "400"), Tail: workbooktest.SheetTail}); err != nil {
		t.Fatal(err)
	}
	row := workbooktest.Row("2024", "CHN", "400")
	bomb := filepath.Join(dir, "bomb.xlsx")
	if err := workbooktest.Write(bomb, workbooktest.Part{Head: workbooktest.SheetHead + workbooktest.Row("Year", "Partner", "Value"),
		Chunk: strings.Repeat(row, (1<<20)/len(row)), N: 1025, Tail: workbooktest.SheetTail}); err != nil {
		t.Fatal(err)
	}
	cfg := cfgOf([]string{cells}, "trade_flows",
		map[string]any{"period": "Year", "partner_iso3": "Partner", "value_usd": "Value"},
		map[string]any{"reporter_iso3": "USA", "flow": "import", "hs_code": "811292"}, nil, nil)
	sink := extract(t, build(t, cfg, etl.Runtime{}))
	sameRows(t, rowsOf(sink, etl.TradeFlows, "period", "value_usd"),
		[]string{"period=2021-01-01 value_usd=100", "period=2024-01-01 value_usd=400"})
	rej := rejections(sink)
	if len(rej) != 2 || !strings.Contains(rej[0], `row 3 column "Value": cell C3 holds 1048576 characters, more than the 32767`) ||
		!strings.Contains(rej[1], `row 4 column "column D": cell D4 holds 1048576`) {
		t.Errorf("rejections %q", rej)
	}
	if r := sink.Rejections; len(r) != 2 || len(r[0].Raw) > 400 || !strings.HasSuffix(r[0].Raw, "Value="+strings.Repeat("9", 100)+"…") || len(r[1].Raw) > 400 {
		t.Errorf("raw text %q, want the cut cell", []string{r[0].Raw, r[1].Raw})
	}
	csvFile := writeFile(t, filepath.Join(dir, "cells.csv"), "Year,Partner,Value\n2021,CHN,100\n2022,CHN,"+long+"\n2024,CHN,400\n")
	cfg["paths"] = []any{csvFile}
	sink = extract(t, build(t, cfg, etl.Runtime{}))
	sameRows(t, rowsOf(sink, etl.TradeFlows, "period", "value_usd"),
		[]string{"period=2021-01-01 value_usd=100", "period=2024-01-01 value_usd=400"})
	if rej := rejections(sink); len(rej) != 1 || !strings.Contains(rej[0], `row 3 column "Value": cell C3 holds 1048576 characters`) {
		t.Errorf("CSV rejections %q", rej)
	}

	cfg["paths"] = []any{bomb}
	err := build(t, cfg, etl.Runtime{}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), bomb) || !strings.Contains(err.Error(), "inflates to 1.0 GiB") {
		t.Errorf("a workbook inflating to 1 GiB: %v, want a refusal naming it", err)
	}
}
