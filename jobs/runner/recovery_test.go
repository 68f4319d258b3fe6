package runner

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/output/warehouse"

	_ "github.com/tradewh/tradewh/sources/comtrade"
)

// galliumJob writes US imports of HS 811292 in 2023 and 2024 as the
// Comtrade API's CSV has them (partner 0 is the World total; China 60 %,
// then 70 %) and returns a job loading them.
func galliumJob(t *testing.T, extra ...string) jobs.Job {
	t.Helper()
	p := etltest.WriteUSGallium(t, t.TempDir(), extra...)
	return jobs.Job{Name: "gallium", Source: "comtrade-csv", Raw: map[string]any{"paths": []any{p}}}
}

type runRow struct {
	status   string
	errText  sql.NullString
	finished sql.NullTime
}

func runOf(t *testing.T, env *Env, id int64) runRow {
	t.Helper()
	wh, err := env.OpenReader(context.Background(), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	var r runRow
	if err := wh.DB().QueryRow(`SELECT status, error, finished_at FROM etl_runs WHERE run_id = ?`, id).Scan(&r.status, &r.errText, &r.finished); err != nil {
		t.Fatal(err)
	}
	return r
}

// A process killed after its load committed leaves its run 'loaded': the
// next writable open keeps it loaded and says its marts wait, while a run
// killed before it committed is recorded as failed, nothing loaded.
func TestRecoveryAfterAKill(t *testing.T) {
	ctx := context.Background()
	env := testEnv(t)
	s, err := env.OpenWriter(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := s.WH.StartRun(ctx, "gallium", "comtrade-csv")
	if err != nil {
		t.Fatal(err)
	}
	// What the load's own transaction writes when it commits.
	if _, err := s.WH.DB().Exec(`UPDATE etl_runs SET status = ?, rows_in = 6, rows_loaded = 6 WHERE run_id = ?`, warehouse.StatusLoaded, loaded); err != nil {
		t.Fatal(err)
	}
	running, err := s.WH.StartRun(ctx, "census", "census")
	if err != nil {
		t.Fatal(err)
	}
	s.Close() // as if killed: FinishRun never ran

	for reopen := 1; reopen <= 2; reopen++ { // the second open changes nothing
		s, err = env.OpenWriter(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		r := runOf(t, env, loaded)
		want := "interrupted after its load committed; marts pending: run `tradewh --warehouse " + env.Dir + " marts`"
		if r.status != warehouse.StatusLoaded || r.errText.String != want || !r.finished.Valid {
			t.Errorf("open %d: run killed after its load: %s %q finished %v; want loaded %q", reopen, r.status, r.errText.String, r.finished.Valid, want)
		}
		if strings.Contains(r.errText.String, "nothing of it was loaded") {
			t.Errorf("open %d: a loaded run says nothing was loaded", reopen)
		}
		r = runOf(t, env, running)
		if r.status != warehouse.StatusFailed || !strings.Contains(r.errText.String, "nothing of it was loaded") || !r.finished.Valid {
			t.Errorf("open %d: run killed before its load: %s %q", reopen, r.status, r.errText.String)
		}
	}
	if n := count(t, env, `SELECT count(*) FROM etl_runs WHERE run_id = ? AND rows_loaded = 6`, loaded); n != 1 {
		t.Error("the loaded run lost its counts")
	}

	// Once the marts are rebuilt, the run no longer says they wait.
	s, err = env.OpenWriter(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	err = s.WH.RebuildMarts(ctx, etl.LoadStats{}, false)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if r := runOf(t, env, loaded); r.status != warehouse.StatusLoaded || r.errText.String != "interrupted after its load committed; marts rebuilt since" {
		t.Errorf("after the marts rebuild: %s %q", r.status, r.errText.String)
	}
}

// cancelOnMartStep is a log handler that cancels a context when the marts
// rebuild logs its first step: the rebuild is then cut short in its
// transaction, as by SIGINT or SIGTERM.
type cancelOnMartStep struct {
	slog.Handler
	cancel context.CancelFunc
}

func (h cancelOnMartStep) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelOnMartStep) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "mart step" {
		h.cancel()
	}
	return nil
}

// A run cancelled during its marts rebuild is recorded as cancelled, not
// failed, and the marts are left as they were.
func TestCancelDuringMartsIsRecordedAsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := testEnv(t)
	env.Open = func(ctx context.Context, o warehouse.Options) (*warehouse.Warehouse, error) {
		o.Logger = slog.New(cancelOnMartStep{slog.DiscardHandler, cancel})
		return warehouse.Open(ctx, o)
	}
	_, err := env.RunConfigured(ctx, &jobs.Config{}, galliumJob(t))
	if err == nil || !strings.Contains(err.Error(), "rebuild marts") {
		t.Fatalf("run: %v, want it cut short in the marts rebuild", err)
	}
	env.Open = nil
	var status, errText string
	wh, err := env.OpenReader(context.Background(), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if err := wh.DB().QueryRow(`SELECT status, error FROM etl_runs WHERE job = 'gallium'`).Scan(&status, &errText); err != nil {
		t.Fatal(err)
	}
	if status != warehouse.StatusCancelled || !strings.Contains(errText, "context canceled") {
		t.Errorf("run cancelled in its marts: status %s, error %q; want cancelled", status, errText)
	}
	// The mart tables exist empty, or not yet (a new warehouse's first build).
	var shares int64
	if err := wh.DB().QueryRow(`SELECT coalesce(sum(estimated_size), 0) FROM duckdb_tables() WHERE table_name = 'import_shares'`).Scan(&shares); err != nil {
		t.Fatal(err)
	}
	if shares != 0 {
		t.Errorf("%d import_shares rows after a cancelled rebuild, want none", shares)
	}
}
