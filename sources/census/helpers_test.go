package census

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tradewh/tradewh/etl"
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
		"retry_wait": "10ms", "timeout": "2s",
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

// build validates raw against the kind's spec and builds the source.
func build(t *testing.T, raw map[string]any, rt etl.Runtime) etl.Source {
	t.Helper()
	k, ok := etl.LookupKind(KindName)
	if !ok {
		t.Fatalf("kind %s not registered", KindName)
	}
	cfg, probs := k.Spec.Validate(raw)
	if len(probs) > 0 {
		t.Fatalf("config problems: %v", probs)
	}
	src, err := k.New(cfg, rt)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func extract(t *testing.T, src etl.Source) (*etl.MemorySink, error) {
	t.Helper()
	sink := &etl.MemorySink{}
	t.Cleanup(sink.Release)
	return sink, src.Extract(context.Background(), sink)
}

// syncBuffer collects log output from the client's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// flow is an emitted trade_flows row read back from Arrow.
type flow struct {
	Freq, Reporter, Partner, Flow, HS, Rev, Commodity, Unit, Source, Ref string
	Period                                                               time.Time
	Value, Weight, Qty                                                   *float64
	Agg                                                                  bool
	Row                                                                  int64
}

func readFlows(t *testing.T, sink *etl.MemorySink) []flow {
	t.Helper()
	var out []flow
	for _, rec := range sink.Records[etl.TradeFlows] {
		if !rec.Schema().Equal(etl.TradeFlowsSchema) {
			t.Fatalf("schema %s differs from the canonical one", rec.Schema())
		}
		str := func(c, i int) string {
			a := rec.Column(c).(*array.String)
			if a.IsNull(i) {
				return ""
			}
			return a.Value(i)
		}
		num := func(c, i int) *float64 {
			a := rec.Column(c).(*array.Float64)
			if a.IsNull(i) {
				return nil
			}
			return etl.F(a.Value(i))
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, flow{
				Freq: str(0, i), Period: rec.Column(1).(*array.Date32).Value(i).ToTime(),
				Reporter: str(2, i), Partner: str(3, i), Flow: str(4, i), HS: str(5, i), Rev: str(6, i),
				Commodity: str(7, i), Value: num(8, i), Weight: num(9, i), Qty: num(10, i), Unit: str(11, i),
				Agg: rec.Column(12).(*array.Boolean).Value(i), Source: str(13, i), Ref: str(14, i),
				Row: rec.Column(15).(*array.Int64).Value(i),
			})
		}
	}
	return out
}

// noKeyAnywhere checks texts and every file name and body under raw for the key.
func noKeyAnywhere(t *testing.T, raw string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, testKey) {
			t.Errorf("the key leaks: %s", s)
		}
	}
	filepath.Walk(raw, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(p, testKey) || strings.Contains(string(b), testKey) {
			t.Errorf("the key leaks into %s", p)
		}
		return nil
	})
}

func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}
