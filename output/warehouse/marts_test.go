package warehouse

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	whsql "github.com/tradewh/tradewh/sql"
)

// scopeRecorder is a mart script that keeps what mart_scope held; with
// several statements, as real mart scripts have.
const scopeRecorder = `CREATE TABLE IF NOT EXISTS scope_seen (freq VARCHAR, period DATE);
DELETE FROM scope_seen;
INSERT INTO scope_seen SELECT * FROM mart_scope;`

func withMarts(t *testing.T, files ...whsql.File) {
	t.Helper()
	oldTables, old := martTables, martScripts
	martTables = func() []whsql.Table { return nil }
	martScripts = func() []whsql.File { return files }
	t.Cleanup(func() { martTables, martScripts = oldTables, old })
}

func scopeSeen(t *testing.T, w *Warehouse) []string {
	t.Helper()
	rows, err := w.DB().Query("SELECT freq || ' ' || strftime(period, '%Y-%m-%d') FROM scope_seen ORDER BY period, freq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestRebuildMartsScope(t *testing.T) {
	withMarts(t, whsql.File{Name: "10_scope.sql", SQL: scopeRecorder})
	w := openTest(t, "")
	ctx := context.Background()
	mustLoad(t, w, &testSource{
		flows: []etl.TradeFlow{flow(year(2020), "811292", 1, 1), flow(time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), "811292", 1, 2)},
		stats: []etl.MineralStat{stat(2019, 1, 1)},
	})
	months2022 := func() []string {
		out := []string{"A 2022-01-01"}
		for m := 1; m <= 12; m++ {
			out = append(out, "M 2022-"+[]string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}[m-1]+"-01")
		}
		return out
	}()
	loaded := func() []string {
		out := []string{"A 2019-01-01"}
		for _, m := range []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"} {
			out = append(out, "M 2019-"+m+"-01")
		}
		return append(out, "A 2020-01-01", "M 2021-05-01")
	}()
	tests := []struct {
		name string
		st   etl.LoadStats
		all  bool
		want []string
	}{
		// The load above left its periods pending: the first rebuild takes them.
		{"pending periods of the load", etl.LoadStats{}, false, loaded},
		{"periods of a load", etl.LoadStats{Periods: map[string][]string{"A": {"2023-01-01"}, "M": {"2023-02-01", "2023-01-01"}}},
			false, []string{"A 2023-01-01", "M 2023-01-01", "M 2023-02-01"}},
		{"statistics years", etl.LoadStats{StatYears: []int{2022}, Periods: map[string][]string{"A": {"2022-01-01"}}},
			false, months2022},
		{"nothing loaded", etl.LoadStats{}, false, nil},
		{"everything", etl.LoadStats{}, true, loaded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := w.RebuildMarts(ctx, tc.st, tc.all); err != nil {
				t.Fatal(err)
			}
			if got := scopeSeen(t, w); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("mart_scope:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
	if _, err := w.DB().Exec("SELECT * FROM mart_scope"); err == nil {
		t.Error("mart_scope outlived the rebuild")
	}
}

func TestRebuildMartsFailureRollsBack(t *testing.T) {
	w := openTest(t, "")
	ctx := context.Background()
	withMarts(t, whsql.File{Name: "10_scope.sql", SQL: scopeRecorder})
	st := etl.LoadStats{Periods: map[string][]string{"A": {"2023-01-01"}}}
	if err := w.RebuildMarts(ctx, st, false); err != nil {
		t.Fatal(err)
	}
	withMarts(t, whsql.File{Name: "10_scope.sql", SQL: scopeRecorder},
		whsql.File{Name: "20_broken.sql", SQL: "SELECT 1; SELECT * FROM no_such_table;"})
	err := w.RebuildMarts(ctx, etl.LoadStats{Periods: map[string][]string{"A": {"2024-01-01"}}}, false)
	if err == nil || !strings.Contains(err.Error(), "20_broken.sql") {
		t.Fatalf("error does not name the failing script: %v", err)
	}
	if got := scopeSeen(t, w); !reflect.DeepEqual(got, []string{"A 2023-01-01"}) {
		t.Errorf("a failed rebuild changed the marts: %q", got)
	}
	if err := w.RebuildMarts(ctx, etl.LoadStats{Periods: map[string][]string{"Q": {"2024-01-01"}}}, false); err == nil {
		t.Error("a quarterly period was accepted")
	}
}

// TestProjectMarts runs the project's own mart scripts on a small load.
func TestProjectMarts(t *testing.T) {
	w := openTest(t, "")
	ctx := context.Background()
	st := mustLoad(t, w, &testSource{
		flows: []etl.TradeFlow{flow(year(2023), "811292", 100, 1), flow(year(2023), "280530", 50, 2)},
		stats: []etl.MineralStat{stat(2023, 1, 1)},
	})
	for _, all := range []bool{false, true} {
		if err := w.RebuildMarts(ctx, st, all); err != nil {
			t.Fatalf("all=%v: %v", all, err)
		}
	}
	counts, err := w.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["trade_flows"] != 2 || counts["mineral_statistics"] != 1 {
		t.Errorf("table counts: %v", counts)
	}
	// The marts' own tables are counted too.
	if facts := 5; len(whsql.Marts()) > 0 && len(counts) <= facts {
		t.Errorf("no mart table among the counts: %v", counts)
	}
}

// Periods a load left pending join the next rebuild, whatever its own
// scope, and are cleared by it.
func TestDeferredMartsJoinTheNextRebuild(t *testing.T) {
	ctx := context.Background()
	w := openTest(t, "")
	if err := w.RebuildMarts(ctx, etl.LoadStats{}, true); err != nil { // create the mart tables
		t.Fatal(err)
	}
	st := mustLoad(t, w, &testSource{flows: []etl.TradeFlow{flow(year(2021), "811292", 10, 1)}})
	if err := w.DeferMarts(ctx, st); err != nil {
		t.Fatal(err)
	}
	if n, err := w.PendingMarts(ctx); err != nil || n != 1 {
		t.Fatalf("pending %d, %v; want 1", n, err)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM import_shares WHERE year = 2021"); n != 0 {
		t.Fatalf("%d 2021 shares before the rebuild", n)
	}
	// A later load of another year rebuilds 2021 as well.
	other := mustLoad(t, w, &testSource{flows: []etl.TradeFlow{flow(year(2022), "811292", 10, 1)}})
	if err := w.RebuildMarts(ctx, other, false); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, w, "SELECT count(*) FROM import_shares WHERE year = 2021"); n == 0 {
		t.Error("the pending year was not rebuilt")
	}
	if n, err := w.PendingMarts(ctx); err != nil || n != 0 {
		t.Errorf("pending %d, %v; want 0", n, err)
	}
}

// TestMartsCurrent: the marts are current after a rebuild, and not once a
// load, a setting or the country of concern changed what they read.
func TestMartsCurrent(t *testing.T) {
	ctx := context.Background()
	w := openTest(t, "")
	current := func(want bool, when string) {
		t.Helper()
		got, err := w.MartsCurrent(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: marts current %v, want %v", when, got, want)
		}
	}
	current(false, "never rebuilt")
	// Read twice, as files are: an unchanged reload is told by its fingerprints.
	src := &rereadSource{countingSource: countingSource{testSource: &testSource{
		flows: []etl.TradeFlow{flow(year(2021), "811292", 10, 1)}}}, reread: true}
	st := mustLoad(t, w, src)
	current(false, "after a load")
	if err := w.RebuildMarts(ctx, st, false); err != nil {
		t.Fatal(err)
	}
	current(true, "after the rebuild")
	mustLoad(t, w, src)
	current(true, "after a load that changed nothing")
	if err := w.SetMartSettings(ctx, []string{"min_coverage=0.5"}); err != nil {
		t.Fatal(err)
	}
	current(false, "after a setting changed")
	if err := w.RebuildMarts(ctx, etl.LoadStats{}, false); err != nil {
		t.Fatal(err)
	}
	current(true, "after the rebuild of the pending periods")
	if err := w.SetConcern(ctx, "RUS"); err != nil {
		t.Fatal(err)
	}
	current(false, "after the country of concern changed")
}
