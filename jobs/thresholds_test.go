package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	whsql "github.com/tradewh/tradewh/sql"
)

// trendsDB is an in-memory warehouse schema (the real migrations and mart
// scripts, run over an empty scope) with dependency_trends filled by SQL.
func trendsDB(t *testing.T, rows string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // mart_scope is TEMP: private to its connection
	stmts := []string{}
	for _, m := range whsql.Migrations() {
		stmts = append(stmts, m.SQL)
	}
	stmts = append(stmts, `CREATE TEMP TABLE mart_scope (freq VARCHAR, period DATE)`)
	for _, m := range whsql.Marts() {
		stmts = append(stmts, m.SQL)
	}
	stmts = append(stmts, `DROP TABLE mart_scope`)
	if rows != "" {
		stmts = append(stmts, `INSERT INTO dependency_trends (source, freq, period, year, reporter_iso3, commodity,
			hs_code, total_value_usd, n_partners, top_partner_iso3, top_share, concern_iso3, concern_share,
			share_change_pp, concern_share_12m, hhi) VALUES `+rows)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%.60s...: %v", s, err)
		}
	}
	return db
}

// trendRows: the latest period of each group series decides; per-HS rows
// and older periods must not.
const trendRows = `
	('comtrade', 'A', '2021-01-01', 2021, 'USA', 'gallium_germanium', NULL, 500, 2, 'CHN', 0.95, 'CHN', 0.95, NULL, NULL, 9050),
	('comtrade', 'A', '2022-01-01', 2022, 'USA', 'gallium_germanium', NULL, 800, 2, 'CHN', 0.5, 'CHN', 0.5, -45, NULL, 5000),
	('comtrade', 'A', '2023-01-01', 2023, 'USA', 'gallium_germanium', NULL, 1000, 3, 'CHN', 0.6, 'CHN', 0.6, 10, NULL, 4100),
	('comtrade', 'A', '2023-01-01', 2023, 'USA', 'gallium_germanium', '811292', 1000, 3, 'CHN', 0.99, 'CHN', 0.99, 50, NULL, 9801),
	('census', 'A', '2023-01-01', 2023, 'USA', 'gallium_germanium', NULL, 610, 1, 'CHN', 0.9, 'CHN', 0.9, NULL, NULL, 8100),
	('comtrade', 'A', '2023-01-01', 2023, 'JPN', 'rare_earths', NULL, 800, 3, 'CHN', 0.625, 'CHN', 0.625, NULL, NULL, 4375),
	('comtrade', 'M', '2024-02-01', 2024, 'USA', 'rare_earths', NULL, 100, 2, 'CHN', 0.35, 'CHN', 0.35, 0, 0.3, 5000),
	('comtrade', 'M', '2024-03-01', 2024, 'USA', 'rare_earths', NULL, 100, 2, 'MYS', 0.8, 'CHN', 0.2, -15, 0.3, 6800),
	('comtrade', 'A', '2023-01-01', 2023, 'CAN', 'tungsten', NULL, 0, 0, NULL, NULL, 'CHN', NULL, NULL, NULL, NULL)`

func f(v float64) *float64 { return &v }

// series names a crossing row as source/freq/reporter/commodity/period=value.
func series(r map[string]any) string {
	return fmt.Sprintf("%s/%s/%s/%v/%s=%v", r["source"], r["freq"], r["reporter_iso3"], r["commodity"], r["period"], r["value"])
}

func TestEvaluateRules(t *testing.T) {
	db := trendsDB(t, trendRows)
	tests := []struct {
		name string
		rule AlertRule
		want []string // crossing series, in order; none: the rule does not fire
	}{
		{"share above, every group series", AlertRule{Metric: "concern_share", Above: f(0.5)}, []string{
			"census/A/USA/gallium_germanium/2023-01-01=0.9",
			"comtrade/A/USA/gallium_germanium/2023-01-01=0.6",
			"comtrade/A/JPN/rare_earths/2023-01-01=0.625",
		}},
		{"reporter filter", AlertRule{Reporter: "JPN", Metric: "concern_share", Above: f(0.5)}, []string{
			"comtrade/A/JPN/rare_earths/2023-01-01=0.625",
		}},
		{"commodity filter and below", AlertRule{Commodity: "rare_earths", Metric: "concern_share", Below: f(0.25)}, []string{
			"comtrade/M/USA/rare_earths/2024-03-01=0.2",
		}},
		{"change either way; exactly 10 is not above 10", AlertRule{Metric: "share_change_pp", AbsAbove: f(10)}, []string{
			"comtrade/M/USA/rare_earths/2024-03-01=-15",
		}},
		{"trailing 12 months", AlertRule{Metric: "concern_share_12m", Above: f(0.25)}, []string{
			"comtrade/M/USA/rare_earths/2024-03-01=0.3",
		}},
		{"top share", AlertRule{Metric: "top_share", Above: f(0.7)}, []string{
			"census/A/USA/gallium_germanium/2023-01-01=0.9",
			"comtrade/M/USA/rare_earths/2024-03-01=0.8",
		}},
		{"hhi is 0-10000", AlertRule{Metric: "hhi", Above: f(8000)}, []string{
			"census/A/USA/gallium_germanium/2023-01-01=8100",
		}},
		{"either of two thresholds", AlertRule{Commodity: "gallium_germanium", Metric: "concern_share", Above: f(0.8), Below: f(0.61)}, []string{
			"census/A/USA/gallium_germanium/2023-01-01=0.9",
			"comtrade/A/USA/gallium_germanium/2023-01-01=0.6",
		}},
		{"nothing crosses; NULL shares never do", AlertRule{Metric: "concern_share", Below: f(0.1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name = "r1"
			got, err := EvaluateRules(context.Background(), db, []AlertRule{tt.rule})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("want no crossing, got %v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != "r1" {
				t.Fatalf("want one crossing of r1, got %v", got)
			}
			var names []string
			for _, r := range got[0].Rows {
				names = append(names, series(r))
				if r["metric"] != tt.rule.Metric || r["concern_iso3"] != "CHN" || r["condition"] == "" {
					t.Errorf("row %v: wrong metric, concern or condition", r)
				}
			}
			if strings.Join(names, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("crossing rows:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestEvaluateRulesOrderAndErrors(t *testing.T) {
	ctx := context.Background()
	db := trendsDB(t, trendRows)
	rules := []AlertRule{
		{Name: "quiet", Metric: "hhi", Above: f(10000)},
		{Name: "jump", Metric: "share_change_pp", AbsAbove: f(5)},
		{Name: "high", Metric: "concern_share", Above: f(0.85)},
	}
	got, err := EvaluateRules(ctx, db, rules)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Rule != "jump" || got[1].Rule != "high" {
		t.Fatalf("want crossings jump then high, got %v", got)
	}
	if got[1].Rows[0]["year"] != int64(2023) || got[1].Rows[0]["total_value_usd"] != 610.0 {
		t.Errorf("row fields: %v", got[1].Rows[0])
	}

	if _, err := EvaluateRules(ctx, db, []AlertRule{{Name: "x", Metric: "top_partner_share", Above: f(1)}}); err == nil ||
		!strings.Contains(err.Error(), `unknown metric "top_partner_share"`) {
		t.Errorf("unknown metric: got %v", err)
	}

	empty, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if got, err := EvaluateRules(ctx, empty, rules); err != nil || got != nil {
		t.Errorf("warehouse without the mart: got %v, %v; want nothing", got, err)
	}
}

// Every metric a rule may name is a dependency_trends column.
func TestAlertMetricsAreMartColumns(t *testing.T) {
	db := trendsDB(t, "")
	for m := range AlertMetrics {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM duckdb_columns() WHERE table_name = 'dependency_trends' AND column_name = ?`, m).Scan(&n)
		if err != nil || n != 1 {
			t.Errorf("metric %s: not a dependency_trends column (%d, %v)", m, n, err)
		}
	}
}
