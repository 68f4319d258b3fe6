package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testKey = "s3cr3t-key-0123456789"

// quick returns a client with short waits for tests.
func quick(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.Source == "" {
		cfg.Source = "test"
	}
	if cfg.RawDir == "" {
		cfg.RawDir = t.TempDir()
	}
	cfg.InitialWait = 10 * time.Millisecond
	cfg.MaxWait = 50 * time.Millisecond
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	return New(cfg)
}

func readAll(t *testing.T, r *Response) string {
	t.Helper()
	f, err := r.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertNoSecret fails if any file name or content under dir holds the key.
func assertNoSecret(t *testing.T, dir string) {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p, testKey) {
			t.Errorf("file name holds the key: %s", p)
		}
		if !info.IsDir() {
			n++
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), testKey) {
				t.Errorf("%s holds the key: %s", p, b)
			}
		}
		return nil
	})
	if n == 0 {
		t.Errorf("nothing landed under %s", dir)
	}
}

func TestGetLandsBodyAndReplays(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Ocp-Apim-Subscription-Key") != testKey {
			t.Errorf("key header not sent")
		}
		w.Header().Set("Content-Type", "application/json")
		// A server echoing the key must not get it into the landing zone.
		io.WriteString(w, `{"data":[1,2,3],"echo":"`+testKey+`"}`)
	}))
	defer srv.Close()
	raw := t.TempDir()
	c := quick(t, Config{Source: "comtrade", RawDir: raw})
	url := srv.URL + "/data/v1/get?period=2023&subscription-key=" + testKey
	h := http.Header{"Ocp-Apim-Subscription-Key": {testKey}}
	resp, err := c.Get(context.Background(), url, h)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(resp.URL, testKey) || !strings.Contains(resp.URL, "period=2023") {
		t.Errorf("response URL not redacted: %s", resp.URL)
	}
	body := readAll(t, resp)
	if !strings.Contains(body, `"data":[1,2,3]`) || !strings.Contains(body, redactedMark) {
		t.Errorf("body = %s", body)
	}
	assertNoSecret(t, raw)

	list, err := List(raw, "comtrade")
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	m := list[0]
	if m.Status != 200 || m.URL != resp.URL || m.Bytes != int64(len(body)) || m.SHA256 == "" || m.Attempt != 1 {
		t.Errorf("meta = %+v", m.Meta)
	}
	wantDir := filepath.Join(raw, "comtrade", m.RetrievedAt.Format("2006-01-02"))
	if filepath.Dir(m.BodyPath) != wantDir || !strings.HasSuffix(m.BodyPath, ".json") {
		t.Errorf("body at %s, want under %s", m.BodyPath, wantDir)
	}

	// Replay serves the same body with no network at all.
	srv.Close()
	rc := quick(t, Config{Source: "comtrade", RawDir: raw, Replay: true})
	rr, err := rc.Get(context.Background(), srv.URL+"/data/v1/get?period=2023&subscription-key=other", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Replayed || readAll(t, rr) != body {
		t.Errorf("replay differs")
	}
	if _, err := rc.Get(context.Background(), srv.URL+"/data/v1/get?period=2024", nil); err == nil ||
		!strings.Contains(err.Error(), "no stored response") {
		t.Errorf("replay of an unseen request: %v", err)
	}
	if hits.Load() != 1 {
		t.Errorf("server hit %d times, want 1", hits.Load())
	}
}

// sequence serves the given handlers in turn, the last one from then on.
func sequence(hits *atomic.Int32, hs ...http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(hits.Add(1)) - 1
		if i >= len(hs) {
			i = len(hs) - 1
		}
		hs[i](w, r)
	}
}

func ok(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) }

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, `{"statusCode":`+http.StatusText(code)+`,"message":"failed for key `+testKey+`"}`)
	}
}

func TestRetries(t *testing.T) {
	// slow answers only when the client gives up (its timeout) or after a
	// minute, far beyond the timeout however busy the machine is.
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}
	tests := []struct {
		name      string
		handlers  []http.HandlerFunc
		timeout   time.Duration
		wantHits  int32
		minWait   time.Duration
		wantErr   string
		wantNoErr bool
	}{
		{name: "429 with Retry-After then success", handlers: []http.HandlerFunc{status(429, "Retry-After", "1"), ok},
			wantHits: 2, minWait: 900 * time.Millisecond, wantNoErr: true},
		{name: "500 then success", handlers: []http.HandlerFunc{status(500), ok}, wantHits: 2, wantNoErr: true},
		{name: "503 twice then success", handlers: []http.HandlerFunc{status(503), status(503), ok}, wantHits: 3, wantNoErr: true},
		{name: "slow response times out then success", handlers: []http.HandlerFunc{slow, ok},
			timeout: 2 * time.Second, wantHits: 2, wantNoErr: true},
		{name: "401 is final and names the variable", handlers: []http.HandlerFunc{status(401)},
			wantHits: 1, wantErr: "set environment variable COMTRADE_API_KEY"},
		{name: "403 is final", handlers: []http.HandlerFunc{status(403)}, wantHits: 1, wantErr: "COMTRADE_API_KEY"},
		{name: "400 is final", handlers: []http.HandlerFunc{status(400)}, wantHits: 1, wantErr: "HTTP 400"},
		{name: "persistent 502 gives up", handlers: []http.HandlerFunc{status(502)}, wantHits: 3,
			wantErr: "after 3 attempts"},
		{name: "Retry-After beyond the limit is final", handlers: []http.HandlerFunc{status(429, "Retry-After", "3600")},
			wantHits: 1, wantErr: "more than the"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(sequence(&hits, tt.handlers...))
			defer srv.Close()
			raw := t.TempDir()
			c := quick(t, Config{Source: "comtrade", RawDir: raw, KeyEnv: "COMTRADE_API_KEY", MaxAttempts: 3, Timeout: tt.timeout})
			start := time.Now()
			resp, err := c.Get(context.Background(), srv.URL+"/x?subscription-key="+testKey,
				http.Header{"Ocp-Apim-Subscription-Key": {testKey}})
			if hits.Load() != tt.wantHits {
				t.Errorf("hits = %d, want %d", hits.Load(), tt.wantHits)
			}
			if tt.wantNoErr {
				if err != nil {
					t.Fatal(err)
				}
				if readAll(t, resp) != `{"ok":true}` || resp.Attempts != int(tt.wantHits) {
					t.Errorf("resp = %+v", resp)
				}
				if d := time.Since(start); d < tt.minWait {
					t.Errorf("returned after %s, Retry-After asked for %s", d, tt.minWait)
				}
				// The landing zone holds the final, good response.
				list, _ := List(raw, "comtrade")
				if len(list) != 1 || list[0].Status != 200 {
					t.Errorf("landing zone = %+v", list)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error leaks the key: %v", err)
			}
			if !strings.Contains(err.Error(), "/x") {
				t.Errorf("error does not name the request: %v", err)
			}
			var se *StatusError
			if !errors.As(err, &se) {
				t.Errorf("not a StatusError: %T", err)
			}
			assertNoSecret(t, raw)
		})
	}
}

func TestCancelStopsRetryWait(t *testing.T) {
	// The operator cancels once the server has asked for a 10-minute wait.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	asked := status(429, "Retry-After", "600")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked(w, r)
		time.AfterFunc(100*time.Millisecond, cancel)
	}))
	defer srv.Close()
	c := quick(t, Config{MaxRetryAfter: time.Hour})
	start := time.Now()
	_, err := c.Get(ctx, srv.URL+"/x", nil)
	// Waiting out the 10 minutes would fail the test run's own timeout.
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Fatalf("err = %v after %s; want the cancellation, long before the 10 minutes Retry-After asks", err, time.Since(start))
	}
	if !strings.Contains(err.Error(), "/x") {
		t.Errorf("error does not name the request: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(sequence(&hits, ok))
	defer srv.Close()
	c := quick(t, Config{RatePerSecond: 20})
	start := time.Now()
	for i := 0; i < 5; i++ {
		if _, err := c.Get(context.Background(), srv.URL+"/x", nil); err != nil {
			t.Fatal(err)
		}
	}
	// 5 requests at 20/s with a burst of 1: at least 4 gaps of 50ms.
	if d := time.Since(start); d < 180*time.Millisecond {
		t.Errorf("5 requests took %s, faster than the limit", d)
	}
}

func TestNoRawDirUsesTemporaryBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(ok))
	defer srv.Close()
	c := New(Config{Source: "test"})
	resp, err := c.Get(context.Background(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp) != `{"ok":true}` {
		t.Error("body")
	}
	if err := resp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(resp.BodyPath); !os.IsNotExist(err) {
		t.Errorf("temporary body left behind: %v", err)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
