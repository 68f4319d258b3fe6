package sql_test

import "testing"

// TestSupplierAlternativesPrimaryProduction: gallium's world table gives
// primary production (low-purity metal), not refinery output; it is the
// producers' refinery-stage figure all the same.
func TestSupplierAlternativesPrimaryProduction(t *testing.T) {
	db := openWarehouse(t)
	if _, err := db.Exec(`INSERT INTO mineral_statistics_history
		(edition, commodity, year, country_iso3, measure, product, value, unit, qualifier,
		 source, source_ref, source_row, source_column, run_id, valid_from)
		VALUES ('MCS2024', 'gallium', 2023, 'CHN', 'primary_production', '', 600000, 'kg', NULL, 'usgs-mcs', 'w', 2, 'Prod_kg_est_2023', 1, now()),
		       ('MCS2024', 'gallium', 2023, 'JPN', 'primary_production', '', 3000, 'kg', NULL, 'usgs-mcs', 'w', 3, 'Prod_kg_est_2023', 1, now()),
		       ('MCS2024', 'gallium', 2023, 'WLD', 'primary_production', '', 600000, 'kg', NULL, 'usgs-mcs', 'w', 9, 'Prod_kg_est_2023', 1, now())`); err != nil {
		t.Fatal(err)
	}
	rebuild(t, db, nil)
	checkRows(t, db, `SELECT supplier_iso3, mine_production, refinery_production, production_unit, production_share, production_rank
		FROM supplier_alternatives WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND hs_code = '811292' AND year = 2023
		AND supplier_iso3 = 'JPN'`, []string{"JPN NULL 3000 kg 0.005 2"})
}
