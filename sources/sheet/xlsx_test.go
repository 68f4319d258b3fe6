package sheet

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// analystWorkbook is laid out as analysts lay sheets out: a notes sheet
// first, then a title row, a blank row, a two-row header whose group title
// "Imports" is merged over its two sub-headers (the other headers merged
// down both rows), footnote marks and a byte-order mark in the header, a
// reporter merged down several data rows, a blank row between blocks and
// formatted but blank trailing rows and columns.
func analystWorkbook(t *testing.T, dir string) string {
	w := newWorkbook(t, "Notes", "Imports")
	w.set("Notes", map[string]any{"A1": "Figures from customs returns; see the Imports sheet."})
	w.set("Imports", map[string]any{
		"A1": "US imports of selected minerals, analyst estimates",
		"A3": "Year", "B3": "Reporter", "C3": " Partner\u00a0 country ", "D3": "HS code 2", "E3": "Imports",
		"E4": "\ufeffValue (USD thousand)¹", "F4": "Weight (t)",
		// block 1: reporter merged down rows 5-7
		"A5": 2023, "B5": "United States", "C5": "China", "D5": 811292, "E5": 1234.5, "F5": 12.5,
		"A6": 2023, "C6": "Canada", "D6": "261690", "E6": "2,000", "F6": 40,
		"A7": 2023, "C7": "JP", "D7": 81190, "E7": 10, "F7": 0.25, // HS 081190 stored as a number
		// row 8 blank between blocks
		"A9": 2022, "B9": "USA", "C9": "Germany", "D9": 811292, "E9": "12x", "F9": 1, // bad number
		"A10": 2022, "C10": "Republic of Atlantis", "D10": 811292, "E10": 5, // unknown partner; reporter from the constant
		"A11": 2022, "C11": "World", "D11": 811292, "E11": 7,
		// blank but present trailing cells
		"H3": "", "H11": "", "A14": "", "C20": "",
	})
	w.merge("Imports", "A1:F1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "B5:B7")
	return w.save(filepath.Join(dir, "analyst.xlsx"))
}

func tradeConfig(paths ...string) map[string]any {
	return cfgOf(paths, "trade_flows",
		map[string]any{
			"period": "Year", "reporter_iso3": "Reporter", "partner_iso3": "Partner country",
			"hs_code": "HS code", "value_usd": "Value (USD thousand)", "net_weight_kg": "Weight (t)",
		},
		map[string]any{"freq": "A", "flow": "import", "reporter_iso3": "USA"},
		map[string]any{"value_usd": 1000, "net_weight_kg": 1000},
		map[string]any{"sheet": "Imports", "header_row": 3, "source_name": "analyst-sheet"})
}

func TestWorkbookTradeFlows(t *testing.T) {
	dir := t.TempDir()
	file := analystWorkbook(t, dir)
	src := build(t, tradeConfig(file), etl.Runtime{})
	sink := extract(t, src)

	ref := file + "#Imports"
	got := rowsOf(sink, etl.TradeFlows, "freq", "period", "reporter_iso3", "partner_iso3", "flow", "hs_code",
		"value_usd", "net_weight_kg", "is_aggregate", "source", "source_row")
	want := []string{
		"freq=A period=2023-01-01 reporter_iso3=USA partner_iso3=CHN flow=import hs_code=811292 value_usd=1.2345e+06 net_weight_kg=12500 is_aggregate=false source=analyst-sheet source_row=5",
		"freq=A period=2023-01-01 reporter_iso3=USA partner_iso3=CAN flow=import hs_code=261690 value_usd=2e+06 net_weight_kg=40000 is_aggregate=false source=analyst-sheet source_row=6",
		"freq=A period=2023-01-01 reporter_iso3=USA partner_iso3=JPN flow=import hs_code=081190 value_usd=10000 net_weight_kg=250 is_aggregate=false source=analyst-sheet source_row=7",
		"freq=A period=2022-01-01 reporter_iso3=USA partner_iso3=WLD flow=import hs_code=811292 value_usd=7000 net_weight_kg=null is_aggregate=true source=analyst-sheet source_row=11",
	}
	sameRows(t, got, want)
	for _, r := range rowsOf(sink, etl.TradeFlows, "source_ref") {
		if r != "source_ref="+ref {
			t.Errorf("source_ref: %s, want %s", r, ref)
		}
	}

	if len(sink.Rejections) != 2 {
		t.Fatalf("rejections: %v", sink.Rejections)
	}
	for i, w := range []struct {
		row    int64
		column string
		reason string
	}{
		{9, "Value (USD thousand)¹", `"12x" is not a number`},
		{10, "Partner country", `unknown country "Republic of Atlantis"`},
	} {
		r := sink.Rejections[i]
		if r.Row != w.row || r.Column != w.column || !strings.Contains(r.Reason, w.reason) || r.Ref != ref ||
			r.Table != etl.TradeFlows || r.Source != "analyst-sheet" {
			t.Errorf("rejection %d: %+v, want row %d column %q reason containing %q", i, r, w.row, w.column, w.reason)
		}
	}
	if src.Written != 4 || src.Rejected != 2 {
		t.Errorf("counts: written %d rejected %d", src.Written, src.Rejected)
	}
}

// A header cell merged across two columns names the first of them; group
// titles disambiguate repeated sub-headers; Excel dates are periods.
func TestWorkbookMergedHeaderVariants(t *testing.T) {
	dir := t.TempDir()
	w := newWorkbook(t, "Trade")
	w.set("Trade", map[string]any{
		"A1": "Month", "B1": "Partner", "D1": "HS", "E1": "Imports", "G1": "Exports",
		"E2": "Value", "F2": "Weight (kg)", "G2": "Value", "H2": "Weight (kg)",
		"A3": time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), "B3": "CHN", "C3": "China", "D3": "811292",
		"E3": 100, "F3": 3, "G3": 50, "H3": 1,
		"A4": "2024-04", "B4": "COD", "C4": "Congo (Kinshasa)", "D4": "810520", "E4": 10, "G4": "",
	})
	// Partner spans B:C on both header rows: data in B, a name in C.
	w.merge("Trade", "A1:A2", "B1:C2", "D1:D2", "E1:F1", "G1:H1")
	file := w.save(filepath.Join(dir, "monthly.xlsx"))

	for _, tc := range []struct {
		name  string
		value string
		want  []string
	}{
		{"imports group", "Imports / Value", []string{
			"freq=M period=2024-03-01 partner_iso3=CHN hs_code=811292 value_usd=100 net_weight_kg=3",
			"freq=M period=2024-04-01 partner_iso3=COD hs_code=810520 value_usd=10 net_weight_kg=null"}},
		{"exports group", "exports /  value", []string{
			"freq=M period=2024-03-01 partner_iso3=CHN hs_code=811292 value_usd=50 net_weight_kg=3",
			"freq=M period=2024-04-01 partner_iso3=COD hs_code=810520 value_usd=null net_weight_kg=null"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cfgOf([]string{file}, "trade_flows",
				map[string]any{"period": "Month", "partner_iso3": "Partner", "hs_code": "HS",
					"value_usd": tc.value, "net_weight_kg": "Imports / Weight (kg)"},
				map[string]any{"flow": "import", "reporter_iso3": "USA"}, nil, nil)
			sink := extract(t, build(t, cfg, etl.Runtime{}))
			got := rowsOf(sink, etl.TradeFlows, "freq", "period", "partner_iso3", "hs_code", "value_usd", "net_weight_kg")
			if !reflect.DeepEqual(got, tc.want) || len(sink.Rejections) > 0 {
				t.Errorf("got %q rejections %v\nwant %q", got, sink.Rejections, tc.want)
			}
		})
	}

	// A sub-header repeated under two groups needs its group.
	cfg := cfgOf([]string{file}, "trade_flows",
		map[string]any{"period": "Month", "partner_iso3": "Partner", "hs_code": "HS", "value_usd": "Value"},
		map[string]any{"flow": "import", "reporter_iso3": "USA"}, nil, nil)
	err := build(t, cfg, etl.Runtime{}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), `"Value" matches 2 columns (E "Imports / Value", G "Exports / Value")`) {
		t.Errorf("ambiguous header: %v", err)
	}
}

func TestWorkbookMineralStatistics(t *testing.T) {
	dir := t.TempDir()
	w := newWorkbook(t, "NIR")
	w.set("NIR", map[string]any{
		"A1": "Edition", "B1": "Mineral", "C1": "Year", "D1": "Country", "E1": "Net import reliance (%)*", "F1": "Note",
		"A2": "MCS2024", "B2": "Rare Earths", "C2": 2023, "D2": "United States", "E2": ">95",
		"A3": "MCS2024", "B3": "Gallium", "C3": 2023, "D3": "USA", "E3": 100,
		"A4": "MCS2024", "B4": "Germanium", "C4": 2023, "D4": "US", "E4": "W",
		"A5": "MCS2024", "B5": "Cobalt", "C5": 2023, "D5": "USA", "E5": "",
		"A6": "MCS2024", "B6": "Graphite", "C6": "last year", "D6": "USA", "E6": 100,
		"A7": "MCS2024", "B7": "Tin", "C7": 2023, "D7": "USA", "E7": "NA", "F7": "see notes",
	})
	file := w.save(filepath.Join(dir, "nir.xlsx"))
	cfg := cfgOf([]string{file}, "mineral_statistics",
		map[string]any{"edition": "Edition", "commodity": "Mineral", "year": "Year", "country_iso3": "Country",
			"value": "Net import reliance (%)"},
		map[string]any{"measure": "net import reliance", "unit": "pct"}, nil, nil)
	sink := extract(t, build(t, cfg, etl.Runtime{}))
	got := rowsOf(sink, etl.MineralStatistics, "edition", "commodity", "year", "country_iso3", "measure",
		"product", "value", "unit", "qualifier", "source_row", "source_column")
	want := []string{
		"edition=MCS2024 commodity=rare_earths year=2023 country_iso3=USA measure=net_import_reliance product= value=95 unit=pct qualifier=> source_row=2 source_column=Net import reliance (%)*",
		"edition=MCS2024 commodity=gallium year=2023 country_iso3=USA measure=net_import_reliance product= value=100 unit=pct qualifier=null source_row=3 source_column=Net import reliance (%)*",
		"edition=MCS2024 commodity=germanium year=2023 country_iso3=USA measure=net_import_reliance product= value=null unit=pct qualifier=W source_row=4 source_column=Net import reliance (%)*",
		"edition=MCS2024 commodity=tin year=2023 country_iso3=USA measure=net_import_reliance product= value=null unit=pct qualifier=NA source_row=7 source_column=Net import reliance (%)*",
	}
	sameRows(t, got, want)
	rej := rejections(sink)
	wantRej := []string{
		file + `#NIR row 5 column "Net import reliance (%)*": missing value without a qualifier`,
		file + `#NIR row 6 column "Year": year "last year" is not YYYY`,
	}
	if !reflect.DeepEqual(rej, wantRej) {
		t.Errorf("rejections:\n got %q\nwant %q", rej, wantRej)
	}
}

func TestMissingColumnIsAClearError(t *testing.T) {
	dir := t.TempDir()
	file := analystWorkbook(t, dir)
	cfg := tradeConfig(file)
	cfg["columns"].(map[string]any)["hs_code"] = "Commodity code"
	err := build(t, cfg, etl.Runtime{}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{file, `sheet "Imports"`, "header rows 3-4",
		`no column matches columns.hs_code = "Commodity code"`,
		`header cells found: "Year", "Reporter", "Partner country", "HS code 2", "Imports / Value (USD thousand)¹", "Imports / Weight (t)"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\n lacks %q", err, want)
		}
	}

	// The header row pointing at the title instead of the header.
	cfg = tradeConfig(file)
	cfg["header_row"] = 1
	err = build(t, cfg, etl.Runtime{}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), `header row 1: no column matches columns.period = "Year"`) {
		t.Errorf("wrong header row: %v", err)
	}

	cfg = tradeConfig(file)
	cfg["sheet"] = "Exports"
	err = build(t, cfg, etl.Runtime{}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), `no sheet "Exports" (sheets: ["Notes" "Imports"])`) {
		t.Errorf("missing sheet: %v", err)
	}
}

// A note merged down beside the data does not deepen the header, and the
// hint for a two-row header shows when a group title sits on a one-row
// header.
func TestWorkbookSideNoteAndHint(t *testing.T) {
	dir := t.TempDir()
	w := newWorkbook(t, "Data")
	w.set("Data", map[string]any{
		"A1": "Year", "B1": "Partner", "C1": "HS", "D1": "Value", "E1": "Checked by analyst, see mail of 3 May",
		"A2": 2023, "B2": "CHN", "C2": 811292, "D2": 1,
		"A3": 2023, "B3": "CAN", "C3": 811292, "D3": 2,
	})
	w.merge("Data", "E1:E6")
	file := w.save(filepath.Join(dir, "note.xlsx"))
	cfg := smallConfig(file)
	if n := extract(t, build(t, cfg, etl.Runtime{})).Rows(etl.TradeFlows); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}

	w = newWorkbook(t, "Data")
	w.set("Data", map[string]any{"A1": "Year", "B1": "Partner", "C1": "HS", "D1": "Imports",
		"D2": "Value", "E2": "Weight", "A3": 2023, "B3": "CHN", "C3": 811292, "D3": 1})
	w.merge("Data", "D1:E1")
	file = w.save(filepath.Join(dir, "group.xlsx"))
	err := build(t, smallConfig(file), etl.Runtime{}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), `no column matches columns.value_usd = "Value"`) ||
		!strings.Contains(err.Error(), "set header_rows: 2") {
		t.Errorf("group title without merged neighbours: %v", err)
	}
	cfg = smallConfig(file)
	cfg["header_rows"] = 2
	if n := extract(t, build(t, cfg, etl.Runtime{})).Rows(etl.TradeFlows); n != 1 {
		t.Errorf("header_rows 2: %d rows", n)
	}
}
