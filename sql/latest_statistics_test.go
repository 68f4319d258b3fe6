package sql_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/output/warehouse"
	"github.com/tradewh/tradewh/sources/usgsmcs"
)

// TestLatestStatisticsOneUnit: mineral_statistics_latest keeps one figure
// per commodity, year, country, measure and product, from the newest
// edition, even where USGS changed the unit between editions; where one
// edition gives two units the metric one stays.
func TestLatestStatisticsOneUnit(t *testing.T) {
	type stat struct {
		edition string
		year    int
		unit    string
		value   float64
	}
	// Nickel's US price: MCS2023 in dollars per pound, MCS2024 per
	// kilogram, and MCS2024 also per pound for 2023.
	in := []stat{
		{"MCS2023", 2021, "usd_per_lb", 8.38},
		{"MCS2023", 2022, "usd_per_lb", 11.71},
		{"MCS2024", 2022, "usd_per_kg", 25.82},
		{"MCS2024", 2023, "usd_per_kg", 21.61},
		{"MCS2024", 2023, "usd_per_lb", 9.8},
	}
	db := openWarehouse(t)
	for i, s := range in {
		if _, err := db.Exec(`INSERT INTO mineral_statistics_history (edition, commodity, year, country_iso3, measure,
			product, value, unit, source, source_ref, source_row, source_column, run_id, valid_from)
			VALUES (?, 'nickel', ?, 'USA', 'price', '', ?, ?, 'usgs', 'f', ?, 'c', 1, now())`,
			s.edition, s.year, s.value, s.unit, i+1); err != nil {
			t.Fatal(err)
		}
	}
	// Expected: per year the newest edition, then a metric unit before a
	// pound one.
	best := map[int]stat{}
	metric := func(u string) bool { return u != "usd_per_lb" }
	for _, s := range in {
		b, ok := best[s.year]
		if !ok || s.edition > b.edition || (s.edition == b.edition && metric(s.unit) && !metric(b.unit)) {
			best[s.year] = s
		}
	}
	var want []string
	for y, s := range best {
		want = append(want, fmt.Sprintf("%d %s %s %v", y, s.edition, s.unit, s.value))
	}
	sort.Strings(want)
	if len(want) != 3 {
		t.Fatalf("fixture: %d years, want 3", len(want))
	}
	checkRows(t, db, `SELECT year, edition, unit, value FROM mineral_statistics_latest
		WHERE commodity = 'nickel' AND measure = 'price' ORDER BY year`, want)
}

// TestLatestStatisticsRealEdition loads the real MCS 2024 tables: one latest
// figure per key, from the newest edition that has the key, whatever the
// units the tables give it in.
func TestLatestStatisticsRealEdition(t *testing.T) {
	data := etltest.SharedData(t)
	ctx := context.Background()
	dir := t.TempDir()
	wh, err := warehouse.Open(ctx, warehouse.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	p := &etl.Pipeline{Store: wh, Runtime: etl.Runtime{RawDir: filepath.Join(dir, "raw"), Logger: slog.New(slog.DiscardHandler)}}
	if _, err := p.Run(ctx, etl.JobSpec{Name: "load-usgs-mcs", Kind: usgsmcs.Kind, Config: map[string]any{"paths": []any{
		filepath.Join(data, "usgs", "mcs2024", "salient"), filepath.Join(data, "usgs", "mcs2024", "world")}}}); err != nil {
		t.Fatal(err)
	}
	db := wh.DB()
	// Keys the release gives in two units: nickel's and soda ash's prices.
	checkRows(t, db, `SELECT commodity, count(DISTINCT year) FROM (
		SELECT commodity, year FROM mineral_statistics GROUP BY commodity, year, country_iso3, measure, product
		HAVING count(DISTINCT unit) > 1) GROUP BY ALL ORDER BY ALL`, []string{"nickel 5", "soda_ash 5"})
	checkRows(t, db, `SELECT count(*) = count(DISTINCT (commodity, year, country_iso3, measure, product)),
		count(DISTINCT (commodity, year, country_iso3, measure, product)) = (SELECT count(DISTINCT
			(commodity, year, country_iso3, measure, product)) FROM mineral_statistics)
		FROM mineral_statistics_latest`, []string{"true true"})
	checkRows(t, db, `SELECT year, unit, value FROM mineral_statistics_latest
		WHERE commodity = 'nickel' AND measure = 'price' AND year = 2023`, []string{"2023 usd_per_t 22000"})
}
