package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// comtradeServer speaks the v1 get endpoint: for every requested period,
// reporter, partner and code one import record whose value grows with the
// period (and with version, to simulate a revision).
type comtradeServer struct {
	mu      sync.Mutex
	periods []string // every period asked for, in order
	version float64
	failOn  string // a period whose requests fail with 401
}

func (c *comtradeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c.mu.Lock()
	periods := strings.Split(q.Get("period"), ",")
	c.periods = append(c.periods, periods...)
	version, failOn := c.version, c.failOn
	c.mu.Unlock()
	for _, p := range periods {
		if p == failOn {
			http.Error(w, `{"statusCode": 401, "message": "Access denied due to invalid subscription key."}`, http.StatusUnauthorized)
			return
		}
	}
	var data []map[string]any
	for _, rep := range strings.Split(q.Get("reporterCode"), ",") {
		for _, par := range strings.Split(q.Get("partnerCode"), ",") {
			for _, per := range periods {
				for _, cmd := range strings.Split(q.Get("cmdCode"), ",") {
					rc, _ := strconv.Atoi(rep)
					pc, _ := strconv.Atoi(par)
					y, _ := strconv.Atoi(per[:4])
					v := float64(y-2000)*1000 + version
					if pc == 0 {
						v *= 2 // the World total: China is half
					}
					data = append(data, map[string]any{"typeCode": "C", "freqCode": "A", "period": per,
						"reporterCode": rc, "partnerCode": pc, "partner2Code": 0, "flowCode": "M",
						"classificationCode": "H6", "cmdCode": cmd, "customsCode": "C00", "motCode": 0,
						"qtyUnitCode": -1, "qty": nil, "netWgt": nil, "primaryValue": v, "isAggregate": false})
				}
			}
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"elapsedTime": "0.01 secs", "count": len(data), "data": data, "error": ""})
}

func (c *comtradeServer) asked() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]string(nil), c.periods...)
	c.periods = nil
	sort.Strings(out)
	return out
}

func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "jobs.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const comtradeJobs = `
concern_iso3: CHN
jobs:
  - name: comtrade-annual
    source: comtrade
    schedule: "0 3 * * *"
    revision_window: 24
    config:
      base_url: %s
      freq: A
      reporters: [USA]
      partners: [CHN, WLD]
      hs_codes: ["811292"]
      from: 2019
      to: 2023
      api_key_env: TRADEWH_TEST_COMTRADE_KEY
      rate_per_second: 1000
      retry_wait: 10ms
      max_attempts: 1
`

// A backfill loads a year per transaction, stops at a failing year keeping
// the years done, and resumes from there; a plain run afterwards is
// incremental; a replay rebuilds a fresh warehouse with the server gone.
func TestBackfillResumeIncrementalAndReplay(t *testing.T) {
	t.Setenv("TRADEWH_TEST_COMTRADE_KEY", "secret-key-42")
	srv := &comtradeServer{failOn: "2021"}
	ts := httptest.NewServer(srv)
	dir := t.TempDir()
	wh := filepath.Join(dir, "wh")
	cfg := writeConfig(t, dir, fmt.Sprintf(comtradeJobs, ts.URL))

	code, out, errs := cli(t, "--warehouse", wh, "backfill", "comtrade-annual", "--config", cfg, "--from", "2019", "--to", "2023")
	if code != 1 || !strings.Contains(errs, "stopped at 2021-2021") || !strings.Contains(errs, "TRADEWH_TEST_COMTRADE_KEY") {
		t.Fatalf("backfill with a failing year: exit %d\n%s%s", code, out, errs)
	}
	if got := srv.asked(); strings.Join(got, ",") != "2019,2020,2021" {
		t.Errorf("first backfill asked %v", got)
	}
	srv.mu.Lock()
	srv.failOn = ""
	srv.mu.Unlock()
	out = mustCLI(t, "--warehouse", wh, "backfill", "comtrade-annual", "--config", cfg, "--from", "2019", "--to", "2023")
	if got := srv.asked(); strings.Join(got, ",") != "2021,2022,2023" {
		t.Errorf("resumed backfill asked %v, want only the years not done", got)
	}
	if !strings.Contains(out, "3 chunks loaded, 2 already done") {
		t.Errorf("resume summary: %s", out)
	}
	db := queryDB(t, wh)
	if n := count(t, db, "SELECT count(*) FROM trade_flows"); n != 10 {
		t.Errorf("%d trade flows after the backfill, want 10 (5 years x CHN, WLD)", n)
	}
	var share float64
	if err := db.QueryRow(`SELECT share FROM import_shares WHERE partner_iso3 = 'CHN' AND year = 2022 AND hs_code = '811292'`).Scan(&share); err != nil || share != 0.5 {
		t.Errorf("China's share 2022 = %v (%v), want 0.5", share, err)
	}
	db.Close()

	// A plain run starts at the cursor (2023) less 24 months: 2021.
	srv.mu.Lock()
	srv.version = 7 // figures revised at the source
	srv.mu.Unlock()
	mustCLI(t, "--warehouse", wh, "run", "--config", cfg)
	if got := srv.asked(); strings.Join(got, ",") != "2021,2022,2023" {
		t.Errorf("incremental run asked %v, want 2021..2023", got)
	}
	db = queryDB(t, wh)
	if n := count(t, db, "SELECT count(*) FROM trade_flows_history WHERE valid_to IS NOT NULL"); n != 6 {
		t.Errorf("%d closed versions, want 6 (3 revised years x 2 partners)", n)
	}
	db.Close()

	// No file the warehouse wrote (database, exports, landing zone) holds the key.
	files := 0
	filepath.WalkDir(wh, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), "secret-key-42") || strings.Contains(p, "secret-key-42") {
			t.Errorf("key found in %s", p)
		}
		return nil
	})
	if files < 10 {
		t.Errorf("only %d files searched for the key", files)
	}

	// Replay into a fresh warehouse with the server gone.
	ts.Close()
	fresh := filepath.Join(dir, "fresh")
	mustCLI(t, "--warehouse", fresh, "run", "--config", cfg, "--replay", "--raw", filepath.Join(wh, "raw"))
	a, b := queryDB(t, wh), queryDB(t, fresh)
	const q = "SELECT string_agg(concat_ws('|', period, partner_iso3, value_usd), ',' ORDER BY period, partner_iso3) FROM trade_flows"
	var want, got string
	if err := a.QueryRow(q).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(q).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("replay rebuilt\n%s\nwant\n%s", got, want)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `jobs:
  - name: a
    source: comtrade
    schedule: "0 25 * * *"
    config: {freq: Q, from: 2020}
  - name: a
    source: nosuch
    schedule: "@daily"
`)
	code, out, errs := cli(t, "validate", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
	}
	for _, want := range []string{"jobs.yaml:4:", "jobs.yaml:5:", "jobs.yaml:6:", "jobs.yaml:7:"} {
		if !strings.Contains(errs, want) {
			t.Errorf("no problem reported at %s:\n%s", want, errs)
		}
	}
	good := writeConfig(t, t.TempDir(), fmt.Sprintf(comtradeJobs, "http://127.0.0.1:1"))
	if out := mustCLI(t, "validate", good); !strings.Contains(out, "ok, 1 jobs") {
		t.Errorf("valid config: %s", out)
	}
	if out := mustCLI(t, "jobs", "--config", good); !strings.Contains(out, "comtrade-annual") || !strings.Contains(out, "0 3 * * *") {
		t.Errorf("jobs: %s", out)
	}
}
