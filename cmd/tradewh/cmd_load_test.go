package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl/etltest"
)

// TestMeasuresLoadOverrideAndHistory: the default measures are there from
// the start; a user's file overrides one and adds one, by load and by a
// job; loading it again changes nothing; the default does not come back on
// the next open; a bad file writes nothing and names line and column.
func TestMeasuresLoadOverrideAndHistory(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "wh")
	mustCLI(t, "--warehouse", wh, "marts")
	file := filepath.Join(dir, "our_measures.csv")
	if err := os.WriteFile(file, []byte(`measure_id,imposing_iso3,target_iso3,measure_type,commodity,title,effective_date,hs_codes,citation
CHN-MOFCOM-2023-23,CHN,,licensing,gallium_germanium,Gallium and germanium licensing (our reading),2023-08-01,811292;811299,our analyst's note
IDN-NICKEL-2020,IDN,,ban,,Nickel ore export ban,2020-01-01,260400,Regulation of the Minister of Energy and Mineral Resources No. 11 of 2019
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, "--warehouse", wh, "load", "--source", "measures", "--no-export", file)
	if !strings.Contains(out, "2 rows in, 2 loaded (1 revised), 0 unchanged, 0 rejected") {
		t.Errorf("first load: %s", out)
	}
	out = mustCLI(t, "--warehouse", wh, "load", "--source", "measures", "--no-export", file)
	if !strings.Contains(out, "2 rows in, 0 loaded (0 revised), 2 unchanged") {
		t.Errorf("second load: %s", out)
	}
	// A job loads the same file: nothing new. Its open refreshed the
	// defaults, and the override stands.
	cfg := writeConfig(t, dir, `jobs:
  - name: our-measures
    source: measures
    schedule: "0 2 * * *"
    config: { paths: ["`+file+`"] }
`)
	mustCLI(t, "--warehouse", wh, "validate", cfg)
	mustCLI(t, "--warehouse", wh, "run", "--config", cfg)
	db := queryDB(t, wh)
	etltest.CheckLines(t, db, `SELECT measure_id, origin = '`+file+`', title FROM trade_measures
		WHERE measure_id IN ('CHN-MOFCOM-2023-23', 'IDN-NICKEL-2020') ORDER BY 1`, 6, []string{
		"CHN-MOFCOM-2023-23 true Gallium and germanium licensing (our reading)",
		"IDN-NICKEL-2020 true Nickel ore export ban",
	})
	etltest.CheckLines(t, db, `SELECT origin, valid_to IS NULL FROM trade_measures_history WHERE measure_id = 'CHN-MOFCOM-2023-23'
		ORDER BY valid_from`, 6, []string{"default false", fmt.Sprintf("%s true", file)})
	etltest.CheckLines(t, db, `SELECT string_agg(hs_code, ',' ORDER BY hs_code) FROM trade_measure_codes WHERE measure_id = 'CHN-MOFCOM-2023-23'`, 6,
		[]string{"811292,811299"})
	etltest.CheckLines(t, db, `SELECT count(*) FROM trade_measures`, 6, []string{"21"})
	db.Close()

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("measures:\n  - measure_id: B-1\n    imposing_iso3: CHN\n    measure_type: embargo\n"+
		"    title: t\n    effective_date: 2024-01-01\n    hs_codes: [811292]\n    citation: c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, "--warehouse", wh, "load", "--source", "measures", "--no-export", bad)
	if code != 1 || !strings.Contains(errs, bad+`:4:19: measure_type: must be one of`) {
		t.Errorf("bad file: exit %d\n%s", code, errs)
	}
	db = queryDB(t, wh)
	etltest.CheckLines(t, db, `SELECT count(*) FROM trade_measures_history`, 6, []string{"22"})
}
