package sheet

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

func TestCSVWithBOM(t *testing.T) {
	dir := t.TempDir()
	// Excel's "CSV UTF-8": a byte-order mark, CRLF line ends, a quoted
	// cell spanning two lines, a blank line, trailing empty columns.
	file := writeFile(t, filepath.Join(dir, "monthly.csv"), "\ufeff"+
		"Period,Reporter,Partner*,Flow,HS code (1),Value USD,Note,,\r\n"+
		"202301,USA,China,Imports,811292,\"1,500\",,,\r\n"+
		"2023-02,US,CN,M,811292,200,\"two\r\nlines\",,\r\n"+
		"\r\n"+
		"2023-3,USA,Germany,export,28053010,5,,,\r\n"+
		"2023,USA,China,import,811292,9,,,\r\n"+ // a year where months are configured
		"202304,USA,China,import,8112xx,9,,,\r\n")
	cfg := cfgOf([]string{filepath.Join(dir, "*.csv")}, "trade_flows",
		map[string]any{"period": "Period", "reporter_iso3": "reporter", "partner_iso3": "PARTNER",
			"flow": "Flow", "hs_code": "HS code", "value_usd": "Value USD"},
		map[string]any{"freq": "M"}, nil, nil)
	sink := extract(t, build(t, cfg, etl.Runtime{}))
	got := rowsOf(sink, etl.TradeFlows, "freq", "period", "reporter_iso3", "partner_iso3", "flow", "hs_code",
		"value_usd", "source", "source_ref", "source_row")
	want := []string{
		"freq=M period=2023-01-01 reporter_iso3=USA partner_iso3=CHN flow=import hs_code=811292 value_usd=1500 source=sheet source_ref=" + file + " source_row=2",
		"freq=M period=2023-02-01 reporter_iso3=USA partner_iso3=CHN flow=import hs_code=811292 value_usd=200 source=sheet source_ref=" + file + " source_row=3",
		"freq=M period=2023-03-01 reporter_iso3=USA partner_iso3=DEU flow=export hs_code=28053010 value_usd=5 source=sheet source_ref=" + file + " source_row=5",
	}
	sameRows(t, got, want)
	rej := rejections(sink)
	wantRej := []string{
		file + ` row 6 column "Period": period 2023 is a year but freq is M`,
		file + ` row 7 column "HS code (1)": HS code "8112xx" is not 2 to 10 digits`,
	}
	if !reflect.DeepEqual(rej, wantRej) {
		t.Errorf("rejections:\n got %q\nwant %q", rej, wantRej)
	}
}

func TestCSVDelimiterAndEncoding(t *testing.T) {
	dir := t.TempDir()
	semi := writeFile(t, filepath.Join(dir, "semi.csv"), "Jahr;Partner;HS;Wert\n2022;FRA;2846;1.234,5\n")
	for _, tc := range []struct {
		decimal string
		want    string
	}{
		{",", "period=2022-01-01 partner_iso3=FRA hs_code=2846 value_usd=1234.5"},
		// Without the setting a comma is a thousands separator.
		{"", ""},
	} {
		extra := map[string]any{"delimiter": ";"}
		if tc.decimal != "" {
			extra["decimal"] = tc.decimal
		}
		cfg := cfgOf([]string{semi}, "trade_flows",
			map[string]any{"period": "Jahr", "partner_iso3": "Partner", "hs_code": "HS", "value_usd": "Wert"},
			map[string]any{"flow": "import", "reporter_iso3": "DEU"}, nil, extra)
		sink := extract(t, build(t, cfg, etl.Runtime{}))
		got := rowsOf(sink, etl.TradeFlows, "period", "partner_iso3", "hs_code", "value_usd")
		if tc.want == "" {
			if len(got) != 0 || len(sink.Rejections) != 1 || sink.Rejections[0].Column != "Wert" {
				t.Errorf("decimal %q: rows %q rejections %v", tc.decimal, got, sink.Rejections)
			}
			continue
		}
		if !reflect.DeepEqual(got, []string{tc.want}) {
			t.Errorf("decimal %q: %q %v", tc.decimal, got, sink.Rejections)
		}
	}

	latin1 := writeFile(t, filepath.Join(dir, "latin1.csv"), "Year,Partner,HS,Value\n2022,C\xf4te d'Ivoire,2846,1\n")
	cfg := cfgOf([]string{latin1}, "trade_flows",
		map[string]any{"period": "Year", "partner_iso3": "Partner", "hs_code": "HS", "value_usd": "Value"},
		map[string]any{"flow": "import", "reporter_iso3": "USA"}, nil, nil)
	err := build(t, cfg, etl.Runtime{}).Extract(t.Context(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), latin1+`: not UTF-8 text`) {
		t.Errorf("latin-1 CSV: %v", err)
	}
}

// The real USGS data-release CSV (byte-order mark, trailing empty columns,
// NA cells) mapped as an analyst would map it.
func TestRealUSGSCSV(t *testing.T) {
	file := etltest.SharedFile(t, "usgs/mcs2024/salient/mcs2024-galli_salient.csv")
	cfg := cfgOf([]string{file}, "mineral_statistics",
		map[string]any{"edition": "DataSource", "commodity": "Commodity", "year": "Year", "value": "Exports_g"},
		map[string]any{"country_iso3": "USA", "measure": "exports", "unit": "g"}, nil, nil)
	sink := extract(t, build(t, cfg, etl.Runtime{}))
	got := rowsOf(sink, etl.MineralStatistics, "edition", "commodity", "year", "value", "qualifier", "source_row", "source_column")
	if len(got) != 5 || len(sink.Rejections) != 0 {
		t.Fatalf("rows %q rejections %v", got, sink.Rejections)
	}
	if want := "edition=MCS2024 commodity=gallium year=2019 value=null qualifier=NA source_row=2 source_column=Exports_g"; got[0] != want {
		t.Errorf("first row %s, want %s", got[0], want)
	}
}

// The real MCS 2023 workbook is a wide table with notes and footnotes
// below it; mapped to one year's column, every line that is not a
// figure is rejected with its own row, none dropped.
func TestRealUSGSWorkbook(t *testing.T) {
	file := etltest.SharedFile(t, "usgs/xlsx/mcs2023-stond_salient.xlsx")
	cfg := cfgOf([]string{file}, "mineral_statistics",
		map[string]any{"measure": "Salient Statistics—United States:", "value": "2022e"},
		map[string]any{"edition": "MCS2023", "commodity": "stone_dimension", "year": 2022,
			"country_iso3": "USA", "unit": "various"}, nil, map[string]any{"header_row": 2})
	src := build(t, cfg, etl.Runtime{})
	sink := extract(t, src)
	// Rows 4-20 less 9, 12 and 18 hold figures; 3, 9, 12, 18 and the
	// eight note lines (22-29) do not; row 21 is blank.
	if src.Written != 14 || src.Rejected != 12 {
		t.Errorf("written %d rejected %d: %v", src.Written, src.Rejected, sink.Rejections)
	}
	got := rowsOf(sink, etl.MineralStatistics, "measure", "value", "source_row", "source_column", "source_ref")
	if want := "measure=quantity value=2500 source_row=4 source_column=2022e source_ref=" + file + "#SalientTableToTransfer"; len(got) == 0 || got[0] != want {
		t.Errorf("first row %q, want %s", got, want)
	}
	if r := sink.Rejections[1]; r.Row != 9 || r.Column != "2022e" || !strings.Contains(r.Reason, `"Variable, depending on type of product" is not a number`) {
		t.Errorf("rejection of the price row: %+v", r)
	}
}

// A text file has no merged cells: a group title sits over the first of
// its columns only, and header_rows says how deep the header is.
func TestCSVTwoRowHeader(t *testing.T) {
	file := writeFile(t, filepath.Join(t.TempDir(), "two.csv"),
		"Year,Partner,HS,Imports,\n,,,Value,Weight\n2023,CHN,811292,5,6\n")
	cfg := cfgOf([]string{file}, "trade_flows",
		map[string]any{"period": "Year", "partner_iso3": "Partner", "hs_code": "HS",
			"value_usd": "Imports / Value", "net_weight_kg": "Weight"},
		map[string]any{"flow": "import", "reporter_iso3": "USA"}, nil, map[string]any{"header_rows": 2})
	sink := extract(t, build(t, cfg, etl.Runtime{}))
	got := rowsOf(sink, etl.TradeFlows, "value_usd", "net_weight_kg", "source_row")
	if !reflect.DeepEqual(got, []string{"value_usd=5 net_weight_kg=6 source_row=3"}) || len(sink.Rejections) > 0 {
		t.Errorf("got %q %v", got, sink.Rejections)
	}
}
