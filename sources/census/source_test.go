package census

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/sources/fetch"
)

func TestExtractImportsHS6(t *testing.T) {
	t.Setenv(testKeyEnv, testKey)
	api := &fakeAPI{t: t, routes: map[string]string{
		"imports/hs 811292 from 2024-01 to 2024-12": "imports_811292_hs6_2024.json",
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	raw := t.TempDir()
	log, logs := etltest.DebugLogger()
	src := etltest.Build(t, KindName, config(srv.URL, map[string]any{"commodities": nil, "hs_codes": []any{"811292"}}),
		etl.Runtime{RawDir: raw, Logger: log})
	sink, err := etltest.Extract(t, src)
	if err != nil {
		t.Fatal(err)
	}

	reqs := api.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	q := reqs[0].URL.Query()
	if q.Get("key") != testKey || q.Get("I_COMMODITY") != "811292" || q.Get("COMM_LVL") != "HS6" ||
		q.Get("time") != "from 2024-01 to 2024-12" || !strings.Contains(q.Get("get"), "GEN_VAL_MO") {
		t.Errorf("query %v", q)
	}

	flows := etltest.TradeFlows(t, sink)
	type key struct {
		period, partner string
	}
	got := map[key]etl.TradeFlow{}
	for _, f := range flows {
		k := key{f.Period.Format("2006-01"), f.Partner}
		if _, dup := got[k]; dup {
			t.Errorf("row %v loaded twice", k)
		}
		got[k] = f
	}
	// Total, Canada, Germany, Russia, China, Japan in January; total and China in February.
	if len(flows) != 8 {
		t.Errorf("%d rows, want 8: %+v", len(flows), flows)
	}
	want := []struct {
		period, partner string
		value, qty      float64
		row             int64
	}{
		{"2024-01", "WLD", 5312345, 41200, 1},
		{"2024-01", "CAN", 310022, 2400, 8},
		{"2024-01", "DEU", 842210, 6010, 9},
		{"2024-01", "RUS", 210000, 1780, 10},
		{"2024-01", "CHN", 2104567, 18000, 11},
		{"2024-01", "JPN", 1845546, 13010, 12},
		{"2024-02", "WLD", 4021877, 30100, 14},
		{"2024-02", "CHN", 4021877, 30100, 17},
	}
	for _, w := range want {
		f, ok := got[key{w.period, w.partner}]
		if !ok {
			t.Errorf("no row for %s %s", w.period, w.partner)
			continue
		}
		if val(f.ValueUSD) != w.value || val(f.Quantity) != w.qty || f.Row != w.row {
			t.Errorf("%s %s: value %v qty %v row %d, want %v %v %d", w.period, w.partner,
				val(f.ValueUSD), val(f.Quantity), f.Row, w.value, w.qty, w.row)
		}
		if f.Freq != "M" || f.Reporter != "USA" || f.Flow != "import" || f.HSCode != "811292" || f.HSRevision != "HS2022" ||
			f.Commodity != "gallium_germanium" || f.QuantityUnit != "kg" || f.NetWeightKg != nil || f.IsAggregate || f.Source != "census" {
			t.Errorf("%s %s: %+v", w.period, w.partner, f)
		}
		if !strings.HasPrefix(f.Ref, srv.URL+"/data/timeseries/intltrade/imports/hs?get=") || strings.Contains(f.Ref, "key=") {
			t.Errorf("source_ref %q", f.Ref)
		}
	}

	// The unknown partner is rejected, naming the variable and the row.
	if len(sink.Rejections) != 1 {
		t.Fatalf("rejections %v, want the unknown partner only", sink.Rejections)
	}
	rj := sink.Rejections[0]
	if rj.Row != 13 || rj.Column != "CTY_CODE" || !strings.Contains(rj.Reason, `"8888"`) ||
		!strings.Contains(rj.Raw, "ATLANTIS") || rj.Source != "census" || rj.Table != etl.TradeFlows || strings.Contains(rj.Ref, testKey) {
		t.Errorf("rejection %+v", rj)
	}
	// The eight grouping rows are skipped on purpose, and said so.
	if !strings.Contains(logs.String(), "country_groupings_skipped=8") {
		t.Errorf("no debug line counting the 8 groupings:\n%s", logs)
	}

	// The landing zone holds the body under a key-free name with key-free meta.
	stored, err := fetch.List(raw, KindName)
	if err != nil || len(stored) != 1 {
		t.Fatalf("landing zone: %v %v", stored, err)
	}
	if stored[0].URL != flows[0].Ref || stored[0].Status != 200 {
		t.Errorf("stored %+v", stored[0].Meta)
	}
	etltest.NoSecret(t, testKey, raw, logs.String(), rj.String(), rj.Raw)
}

func TestExtractHS10GalliumGermanium(t *testing.T) {
	api := &fakeAPI{t: t, routes: map[string]string{
		"imports/hs 811292* from 2024-01 to 2024-12": "imports_811292_hs10_2024.json",
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	src := etltest.Build(t, KindName, config(srv.URL, map[string]any{"level": "HS10"}), etl.Runtime{RawDir: t.TempDir()})
	sink, err := etltest.Extract(t, src)
	if err != nil {
		t.Fatal(err)
	}
	// Each group code is asked for with a wildcard; the others find nothing (204).
	var asked []string
	for _, r := range api.requests() {
		asked = append(asked, r.URL.Query().Get("I_COMMODITY")+" "+r.URL.Query().Get("COMM_LVL"))
		if r.URL.Query().Has("key") {
			t.Errorf("a key was sent without one set: %s", r.URL)
		}
	}
	if strings.Join(asked, ",") != "282560* HS10,282590* HS10,811292* HS10,811299* HS10" {
		t.Errorf("requests %v", asked)
	}
	got := map[string]float64{}
	for _, f := range etltest.TradeFlows(t, sink) {
		if f.Commodity != "gallium_germanium" || f.Period != ym(2024, 3) || f.QuantityUnit != "kg" {
			t.Errorf("row %+v", f)
		}
		got[f.HSCode+" "+f.Partner] = val(f.ValueUSD)
	}
	want := map[string]float64{
		"8112921000 WLD": 1830411, "8112921000 CHN": 611020, "8112921000 JPN": 1219391,
		"8112926000 WLD": 2470085, "8112926000 BEL": 1102354, "8112926000 CHN": 1367731,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows %v\nwant %v", got, want)
	}
	if len(sink.Rejections) != 0 {
		t.Errorf("rejections %v", sink.Rejections)
	}
}

func TestExtractExports(t *testing.T) {
	api := &fakeAPI{t: t, routes: map[string]string{
		"exports/hs 811292 2021-06": "exports_811292_hs6_2021.json",
		"exports/hs 811299 2021-06": "exports_811299_hs6_2021.json",
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	src := etltest.Build(t, KindName, config(srv.URL, map[string]any{"flows": []any{"export"}, "from": "2021-06", "to": "2021-06"}),
		etl.Runtime{})
	sink, err := etltest.Extract(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range etltest.TradeFlows(t, sink) {
		if f.Flow != "export" || f.HSRevision != "HS2017" || f.Period != ym(2021, 6) {
			t.Errorf("row %+v", f)
		}
		got = append(got, fmt.Sprintf("%s %s %.0f %.0f %s", f.HSCode, f.Partner, val(f.ValueUSD), val(f.Quantity), f.QuantityUnit))
	}
	// Unit X (no quantity collected) leaves the quantity null, not 0.
	want := []string{"811292 WLD 2750112 9710 kg", "811292 KOR 1250112 3110 kg", "811292 MEX 1500000 6600 kg",
		"811299 WLD 98765 -1 ", "811299 TWN 98765 -1 "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExtractNoContent(t *testing.T) {
	api := &fakeAPI{t: t}
	srv := httptest.NewServer(api)
	defer srv.Close()
	src := etltest.Build(t, KindName, config(srv.URL, map[string]any{"from": "2023-06", "to": "2024-02"}), etl.Runtime{RawDir: t.TempDir()})
	sink, err := etltest.Extract(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(api.requests()); n != 8 { // 4 codes x 2 calendar years
		t.Errorf("%d requests, want 8", n)
	}
	if sink.Rows(etl.TradeFlows) != 0 || len(sink.Rejections) != 0 {
		t.Errorf("rows %d, rejections %v", sink.Rows(etl.TradeFlows), sink.Rejections)
	}
}

func TestExtractRetryAfter(t *testing.T) {
	t.Setenv(testKeyEnv, testKey)
	api := &fakeAPI{t: t, routes: map[string]string{"imports/hs 811292 2024-01": "imports_811292_hs6_2024.json"}}
	api.before = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, "too many requests for key "+r.URL.Query().Get("key"))
			return true
		}
		return false
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	raw := t.TempDir()
	log, logs := etltest.DebugLogger()
	src := etltest.Build(t, KindName, config(srv.URL, map[string]any{"commodities": nil, "hs_codes": []any{"811292"}, "from": "2024-01", "to": "2024-01"}),
		etl.Runtime{RawDir: raw, Logger: log})
	start := time.Now()
	sink, err := etltest.Extract(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(api.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("retried after %s, before the 1s Retry-After", d)
	}
	if sink.Rows(etl.TradeFlows) != 8 {
		t.Errorf("%d rows after the retry, want 8", sink.Rows(etl.TradeFlows))
	}
	etltest.NoSecret(t, testKey, raw, logs.String())
}

func TestExtractFailures(t *testing.T) {
	tests := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request)
		want   []string
	}{
		{"400 text error", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "error: unknown variable 'FOO'")
		}, []string{"HTTP 400", "error: unknown variable 'FOO'", "/data/timeseries/intltrade/imports/hs?get=I_COMMODITY", "I_COMMODITY=811292"}},
		{"400 invalid key", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "<html><head><title>Invalid Key</title></head><body>A valid <em>key</em> must be included with each data API request.</body></html>")
		}, []string{"HTTP 400", "refused the credentials", "set environment variable " + testKeyEnv + " to a valid key"}},
		{"200 text body", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "There was an error while running your query.  We've logged the error and we'll correct it ASAP.")
		}, []string{"not a Census API response", "There was an error while running your query", "imports/hs?get="}},
		{"invalid key page", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/data/invalid_key.html" {
				http.Redirect(w, r, "/data/invalid_key.html", http.StatusFound)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><head><title>Invalid Key</title></head><body>A valid <em>key</em> must be included with each data API request.</body></html>")
		}, []string{"refused the key", testKeyEnv, "imports/hs?get="}},
		{"header without the value", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `[["I_COMMODITY","CTY_CODE","CTY_NAME","time"],`+"\n"+`["811292","5700","CHINA","2024-01"]]`)
		}, []string{"lacks GEN_VAL_MO, GEN_QY1_MO, UNIT_QY1", "imports/hs?get="}},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			b, _ := os.ReadFile(filepath.Join("testdata", "imports_811292_hs6_2024.json"))
			w.Write(b[:len(b)/2])
		}, []string{"data row", "imports/hs?get="}},
		{"an object", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"error":"unknown"}`)
		}, []string{"not a JSON array"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(testKeyEnv, testKey)
			srv := httptest.NewServer(http.HandlerFunc(tt.handle))
			defer srv.Close()
			raw := t.TempDir()
			src := etltest.Build(t, KindName, config(srv.URL, map[string]any{"commodities": nil, "hs_codes": []any{"811292"}, "max_attempts": 1}),
				etl.Runtime{RawDir: raw})
			sink, err := etltest.Extract(t, src)
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if sink.Rows(etl.TradeFlows) != 0 {
				t.Errorf("%d rows loaded from a failed request", sink.Rows(etl.TradeFlows))
			}
			etltest.NoSecret(t, testKey, raw, err.Error())
		})
	}
}

func TestExtractBadRowsRejected(t *testing.T) {
	body := [][]any{
		{"I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_MO", "GEN_QY1_MO", "UNIT_QY1", "I_COMMODITY", "COMM_LVL", "time"},
		{"811292", "5700", "CHINA", "1,234", "1", "KG", "811292", "HS6", "2024-01"},
		{"811292", "5700", "CHINA", "1234", "1", "KG", "811292", "HS6", "2024"},
		{"8112", "5700", "CHINA", "1234", "1", "KG", "8112", "HS6", "2024-01"},
		{"811292", "5700", "CHINA", "1234", "KG"},
		{"811292", "", "", "1234", "1", "KG", "811292", "HS6", "2024-01"},
		{"811292", "5700", "CHINA", "1234", "many", "KG", "811292", "HS6", "2024-01"},
		{"811292", "5700", "CHINA", "-5", "1", "KG", "811292", "HS6", "2024-01"},
		{"811292", "5880", "JAPAN", nil, "1", "T", "811292", "HS6", "2024-01"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(body)
	}))
	defer srv.Close()
	src := etltest.Build(t, KindName, config(srv.URL, map[string]any{"commodities": nil, "hs_codes": []any{"811292"}}), etl.Runtime{})
	sink, err := etltest.Extract(t, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`1 GEN_VAL_MO GEN_VAL_MO "1,234" is not a number`,
		`2 time time "2024" is not a month YYYY-MM`,
		`3 I_COMMODITY I_COMMODITY "8112" is not a code of 6 digits`,
		`4  5 cells where the header has 9`,
		`5 CTY_CODE missing CTY_CODE`,
		`6 GEN_QY1_MO GEN_QY1_MO "many" is not a number`,
		`7 value_usd negative value -5`,
	}
	var got []string
	for _, r := range sink.Rejections {
		got = append(got, fmt.Sprintf("%d %s %s", r.Row, r.Column, r.Reason))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejections\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A null value is a missing figure, not a zero; the quantity keeps its unit.
	flows := etltest.TradeFlows(t, sink)
	if len(flows) != 1 || flows[0].ValueUSD != nil || val(flows[0].Quantity) != 1 || flows[0].QuantityUnit != "t" || flows[0].Row != 8 {
		t.Errorf("rows %+v", flows)
	}
}

func TestCountriesFilterAndReplay(t *testing.T) {
	api := &fakeAPI{t: t, routes: map[string]string{
		"imports/hs 811292 from 2024-01 to 2024-12": "imports_811292_hs6_2024.json",
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	raw := t.TempDir()
	cfg := config(srv.URL, map[string]any{"commodities": nil, "hs_codes": []any{"811292"}, "countries": []any{"CHN", "WLD"}})
	first, err := etltest.Extract(t, etltest.Build(t, KindName, cfg, etl.Runtime{RawDir: raw}))
	if err != nil {
		t.Fatal(err)
	}
	var ctys []string
	for _, r := range api.requests() {
		ctys = append(ctys, r.URL.Query().Get("CTY_CODE"))
	}
	if strings.Join(ctys, ",") != "5700,-" {
		t.Errorf("CTY_CODE predicates %v, want 5700,-", ctys)
	}
	srv.Close() // replay must not touch the network
	second, err := etltest.Extract(t, etltest.Build(t, KindName, cfg, etl.Runtime{RawDir: raw, Replay: true}))
	if err != nil {
		t.Fatal(err)
	}
	var a, b []string
	for _, f := range etltest.TradeFlows(t, first) {
		a = append(a, fmt.Sprintf("%s %s %.0f %s %d", f.Period.Format("2006-01"), f.Partner, val(f.ValueUSD), f.Ref, f.Row))
	}
	for _, f := range etltest.TradeFlows(t, second) {
		b = append(b, fmt.Sprintf("%s %s %.0f %s %d", f.Period.Format("2006-01"), f.Partner, val(f.ValueUSD), f.Ref, f.Row))
	}
	if len(a) != 4 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("replay gave\n%s\nthe fetch\n%s", strings.Join(b, "\n"), strings.Join(a, "\n"))
	}
}

func TestExtractCancelled(t *testing.T) {
	api := &fakeAPI{t: t}
	srv := httptest.NewServer(api)
	defer srv.Close()
	src := etltest.Build(t, KindName, config(srv.URL, nil), etl.Runtime{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sink := &etl.MemorySink{}
	defer sink.Release()
	if err := src.Extract(ctx, sink); err == nil {
		t.Error("no error from a cancelled extract")
	}
}
