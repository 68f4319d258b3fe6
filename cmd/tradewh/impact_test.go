package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl/etltest"
)

// impact prints the event window of China's real monthly exports of 811292
// loaded through the sheet source: the month of the US ban and the value to
// the US worked out from the CSV rows (the marts' figures themselves are
// checked in sql/measure_marts_test.go); an unknown measure fails.
func TestImpactOnRealChinaMonthly(t *testing.T) {
	data := etltest.SharedData(t)
	csvPath := filepath.Join(data, "monthly", "china_exports_811292_by_partner_monthly.csv")
	rowsIn, _ := etltest.ReadMonthlyByPartner(t, csvPath)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `jobs:
  - name: china-811292
    source: sheet
    schedule: "0 1 * * *"
    config:
      paths: ["`+csvPath+`"]
      table: trade_flows
      columns: { period: period_dt, partner_iso3: partner_name, hs_code: hs6, value_usd: val, net_weight_kg: qty }
      constants: { freq: M, flow: export, reporter_iso3: CHN }
`)
	wh := filepath.Join(dir, "wh")
	mustCLI(t, "--warehouse", wh, "run", "--config", cfg)
	out := mustCLI(t, "--warehouse", wh, "impact", "CHN-MOFCOM-2024-46", "--code", "811292")
	unknownExit, _, _ := cli(t, "--warehouse", wh, "impact", "NO-SUCH-MEASURE")

	// The impact command prints the window: the month of the ban, the
	// value to the US as the CSV sums it.
	var dec float64
	for _, r := range rowsIn {
		if r.Month == "2024-12-01" && r.Partner == "USA" {
			dec += r.Value
		}
	}
	for _, want := range []string{"HS 811292, CHN's reported exports, sheet", "target share",
		"0  2024-12     " + money(sql.NullFloat64{Float64: dec, Valid: true})} {
		if !strings.Contains(out, want) {
			t.Errorf("impact output lacks %q:\n%s", want, out)
		}
	}
	if unknownExit != 1 {
		t.Errorf("an unknown measure: exit %d, want 1", unknownExit)
	}
}
