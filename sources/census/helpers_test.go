package census

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

const (
	testKeyEnv = "TRADEWH_TEST_CENSUS_KEY"
	testKey    = "f00dfacecafe0123456789abcdef0123456789ab"
)

// fakeAPI answers like the intltrade endpoints: a fixture body for the
// requests it knows (by endpoint, commodity predicate and time), 204 No
// Content for the others, as the API does for a query without results.
type fakeAPI struct {
	t      *testing.T
	mu     sync.Mutex
	reqs   []*http.Request
	routes map[string]string // "imports/hs 811292 from 2024-01 to 2024-12" -> testdata file
	// before, when set, may answer request n (0-based) itself.
	before func(n int, w http.ResponseWriter, r *http.Request) bool
}

func route(r *http.Request) string {
	q := r.URL.Query()
	code := q.Get("I_COMMODITY")
	if strings.HasSuffix(r.URL.Path, "/exports/hs") {
		code = q.Get("E_COMMODITY")
	}
	return strings.TrimPrefix(r.URL.Path, "/data/timeseries/intltrade/") + " " + code + " " + q.Get("time")
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	if f.before != nil && f.before(n, w, r) {
		return
	}
	file, ok := f.routes[route(r)]
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		f.t.Error(err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if cty := r.URL.Query().Get("CTY_CODE"); cty != "" {
		b = onlyCountry(f.t, b, cty)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Write(b)
}

// onlyCountry keeps the header and the rows of one CTY_CODE, one row a
// line as the API writes them.
func onlyCountry(t *testing.T, body []byte, cty string) []byte {
	var rows [][]string
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Error(err)
		return body
	}
	col := slices.Index(rows[0], "CTY_CODE")
	var lines []string
	for i, r := range rows {
		if i == 0 || r[col] == cty {
			b, _ := json.Marshal(r)
			lines = append(lines, string(b))
		}
	}
	return []byte("[" + strings.Join(lines, ",\n") + "]")
}

func (f *fakeAPI) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

// config is a census config for base with fast retries; extra overrides.
func config(base string, extra map[string]any) map[string]any {
	cfg := map[string]any{
		"base_url": base, "commodities": []any{"gallium_germanium"}, "from": "2024-01", "to": "2024-12",
		"flows": []any{"import"}, "api_key_env": testKeyEnv, "rate_per_second": 1000.0,
		"retry_wait": "10ms", "timeout": "1m",
	}
	for k, v := range extra {
		if v == nil {
			delete(cfg, k)
			continue
		}
		cfg[k] = v
	}
	return cfg
}

func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}
