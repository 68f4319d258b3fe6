package comtrade

import (
	"bytes"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

func TestRealGalliumCSV(t *testing.T) {
	path := etltest.SharedFile(t, "comtrade/comtrade_gallium_usa_chn_2020_2024.csv")
	sink, err := etltest.Extract(t, etltest.Build(t, KindCSV, map[string]any{"paths": []any{path}}, etl.Runtime{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Rejections) != 0 {
		t.Fatalf("rejections: %v", sink.Rejections)
	}
	rows := etltest.TradeFlows(t, sink)
	if len(rows) != 40 {
		t.Fatalf("%d rows, want 40", len(rows))
	}

	// China's share of US imports of 811292, per year, from the emitted rows.
	got := map[int][2]float64{} // year -> (from CHN, from WLD)
	seen := map[int64]bool{}
	for _, r := range rows {
		if r.Source != SourceName || r.Ref != path || r.Row < 1 || r.Row > 40 || seen[r.Row] {
			t.Errorf("bad provenance %s %s %d", r.Source, r.Ref, r.Row)
		}
		seen[r.Row] = true
		if r.HSCode != "811292" || r.Commodity != "gallium_germanium" || r.QuantityUnit != "kg" || r.Freq != "A" {
			t.Errorf("row %d: %+v", r.Row, r)
		}
		if r.Reporter == "USA" && r.Flow == etl.FlowImport {
			s := got[r.Period.Year()]
			switch r.Partner {
			case "CHN":
				s[0] = val(r.ValueUSD)
			case "WLD":
				s[1] = val(r.ValueUSD)
			}
			got[r.Period.Year()] = s
		}
		// China reported in HS 2017 until 2021 and in HS 2022 from 2022.
		if r.Reporter == "CHN" {
			want := "HS2017"
			if r.Period.Year() >= 2022 {
				want = "HS2022"
			}
			if r.HSRevision != want {
				t.Errorf("CHN %d: hs_revision %s, want %s", r.Period.Year(), r.HSRevision, want)
			}
		}
		if (r.Partner == "WLD") != r.IsAggregate {
			t.Errorf("row %d: is_aggregate %v for partner %s", r.Row, r.IsAggregate, r.Partner)
		}
	}

	// The same ratio straight from the raw columns.
	want := etltest.RawUSGalliumShares(t, path)
	if len(want) != 5 {
		t.Fatalf("raw file has %d years", len(want))
	}
	for year, w := range want {
		g := got[year]
		if g[1] == 0 {
			t.Fatalf("%d: no US import from WLD emitted", year)
		}
		if share := g[0] / g[1]; math.Abs(share-w) > 1e-12 {
			t.Errorf("%d: China's share %.6f, raw file says %.6f", year, share, w)
		}
	}
}

// A valid response for cmdCode TOTAL (the verbatim API body) is not
// invalid: its records load under the code TOTAL, which belongs to no
// commodity group, so an analyst can divide a mineral's trade by them.
func TestRealTotalJSONLoadsAsTotal(t *testing.T) {
	path := etltest.SharedFile(t, "comtrade/comtrade_api_v1_get_response.json")
	sink, err := etltest.Extract(t, etltest.Build(t, KindJSON, map[string]any{"paths": []any{path}}, etl.Runtime{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Rejections) != 0 {
		t.Fatalf("rejections %v", sink.Rejections)
	}
	rows := etltest.TradeFlows(t, sink)
	if len(rows) != 4 { // the response's count
		t.Fatalf("%d rows, want the count 4", len(rows))
	}
	for i, r := range rows {
		if r.HSCode != etl.TotalCode || r.Commodity != "" || r.Reporter != "CHN" || r.Row != int64(i+1) || r.Ref != path {
			t.Errorf("row %d = %+v", i, r)
		}
	}
}

func TestRareEarthFixture(t *testing.T) {
	path := filepath.Join("testdata", "rare_earths_usa_2023_get_response.json")
	sink, err := etltest.Extract(t, etltest.Build(t, KindJSON, map[string]any{"paths": "testdata/rare_earths_*.json"}, etl.Runtime{}))
	if err != nil {
		t.Fatal(err)
	}
	rows := etltest.TradeFlows(t, sink)
	if len(rows)+len(sink.Rejections) != 7 {
		t.Fatalf("%d rows + %d rejections, want the count 7", len(rows), len(sink.Rejections))
	}
	byRow := map[int64]etl.TradeFlow{}
	for _, r := range rows {
		byRow[r.Row] = r
		if r.Ref != path || r.Reporter != "USA" || r.HSRevision != "HS2022" || r.Commodity != "rare_earths" ||
			r.Period.Format("2006-01-02") != "2023-01-01" {
			t.Errorf("row %d: %+v", r.Row, r)
		}
	}
	check := []struct {
		row             int64
		partner, flw    string
		hs              string
		value, qty      float64
		unit            string
		agg             bool
		wantRejectedCol string
		wantReason      string
	}{
		{row: 1, partner: "CHN", flw: etl.FlowImport, hs: "280530", value: 1234567, qty: 45000, unit: "kg"},
		{row: 2, partner: "WLD", flw: etl.FlowImport, hs: "280530", value: 9876543, qty: 61000, unit: "kg", agg: true},
		// primaryValue null: an import falls back on its CIF value.
		{row: 3, partner: "CHN", flw: etl.FlowImport, hs: "284690", value: 2345678, qty: 120500.5, unit: "kg"},
		// qtyUnitCode -1 / N/A: no unit, no quantity.
		{row: 4, partner: "CHN", flw: etl.FlowExport, hs: "284690", value: 345678, qty: -1, unit: ""},
		{row: 5, wantRejectedCol: "motCode", wantReason: "breakdown row: motCode=2100"},
		{row: 6, wantRejectedCol: "partner2Code", wantReason: "breakdown row: partner2Code=156"},
		{row: 7, wantRejectedCol: "flowCode", wantReason: `flowCode "DX" is not M, X, RM or RX`},
	}
	rej := map[int64]etl.Rejection{}
	for _, r := range sink.Rejections {
		rej[r.Row] = r
	}
	for _, c := range check {
		if c.wantRejectedCol != "" {
			r, ok := rej[c.row]
			if !ok || r.Column != c.wantRejectedCol || !strings.HasPrefix(r.Reason, c.wantReason) {
				t.Errorf("row %d: rejection %+v, want %s: %s", c.row, r, c.wantRejectedCol, c.wantReason)
			}
			continue
		}
		r, ok := byRow[c.row]
		if !ok {
			t.Errorf("row %d not emitted (rejected: %+v)", c.row, rej[c.row])
			continue
		}
		if r.Partner != c.partner || r.Flow != c.flw || r.HSCode != c.hs || val(r.ValueUSD) != c.value ||
			val(r.Quantity) != c.qty || r.QuantityUnit != c.unit || r.IsAggregate != c.agg {
			t.Errorf("row %d = %+v, want %+v", c.row, r, c)
		}
	}
}

func TestCSVBadRows(t *testing.T) {
	sink, err := etltest.Extract(t, etltest.Build(t, KindCSV, map[string]any{"paths": []any{"testdata/bad_rows.csv"}}, etl.Runtime{}))
	if err != nil {
		t.Fatal(err)
	}
	rows := etltest.TradeFlows(t, sink)
	if len(rows) != 3 || len(rows)+len(sink.Rejections) != 8 {
		t.Fatalf("%d rows, %d rejections: %v", len(rows), len(sink.Rejections), sink.Rejections)
	}
	// An export without primaryValue is valued at its FOB value; 842.0 is still the USA.
	if rows[1].Row != 3 || rows[1].HSCode != etl.TotalCode {
		t.Errorf("row 3 (cmdCode TOTAL) = %+v", rows[1])
	}
	if r := rows[2]; r.Row != 8 || r.Flow != etl.FlowExport || val(r.ValueUSD) != 7000 || r.Reporter != "USA" {
		t.Errorf("row 8 = %+v", r)
	}
	want := map[int64][2]string{
		2: {"primaryValue", `primaryValue "12x" is not a number`},
		4: {"", "row has 20 fields, the header has 47"},
		5: {"reporterCode", "unknown reporterCode 999"},
		6: {"classificationCode", `classificationCode "S4" is not an HS revision`},
		7: {"period", `period "202301" does not match freqCode A`},
	}
	for _, r := range sink.Rejections {
		w, ok := want[r.Row]
		if !ok || r.Column != w[0] || !strings.HasPrefix(r.Reason, w[1]) || r.Ref != "testdata/bad_rows.csv" || r.Raw == "" {
			t.Errorf("rejection %+v, want %v", r, w)
		}
		delete(want, r.Row)
	}
	if len(want) > 0 {
		t.Errorf("rows not rejected: %v", want)
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		kind, path, want string
	}{
		{KindCSV, filepath.Join(dir, "nothing-*.csv"), "no file matches"},
		{KindCSV, filepath.Join(dir, "missing.csv"), "missing.csv"},
		{KindCSV, write("nocol.csv", "freqCode,period\nA,2020\n"), `nocol.csv: missing column "reporterCode"`},
		{KindJSON, write("err.json", `{"elapsedTime":"0 secs","count":0,"data":null,"error":"Invalid cmdCode"}`), "Comtrade reported an error: Invalid cmdCode"},
		{KindJSON, write("apim.json", `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`), "Access denied"},
		{KindJSON, write("html.json", `<html>Service unavailable</html>`), "not a Comtrade v1 response"},
		{KindJSON, write("short.json", `{"count":3,"data":[{"freqCode":"A"}],"error":""}`), "count is 3 but data holds 1 rows"},
		{KindJSON, write("cut.json", `{"count":3,"data":[{"freqCode":"A"},`), "cut.json"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			_, err := etltest.Extract(t, etltest.Build(t, tt.kind, map[string]any{"paths": []any{tt.path}}, etl.Runtime{}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// A saved response with a UTF-8 byte-order mark (as editors on Windows
// save JSON) reads like the same body without one.
func TestJSONWithByteOrderMark(t *testing.T) {
	body, err := os.ReadFile("testdata/rare_earths_usa_2023_get_response.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bom.json")
	if err := os.WriteFile(path, append([]byte("\ufeff"), body...), 0o644); err != nil {
		t.Fatal(err)
	}
	plain, err := etltest.Extract(t, etltest.Build(t, KindJSON, map[string]any{"paths": []any{"testdata/rare_earths_usa_2023_get_response.json"}}, etl.Runtime{}))
	if err != nil {
		t.Fatal(err)
	}
	sink, err := etltest.Extract(t, etltest.Build(t, KindJSON, map[string]any{"paths": []any{path}}, etl.Runtime{}))
	if err != nil {
		t.Fatalf("with a byte-order mark: %v", err)
	}
	if sink.Rows(etl.TradeFlows) == 0 || sink.Rows(etl.TradeFlows) != plain.Rows(etl.TradeFlows) {
		t.Errorf("%d rows with the mark, %d without", sink.Rows(etl.TradeFlows), plain.Rows(etl.TradeFlows))
	}
}

// A file that holds only a header (or an empty data list) loads nothing
// and says so.
func TestHeaderOnlyFileWarns(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "empty.csv")
	os.WriteFile(csvPath, []byte(strings.Join(csvRequired, ",")+"\n"), 0o644)
	jsonPath := filepath.Join(dir, "empty.json")
	os.WriteFile(jsonPath, []byte(`{"elapsedTime":"0.1 secs","count":0,"data":[],"error":""}`), 0o644)
	for kind, path := range map[string]string{KindCSV: csvPath, KindJSON: jsonPath} {
		var logs bytes.Buffer
		rt := etl.Runtime{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		sink, err := etltest.Extract(t, etltest.Build(t, kind, map[string]any{"paths": []any{path}}, rt))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if sink.Rows(etl.TradeFlows) != 0 || !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "holds no records") || !strings.Contains(logs.String(), path) {
			t.Errorf("%s: no warning naming the file: %s", kind, logs.String())
		}
	}
}
