package warehouse

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// trendRows: only the latest period of each group series is read; per-HS
// rows and older periods are not.
const trendRows = `
	('comtrade', 'A', '2021-01-01', 2021, 'USA', 'gallium_germanium', NULL, 500, 2, 'CHN', 0.95, 'CHN', 0.95, NULL, NULL, 9050),
	('comtrade', 'A', '2022-01-01', 2022, 'USA', 'gallium_germanium', NULL, 800, 2, 'CHN', 0.5, 'CHN', 0.5, -45, NULL, 5000),
	('comtrade', 'A', '2023-01-01', 2023, 'USA', 'gallium_germanium', NULL, 1000, 3, 'CHN', 0.6, 'CHN', 0.6, 10, NULL, 4100),
	('comtrade', 'A', '2023-01-01', 2023, 'USA', 'gallium_germanium', '811292', 1000, 3, 'CHN', 0.99, 'CHN', 0.99, 50, NULL, 9801),
	('census', 'A', '2023-01-01', 2023, 'USA', 'gallium_germanium', NULL, 610, 1, 'CHN', 0.9, 'CHN', 0.9, NULL, NULL, 8100),
	('comtrade', 'M', '2024-02-01', 2024, 'USA', 'rare_earths', NULL, 100, 2, 'CHN', 0.35, 'CHN', 0.35, 0, 0.3, 5000),
	('comtrade', 'M', '2024-03-01', 2024, 'USA', 'rare_earths', NULL, 100, 2, 'MYS', 0.8, 'CHN', 0.2, -15, 0.3, 6800),
	('comtrade', 'A', '2023-01-01', 2023, 'CAN', 'tungsten', NULL, NULL, 0, NULL, NULL, 'CHN', NULL, NULL, NULL, NULL)`

func TestLatestTrends(t *testing.T) {
	ctx := context.Background()
	w := openTest(t, "")
	if got, err := w.LatestTrends(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty warehouse: got %v, %v; want no trends", got, err)
	}
	if _, err := w.DB().ExecContext(ctx, `INSERT INTO dependency_trends (source, freq, period, year, reporter_iso3, commodity,
			hs_code, total_value_usd, n_partners, top_partner_iso3, top_share, concern_iso3, concern_share,
			share_change_pp, concern_share_12m, hhi) VALUES `+trendRows); err != nil {
		t.Fatal(err)
	}
	got, err := w.LatestTrends(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, tr := range got {
		total := "null"
		if tr.TotalValueUSD != nil {
			total = fmt.Sprint(*tr.TotalValueUSD)
		}
		var ms []string
		for _, m := range etl.TrendMetricNames() {
			if v, ok := tr.Metrics[m]; ok {
				ms = append(ms, fmt.Sprintf("%s=%v", m, v))
			}
		}
		lines = append(lines, fmt.Sprintf("%s/%s/%s/%s/%s %d concern=%s top=%s total=%s %s",
			tr.Source, tr.Freq, tr.Reporter, tr.Commodity, tr.Period, tr.Year, tr.Concern, tr.TopPartner, total, strings.Join(ms, " ")))
	}
	want := []string{
		"census/A/USA/gallium_germanium/2023-01-01 2023 concern=CHN top=CHN total=610 concern_share=0.9 hhi=8100 top_share=0.9",
		"comtrade/A/USA/gallium_germanium/2023-01-01 2023 concern=CHN top=CHN total=1000 concern_share=0.6 hhi=4100 share_change_pp=10 top_share=0.6",
		"comtrade/M/USA/rare_earths/2024-03-01 2024 concern=CHN top=MYS total=100 concern_share=0.2 concern_share_12m=0.3 hhi=6800 share_change_pp=-15 top_share=0.8",
		"comtrade/A/CAN/tungsten/2023-01-01 2023 concern=CHN top= total=null ",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("latest trends:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// Every metric a trend carries is a dependency_trends column.
func TestTrendMetricsAreMartColumns(t *testing.T) {
	w := openTest(t, "")
	for _, m := range etl.TrendMetricNames() {
		if n := queryInt(t, w, `SELECT count(*) FROM duckdb_columns() WHERE table_name = 'dependency_trends' AND column_name = ?`, m); n != 1 {
			t.Errorf("metric %s: not a dependency_trends column", m)
		}
	}
}
