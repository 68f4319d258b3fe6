package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

func TestRuns(t *testing.T) {
	w := openTest(t, "")
	ctx := context.Background()
	st := etl.LoadStats{RowsIn: 5, Loaded: 3, Unchanged: 1, Rejected: 1}
	tests := []struct {
		job     string
		err     error
		status  string
		success bool
	}{
		{"nightly", nil, StatusOK, true},
		{"broken", errors.New("HTTP 503 from https://example.test/data"), StatusFailed, false},
		{"stopped", fmt.Errorf("load: %w", context.Canceled), StatusCancelled, false},
	}
	for _, tc := range tests {
		t.Run(tc.job, func(t *testing.T) {
			id, err := w.StartRun(ctx, tc.job, "comtrade-api")
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := runStatus(t, w, id); s != StatusRunning {
				t.Fatalf("new run is %s", s)
			}
			if err := w.FinishRun(ctx, id, st, tc.err); err != nil {
				t.Fatal(err)
			}
			status, errText := runStatus(t, w, id)
			wantErr := ""
			if tc.err != nil {
				wantErr = tc.err.Error()
			}
			if status != tc.status || errText != wantErr {
				t.Errorf("recorded %s %q, want %s %q", status, errText, tc.status, wantErr)
			}
			if n := queryInt(t, w, "SELECT count(*) FROM etl_runs WHERE run_id = ? AND finished_at IS NOT NULL AND rows_in = 5 AND rows_loaded = 3 AND rows_unchanged = 1 AND rows_rejected = 1", id); n != 1 {
				t.Error("counts or finish time not recorded")
			}
			got := queryInt(t, w, "SELECT count(*) FROM job_state WHERE job = ? AND last_success_at IS NOT NULL", tc.job)
			if (got == 1) != tc.success {
				t.Errorf("job_state success recorded: %v, want %v", got == 1, tc.success)
			}
		})
	}
	// A second success of the same job updates its state in place.
	id, _ := w.StartRun(ctx, "nightly", "comtrade-api")
	if err := w.FinishRun(ctx, id, st, nil); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM job_state WHERE job = 'nightly'"); n != 1 {
		t.Errorf("job_state has %d rows for one job", n)
	}
	if err := w.FinishRun(ctx, 999, st, nil); err == nil {
		t.Error("finishing an unknown run succeeded")
	}
}

func TestSetConcern(t *testing.T) {
	w := openTest(t, "")
	ctx := context.Background()
	tests := []struct {
		iso3, want string
		ok         bool
	}{
		{"usa", "USA", true},
		{"WLD", "USA", false}, // an area, not a country
		{"XXX", "USA", false},
		{"CHN", "CHN", true},
	}
	for _, tc := range tests {
		err := w.SetConcern(ctx, tc.iso3)
		if (err == nil) != tc.ok {
			t.Errorf("SetConcern(%q): %v", tc.iso3, err)
		}
		var got string
		if err := w.DB().QueryRow("SELECT value FROM settings WHERE name = 'concern_iso3'").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("after SetConcern(%q) concern is %s, want %s", tc.iso3, got, tc.want)
		}
	}
}

func TestTableCounts(t *testing.T) {
	w := openTest(t, "")
	ctx := context.Background()
	bad := flow(year(2023), "811292", -1, 3)
	mustLoad(t, w, &testSource{flows: []etl.TradeFlow{flow(year(2023), "811292", 1, 1), bad}, stats: []etl.MineralStat{stat(2023, 1, 1)}})
	mustLoad(t, w, &testSource{flows: []etl.TradeFlow{flow(year(2023), "811292", 2, 1)}})
	if _, err := w.DB().Exec("CREATE TABLE mart_import_shares AS SELECT 1 AS x UNION ALL SELECT 2"); err != nil {
		t.Fatal(err)
	}
	got, err := w.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"trade_flows": 1, "trade_flows_history": 2, "mineral_statistics": 1,
		"mineral_statistics_history": 1, "rejected_rows": 1, "mart_import_shares": 2}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %d rows, want %d (all: %v)", k, got[k], v, got)
		}
	}
	for k := range bookkeeping {
		if _, ok := got[k]; ok {
			t.Errorf("bookkeeping table %s counted", k)
		}
	}
}

// A run whose process died stays 'running' until the next writable open,
// which records it as failed.
func TestInterruptedRunClosedOnOpen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	id, err := w.StartRun(ctx, "nightly", "comtrade")
	if err != nil {
		t.Fatal(err)
	}
	w.Close() // as if killed: FinishRun never ran
	w, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var status, msg string
	var finished sql.NullTime
	if err := w.DB().QueryRow(`SELECT status, error, finished_at FROM etl_runs WHERE run_id = ?`, id).Scan(&status, &msg, &finished); err != nil {
		t.Fatal(err)
	}
	if status != StatusFailed || !strings.Contains(msg, "interrupted") || !finished.Valid {
		t.Errorf("run after reopening: %s %q %v", status, msg, finished)
	}
}

// A process that ends right after a load's commit (kill -9 before the
// marts or FinishRun) leaves the run recorded as loaded with its counts,
// and the load's periods pending, so the next rebuild includes them.
func TestCommittedLoadRecordsItselfAndItsPendingPeriods(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	id, err := w.StartRun(ctx, "nightly", "test")
	if err != nil {
		t.Fatal(err)
	}
	src := &testSource{
		flows: []etl.TradeFlow{flow(year(2021), "811292", 10, 1), flow(year(2022), "811292", 20, 2),
			flow(year(2022), "811292", 21, 3)}, // a repeated key: rejected
		stats: []etl.MineralStat{stat(2023, 5, 1)},
	}
	st, err := w.Load(ctx, id, src)
	if err != nil {
		t.Fatal(err)
	}
	if st.Loaded != 3 || st.Rejected != 1 {
		t.Fatalf("loaded %d, rejected %d; want 3 and 1", st.Loaded, st.Rejected)
	}
	// No rebuild, no FinishRun: the process ends here.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	w = openTest(t, dir)
	if status, _ := runStatus(t, w, id); status != StatusLoaded {
		t.Errorf("run recorded as %s after its load committed, want %s", status, StatusLoaded)
	}
	if n := queryInt(t, w, `SELECT count(*) FROM etl_runs WHERE run_id = ? AND rows_in = 4 AND rows_loaded = 3
		AND rows_unchanged = 0 AND rows_rejected = 1`, id); n != 1 {
		t.Error("the loaded run's counts were not recorded")
	}
	// Two trade years, and the statistics year with its months.
	if n := queryInt(t, w, "SELECT count(*) FROM mart_pending"); n != 2+13 {
		t.Errorf("%d periods pending, want 15", n)
	}
	for _, q := range []string{
		"SELECT count(*) FROM mart_pending WHERE freq = 'A' AND period = DATE '2021-01-01'",
		"SELECT count(*) FROM mart_pending WHERE freq = 'A' AND period = DATE '2022-01-01'",
		"SELECT count(*) FROM mart_pending WHERE freq = 'M' AND period = DATE '2023-12-01'",
	} {
		if queryInt(t, w, q) != 1 {
			t.Errorf("not pending: %s", q)
		}
	}

	// The next rebuild, whatever its own scope, takes them and clears them.
	if err := w.RebuildMarts(ctx, etl.LoadStats{}, false); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM mart_pending"); n != 0 {
		t.Errorf("%d periods still pending after the rebuild", n)
	}
	if n := queryInt(t, w, "SELECT count(DISTINCT year) FROM import_shares WHERE year IN (2021, 2022)"); n != 2 {
		t.Errorf("marts of %d of the 2 loaded years were built", n)
	}
	// The run's own end still records its outcome.
	if err := w.FinishRun(ctx, id, st, nil); err != nil {
		t.Fatal(err)
	}
	if status, _ := runStatus(t, w, id); status != StatusOK {
		t.Errorf("finished run is %s", status)
	}
}

// A load that fails before its commit records nothing pending and leaves
// its run running (for FinishRun to record the failure).
func TestFailedLoadLeavesNothingPending(t *testing.T) {
	ctx := context.Background()
	w := openTest(t, "")
	id, err := w.StartRun(ctx, "nightly", "test")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("source broke")
	src := &testSource{flows: []etl.TradeFlow{flow(year(2021), "811292", 10, 1), flow(year(2022), "811292", 20, 2)},
		before: func(_ context.Context, i int) error {
			if i == 2 {
				return boom
			}
			return nil
		}}
	if _, err := w.Load(ctx, id, src); !errors.Is(err, boom) {
		t.Fatalf("load error %v, want %v", err, boom)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM mart_pending"); n != 0 {
		t.Errorf("%d periods pending after a failed load", n)
	}
	if status, _ := runStatus(t, w, id); status != StatusRunning {
		t.Errorf("run is %s", status)
	}
}

// The clock given to Open stamps runs, row versions, job state and the
// measures refreshed at open, so tests and schedules see their own time.
func TestOpenClockStampsWrites(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	w, err := Open(ctx, Options{Dir: t.TempDir(), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	src := &testSource{flows: []etl.TradeFlow{flow(year(2022), "811292", 100, 1)}, stats: []etl.MineralStat{stat(2022, 1, 1)}}
	if _, _, err := load(t, w, src); err != nil {
		t.Fatal(err)
	}
	if err := w.RecordScheduled(ctx, "nightly", at); err != nil {
		t.Fatal(err)
	}
	stamps := []struct{ what, query string }{
		{"run started", "SELECT count(*) FROM etl_runs WHERE started_at = ?"},
		{"run finished", "SELECT count(*) FROM etl_runs WHERE finished_at = ?"},
		{"trade flow version", "SELECT count(*) FROM trade_flows_history WHERE valid_from = ?"},
		{"statistic version", "SELECT count(*) FROM mineral_statistics_history WHERE valid_from = ?"},
		{"job state", "SELECT count(*) FROM job_state WHERE updated_at = ?"},
		{"migration", "SELECT count(*) FROM schema_migrations WHERE applied_at = ?"},
		{"default measures", "SELECT count(*) FROM trade_measures_history WHERE valid_from = ?"},
	}
	for _, s := range stamps {
		if n := queryInt(t, w, s.query, at); n == 0 {
			t.Errorf("%s: no row stamped %s", s.what, at)
		}
	}
}
