package warehouse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/measures"
)

// measureFile is a measures source read from a file, as the measures kind does.
type measureFile struct{ ms []measures.Measure }

func (f measureFile) Extract(ctx context.Context, sink etl.Sink) error {
	rec := measures.Batch(f.ms)
	defer rec.Release()
	return sink.Write(ctx, etl.TradeMeasures, rec)
}

const statusMeasures = `measures:
  - {measure_id: T-BAN, imposing_iso3: CHN, measure_type: ban, title: a ban, effective_date: 2025-01-01,
     hs_codes: [811292], citation: c}
  - {measure_id: T-SUSP, imposing_iso3: CHN, measure_type: suspension, suspends_measure_id: T-BAN, title: its suspension,
     effective_date: 2025-03-01, end_date: 2025-03-31, hs_codes: [811292], citation: c}
  - {measure_id: T-END, imposing_iso3: CHN, measure_type: licensing, title: licensing with an end,
     effective_date: 2025-01-01, end_date: 2025-06-30, status: in_force, hs_codes: [811292], citation: c}
  - {measure_id: T-LIFTED, imposing_iso3: CHN, measure_type: licensing, title: licensing lifted later,
     effective_date: 2025-01-01, hs_codes: [811292], citation: c}
  - {measure_id: T-LIFT, imposing_iso3: CHN, measure_type: lifting, suspends_measure_id: T-LIFTED, title: the lifting,
     effective_date: 2025-05-01, hs_codes: [811292], citation: c}
`

// A measure's status follows its dates as of the day it is read: the same
// stored rows read on another day (by a read-only open, which writes
// nothing) give another status, in trade_measures, trade_measures_as_of
// and the heading impact prints.
func TestMeasureStatusFollowsTheDayItIsRead(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(file, []byte(statusMeasures), 0o644); err != nil {
		t.Fatal(err)
	}
	ms, err := measures.ReadFile(file, measures.DefaultIDs())
	if err != nil {
		t.Fatal(err)
	}
	loaded := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	w, err := Open(ctx, Options{Dir: dir, Now: func() time.Time { return loaded }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := w.StartRun(ctx, "test", "measures")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Load(ctx, run, measureFile{ms}); err != nil {
		t.Fatal(err)
	}
	w.Close()

	ids := []string{"T-BAN", "T-SUSP", "T-END", "T-LIFTED", "T-LIFT", "CHN-MOFCOM-2024-46", "CHN-MOFCOM-2025-72"}
	for _, tc := range []struct {
		day  string
		want string // statuses of ids, in order
	}{
		{"2024-12-31", "announced announced announced announced announced in_force announced"},
		{"2025-03-01", "suspended in_force in_force in_force announced in_force announced"},
		{"2025-03-31", "suspended in_force in_force in_force announced in_force announced"},
		{"2025-04-01", "in_force ended in_force in_force announced in_force announced"},
		{"2025-05-01", "in_force ended in_force ended in_force in_force announced"},
		{"2025-06-30", "in_force ended in_force ended in_force in_force announced"},
		{"2025-07-01", "in_force ended ended ended in_force in_force announced"},
		{"2025-11-09", "in_force ended ended ended in_force suspended in_force"},
		{"2026-11-27", "in_force ended ended ended in_force suspended in_force"},
		// No. 72's suspension ran until 2026-11-27: the US ban applies again.
		{"2026-11-28", "in_force ended ended ended in_force in_force ended"},
		{"2026-12-08", "in_force ended ended ended in_force in_force ended"},
	} {
		t.Run(tc.day, func(t *testing.T) {
			day, _ := time.Parse(time.DateOnly, tc.day)
			r, err := Open(ctx, Options{Dir: dir, ReadOnly: true, Now: func() time.Time { return day.Add(15 * time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for _, q := range []struct{ name, query string }{
				{"trade_measures", `SELECT status FROM trade_measures WHERE measure_id = ?`},
				{"trade_measures_as_of", `SELECT status FROM trade_measures_as_of(CAST(? AS DATE) + INTERVAL 15 HOUR) WHERE measure_id = ?`},
			} {
				var got []string
				for _, id := range ids {
					args := []any{id}
					if q.name == "trade_measures_as_of" {
						args = []any{tc.day, id}
					}
					var s string
					if err := r.DB().QueryRowContext(ctx, q.query, args...).Scan(&s); err != nil {
						t.Fatalf("%s %s: %v", q.name, id, err)
					}
					got = append(got, s)
				}
				if g := strings.Join(got, " "); g != tc.want {
					t.Errorf("%s: %s, want %s", q.name, g, tc.want)
				}
			}
			h, err := r.Measure(ctx, "CHN-MOFCOM-2025-72")
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Fields(tc.want)[6]; h.Status != want || h.StatusOn.Format(time.DateOnly) != tc.day ||
				h.End.Format(time.DateOnly) != "2026-11-27" {
				t.Errorf("heading of No. 72: %s on %s, end %s; want %s on %s", h.Status, h.StatusOn.Format(time.DateOnly),
					h.End.Format(time.DateOnly), want, tc.day)
			}
		})
	}
}

// Without a clock of its own the warehouse reads statuses on today's date
// (UTC): a measure that ended two days ago reads ended, one that ends in
// two days in force.
func TestMeasureStatusOnTheWallClock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	today := time.Now().UTC()
	file := filepath.Join(dir, "m.csv")
	body := "measure_id,imposing_iso3,measure_type,title,effective_date,end_date,hs_codes,citation\n" +
		"W-PAST,CHN,ban,t,2020-01-01," + today.AddDate(0, 0, -2).Format(time.DateOnly) + ",811292,c\n" +
		"W-SOON,CHN,ban,t,2020-01-01," + today.AddDate(0, 0, 2).Format(time.DateOnly) + ",811292,c\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ms, err := measures.ReadFile(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := openTest(t, dir)
	run, err := w.StartRun(ctx, "test", "measures")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Load(ctx, run, measureFile{ms}); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := w.DB().QueryRowContext(ctx, `SELECT string_agg(measure_id || ' ' || status, ', ' ORDER BY measure_id)
		FROM trade_measures WHERE measure_id LIKE 'W-%'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "W-PAST ended, W-SOON in_force" {
		t.Errorf("got %s", got)
	}
}

// The October 2025 package took effect on 2025-11-08, the day after No. 70
// of 2025 suspended it until 2026-11-10; the December 2023 ban on
// exporting rare-earth technologies has no end and no HS code.
func TestDefaultMeasuresStatus(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ids := []string{"CHN-MOFCOM-2025-57", "CHN-MOFCOM-2025-70-57", "CHN-MOFCOM-2025-62", "CHN-MOFCOM-MOST-2023-TECH"}
	for _, tc := range []struct{ day, want string }{
		{"2025-10-08", "announced announced announced in_force"},
		{"2025-10-09", "announced announced in_force in_force"},
		{"2025-11-07", "announced in_force suspended in_force"},
		{"2025-11-08", "suspended in_force suspended in_force"},
		{"2026-11-10", "suspended in_force suspended in_force"},
		{"2026-11-11", "in_force ended in_force in_force"},
		{"2026-12-08", "in_force ended in_force in_force"},
	} {
		t.Run(tc.day, func(t *testing.T) {
			day, _ := time.Parse(time.DateOnly, tc.day)
			w, err := Open(ctx, Options{Dir: dir, Now: func() time.Time { return day }})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			var got []string
			for _, id := range ids {
				var s string
				if err := w.DB().QueryRowContext(ctx, `SELECT status FROM trade_measures WHERE measure_id = ?`, id).Scan(&s); err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				got = append(got, s)
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("%s, want %s", g, tc.want)
			}
		})
	}
	w := openTest(t, dir)
	var codes, history int
	if err := w.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM trade_measure_codes WHERE measure_id = 'CHN-MOFCOM-MOST-2023-TECH'),
		(SELECT len(codes) FROM trade_measures_history WHERE measure_id = 'CHN-MOFCOM-MOST-2023-TECH' AND valid_to IS NULL)`).Scan(&codes, &history); err != nil {
		t.Fatal(err)
	}
	if codes != 0 || history != 0 {
		t.Errorf("the technology ban has %d codes (%d in its history row), want none", codes, history)
	}
}
