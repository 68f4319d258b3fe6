package comtrade

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/sources/fetch"
)

const (
	testKeyEnv = "TRADEWH_TEST_COMTRADE_KEY"
	testKey    = "0123abcd-secret-subscription-key"
)

// fakeAPI answers like the v1 data endpoints: one row per reporter,
// partner, period, commodity and flow asked for, cut at maxRecords.
type fakeAPI struct {
	t      *testing.T
	mu     sync.Mutex
	reqs   []*http.Request
	served []int // rows per answered data request
	// before, when set, may answer request n (0-based) itself.
	before func(n int, w http.ResponseWriter, r *http.Request) bool
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	if f.before != nil && f.before(n, w, r) {
		return
	}
	q := r.URL.Query()
	list := func(k, def string) []string {
		if v := q.Get(k); v != "" {
			return strings.Split(v, ",")
		}
		return []string{def}
	}
	maxRec, _ := strconv.Atoi(q.Get("maxRecords"))
	freq := "A"
	if strings.Contains(r.URL.Path, "/C/M/") {
		freq = "M"
	}
	var data []map[string]any
	for _, rep := range list("reporterCode", "") {
		for _, par := range list("partnerCode", "0") {
			for _, per := range list("period", "") {
				for _, cmd := range list("cmdCode", "") {
					for _, fl := range list("flowCode", "M") {
						if maxRec > 0 && len(data) == maxRec {
							continue
						}
						rc, _ := strconv.Atoi(rep)
						pc, _ := strconv.Atoi(par)
						data = append(data, map[string]any{
							"typeCode": "C", "freqCode": freq, "period": per, "reporterCode": rc, "partnerCode": pc,
							"partner2Code": 0, "flowCode": fl, "classificationCode": "H6", "cmdCode": cmd,
							"customsCode": "C00", "motCode": 0, "qtyUnitCode": 8, "qtyUnitAbbr": nil, "qty": 10.0,
							"netWgt": 10.0, "cifvalue": nil, "fobvalue": nil, "primaryValue": 1000.0, "isAggregate": pc == 0,
						})
					}
				}
			}
		}
	}
	f.mu.Lock()
	f.served = append(f.served, len(data))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"elapsedTime": "0.01 secs", "count": len(data), "data": data, "error": ""})
}

func apiConfig(base string, extra map[string]any) map[string]any {
	cfg := map[string]any{
		"base_url": base, "reporters": []any{"USA"}, "partners": []any{"CHN", "WLD"},
		"commodities": []any{"rare_earths"}, "from": "2023", "api_key_env": testKeyEnv,
		"rate_per_second": 1000.0, "retry_wait": "10ms", "timeout": "1m",
	}
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

func TestAPIKeyedRequest(t *testing.T) {
	t.Setenv(testKeyEnv, testKey)
	api := &fakeAPI{t: t}
	srv := httptest.NewServer(api)
	defer srv.Close()
	raw := t.TempDir()
	sink, err := etltest.Extract(t, etltest.Build(t, KindAPI, apiConfig(srv.URL, nil), etl.Runtime{RawDir: raw}))
	if err != nil {
		t.Fatal(err)
	}
	if len(api.reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(api.reqs))
	}
	r := api.reqs[0]
	if r.URL.Path != "/data/v1/get/C/A/HS" {
		t.Errorf("path %s", r.URL.Path)
	}
	if r.Header.Get("Ocp-Apim-Subscription-Key") != testKey {
		t.Errorf("key header not sent")
	}
	want := map[string]string{
		"reporterCode": "842", "partnerCode": "156,0", "partner2Code": "0", "motCode": "0", "customsCode": "C00",
		"includeDesc": "false", "flowCode": "M,X", "period": "2023", "cmdCode": "280530,2846,284610,284690",
		"maxRecords": "100000",
	}
	for k, v := range want {
		if got := r.URL.Query().Get(k); got != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	rows := etltest.TradeFlows(t, sink)
	if len(rows) != 16 || len(sink.Rejections) != 0 {
		t.Fatalf("%d rows, %d rejections; want 16, 0", len(rows), len(sink.Rejections))
	}
	for _, fl := range rows {
		if fl.Source != KindAPI || !strings.HasPrefix(fl.Ref, srv.URL+"/data/v1/get/C/A/HS?") ||
			!strings.Contains(fl.Ref, "partner2Code=0") || fl.QuantityUnit != "kg" || fl.HSRevision != "HS2022" {
			t.Errorf("row %+v", fl)
		}
	}
	list, err := fetch.List(raw, KindAPI)
	if err != nil || len(list) != 1 || list[0].URL != rows[0].Ref {
		t.Errorf("landing zone = %+v, %v", list, err)
	}
	etltest.NoSecret(t, testKey, raw, rows[0].Ref)

	// Replay loads the same rows from the landing zone without the server.
	srv.Close()
	sink2, err := etltest.Extract(t, etltest.Build(t, KindAPI, apiConfig(srv.URL, map[string]any{"replay": true}), etl.Runtime{RawDir: raw}))
	if err != nil {
		t.Fatal(err)
	}
	if sink2.Rows(etl.TradeFlows) != 16 {
		t.Errorf("replay gave %d rows", sink2.Rows(etl.TradeFlows))
	}
}

func TestAPIPreviewWithoutKey(t *testing.T) {
	t.Setenv(testKeyEnv, "")
	api := &fakeAPI{t: t}
	srv := httptest.NewServer(api)
	defer srv.Close()
	sink, err := etltest.Extract(t, etltest.Build(t, KindAPI, apiConfig(srv.URL, nil), etl.Runtime{RawDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	r := api.reqs[0]
	if r.URL.Path != "/public/v1/preview/C/A/HS" || r.Header.Get("Ocp-Apim-Subscription-Key") != "" ||
		r.URL.Query().Get("maxRecords") != "500" {
		t.Errorf("preview request %s %v", r.URL, r.Header)
	}
	if sink.Rows(etl.TradeFlows) != 16 {
		t.Errorf("%d rows", sink.Rows(etl.TradeFlows))
	}
}

func TestAPITruncatedResponsesAreSplit(t *testing.T) {
	t.Setenv(testKeyEnv, testKey)
	api := &fakeAPI{t: t}
	srv := httptest.NewServer(api)
	defer srv.Close()
	cfg := apiConfig(srv.URL, map[string]any{
		"reporters": []any{"USA", "CHN"}, "partners": []any{"WLD", "CHN"}, "commodities": nil,
		"hs_codes": []any{"280530", "284690"}, "from": "2020", "to": "2023", "max_rows": 4,
	})
	delete(cfg, "commodities")
	sink, err := etltest.Extract(t, etltest.Build(t, KindAPI, cfg, etl.Runtime{RawDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	rows := etltest.TradeFlows(t, sink)
	// 2 reporters x 2 partners x 4 years x 2 codes x 2 flows.
	keys := map[string]bool{}
	for _, r := range rows {
		k := fmt.Sprint(r.Reporter, r.Partner, r.Period.Year(), r.HSCode, r.Flow)
		if keys[k] {
			t.Errorf("row %s twice", k)
		}
		keys[k] = true
	}
	if len(keys) != 64 || len(rows) != 64 || len(sink.Rejections) != 0 {
		t.Fatalf("%d distinct of %d rows, %d rejections; want 64", len(keys), len(rows), len(sink.Rejections))
	}
	truncated := 0
	for _, n := range api.served {
		if n == 4 {
			truncated++
		}
	}
	if truncated == 0 || len(api.reqs) < 16 {
		t.Errorf("%d requests, %d truncated: the split was not exercised", len(api.reqs), truncated)
	}
}

func TestAPIRetriesThenLoads(t *testing.T) {
	t.Setenv(testKeyEnv, testKey)
	api := &fakeAPI{t: t, before: func(n int, w http.ResponseWriter, r *http.Request) bool {
		switch n {
		case 0:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
			return true
		case 2: // too slow: the attempt times out (a minute is far beyond it)
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
			return true
		}
		return false
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	start := time.Now()
	sink, err := etltest.Extract(t, etltest.Build(t, KindAPI, apiConfig(srv.URL, map[string]any{"timeout": "2s"}), etl.Runtime{RawDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	if len(api.reqs) != 4 || sink.Rows(etl.TradeFlows) != 16 {
		t.Errorf("%d requests, %d rows; want 4, 16", len(api.reqs), sink.Rows(etl.TradeFlows))
	}
	if time.Since(start) < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 not honoured")
	}
}

func TestAPIFailures(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"401 names the variable", 401, `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`,
			[]string{"HTTP 401", testKeyEnv, "/data/v1/get/C/A/HS?reporterCode=842"}},
		{"error member", 200, `{"elapsedTime":"0.1 secs","count":0,"data":null,"error":"Invalid request: period"}`,
			[]string{"Comtrade reported an error: Invalid request: period", "reporterCode=842"}},
		{"not the v1 shape", 200, `{"statusCode":500,"message":"Internal error"}`,
			[]string{"not a Comtrade v1 response", "Internal error", "reporterCode=842"}},
		{"key echoed in an error", 400, `{"message":"bad key ` + testKey + `"}`, []string{"HTTP 400"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(testKeyEnv, testKey)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			raw := t.TempDir()
			sink, err := etltest.Extract(t, etltest.Build(t, KindAPI, apiConfig(srv.URL, nil), etl.Runtime{RawDir: raw}))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if sink.Rows(etl.TradeFlows) != 0 {
				t.Errorf("rows emitted from a failed response")
			}
			etltest.NoSecret(t, testKey, raw, err.Error())
		})
	}
}
