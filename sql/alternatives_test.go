package sql_test

import "testing"

// TestSupplierAlternativesIncremental: a revised flow of one year rebuilds
// that year (and the year three later) to what a full rebuild gives, and
// leaves the other years alone; a new measure rebuilds every year.
func TestSupplierAlternativesIncremental(t *testing.T) {
	db := openWarehouse(t)
	insertFlows(t, db, []flow{
		{"comtrade", "A", "2020-01-01", "USA", "CHN", "import", "811292", "gallium_germanium", 300},
		{"comtrade", "A", "2020-01-01", "USA", "JPN", "import", "811292", "gallium_germanium", 100},
	})
	rebuild(t, db, nil)
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// 2023: DEU 200 of 1000 (World), JPN 100; 2020 JPN 0.25 of 400.
	checkRows(t, db, `SELECT supplier_iso3, share, share_3y_earlier, hhi_if_replaces_concern, restricted
		FROM supplier_alternatives WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND hs_code = '811292' AND year = 2023
		ORDER BY supplier_iso3`, []string{"DEU 0.2 0 6500 false", "JPN 0.1 0.25 5300 false"})

	exec(`INSERT INTO supplier_alternatives BY NAME SELECT 'sentinel' AS source, 'ZZZ' AS reporter_iso3, 'x' AS commodity,
		2022 AS year, 'CHN' AS concern_iso3, 'ZZZ' AS supplier_iso3, false AS restricted, 1 AS rank`)
	exec(`UPDATE trade_flow_versions SET valid_to = now() WHERE rowid IN (SELECT rid FROM trade_flow_rows
		WHERE source = 'comtrade' AND reporter_iso3 = 'USA' AND partner_iso3 = 'JPN' AND period = DATE '2023-01-01')`)
	insertFlows(t, db, []flow{{"comtrade", "A", "2023-01-01", "USA", "JPN", "import", "811292", "gallium_germanium", 150}})
	rebuild(t, db, [][2]string{{"A", "2023-01-01"}})
	checkRows(t, db, `SELECT source FROM supplier_alternatives WHERE source = 'sentinel'`, []string{"sentinel"})
	checkRows(t, db, `SELECT share FROM supplier_alternatives WHERE source = 'comtrade' AND reporter_iso3 = 'USA'
		AND hs_code = '811292' AND year = 2023 AND supplier_iso3 = 'JPN'`, []string{"0.15"})
	exec(`DELETE FROM supplier_alternatives WHERE source = 'sentinel'`)
	exec(`CREATE TABLE incremental AS SELECT * FROM supplier_alternatives`)

	// A measure of Japan's on the code: every year is rebuilt, restricted.
	exec(`INSERT INTO trade_measures_history (measure_id, imposing_iso3, measure_type, title, effective_date, status,
		citation, codes, origin, source_row, content_hash, valid_from)
		VALUES ('JPN-1', 'JPN', 'licensing', 't', DATE '2021-06-01', 'in_force', 'c',
		[{'hs_code': '811292', 'hs_revision': NULL}], 'f', 1, 'h', now())`)
	exec(`INSERT INTO trade_measures_current BY NAME SELECT * EXCLUDE (status, codes, source_row, content_hash, run_id, valid_to) FROM trade_measures_history`)
	exec(`INSERT INTO trade_measure_codes VALUES ('JPN-1', '811292', NULL)`)
	rebuild(t, db, [][2]string{})
	checkRows(t, db, `SELECT year, restricted, restricting_measures FROM supplier_alternatives WHERE source = 'comtrade'
		AND reporter_iso3 = 'USA' AND hs_code = '811292' AND supplier_iso3 = 'JPN' ORDER BY year`,
		[]string{"2020 true JPN-1", "2023 true JPN-1"})

	// Without the measure, a full rebuild from nothing equals the incremental one.
	exec(`DELETE FROM trade_measure_codes`)
	exec(`DELETE FROM trade_measures_current`)
	exec(`DELETE FROM trade_measures_history`)
	exec(`DROP TABLE supplier_alternatives`)
	exec(`DROP TABLE supplier_alternatives_state`)
	rebuild(t, db, nil)
	checkRows(t, db, `SELECT count(*) FROM (
		(SELECT * FROM incremental EXCEPT ALL SELECT * FROM supplier_alternatives)
		UNION ALL
		(SELECT * FROM supplier_alternatives EXCEPT ALL SELECT * FROM incremental))`, []string{"0"})
	checkRows(t, db, `SELECT count(*) > 0 FROM supplier_alternatives`, []string{"true"})
}
