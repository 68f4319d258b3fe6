package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// LatestTrends returns the newest period of every reporter/commodity group
// series (hs_code NULL) of dependency_trends, as alert rules read them:
// alerts speak of where dependence stands now, not of history the warehouse
// has always held.
func (w *Warehouse) LatestTrends(ctx context.Context) ([]etl.Trend, error) {
	metrics := etl.TrendMetricNames()
	rows, err := w.db.QueryContext(ctx, `
		SELECT source, freq, strftime(period, '%Y-%m-%d'), year, reporter_iso3, commodity,
		       concern_iso3, top_partner_iso3, total_value_usd, `+strings.Join(metrics, ", ")+`
		FROM dependency_trends
		WHERE hs_code IS NULL
		QUALIFY row_number() OVER (PARTITION BY source, freq, reporter_iso3, commodity ORDER BY period DESC) = 1
		ORDER BY commodity, reporter_iso3, source, freq`)
	if err != nil {
		return nil, fmt.Errorf("read latest trends: %w", err)
	}
	defer rows.Close()
	var out []etl.Trend
	for rows.Next() {
		var t etl.Trend
		var commodity, concern, top sql.NullString
		var total sql.NullFloat64
		values := make([]sql.NullFloat64, len(metrics))
		dest := []any{&t.Source, &t.Freq, &t.Period, &t.Year, &t.Reporter, &commodity, &concern, &top, &total}
		for i := range values {
			dest = append(dest, &values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read latest trends: %w", err)
		}
		t.Commodity, t.Concern, t.TopPartner = commodity.String, concern.String, top.String
		if total.Valid {
			t.TotalValueUSD = &total.Float64
		}
		t.Metrics = map[string]float64{}
		for i, v := range values {
			if v.Valid {
				t.Metrics[metrics[i]] = v.Float64
			}
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read latest trends: %w", err)
	}
	return out, nil
}
