package etltest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Patience bounds a test's wait for an event. Tests that drive a scheduler
// move its clock themselves and wait for what they expect: Patience is no
// deadline for the work, it only ends a test that hangs.
const Patience = 3 * time.Minute

// WaitFor polls cond until it holds, failing t after Patience.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after %s", what, Patience)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ComtradeHeader is the header of the Comtrade API's CSV records.
const ComtradeHeader = "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc," +
	"flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode," +
	"classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc," +
	"mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty," +
	"isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue," +
	"legacyEstimationFlag,isReported,isAggregate"

// ComtradeRecord is one annual import record of the US, HS 811292, from
// partner (M49 code) worth value (as written in the CSV).
func ComtradeRecord(year, partner int, value string) string {
	return fmt.Sprintf("C,A,%d0101,%d,52,%d,842,,,M,,%d,,,0,,,H6,HS,True,811292,,,,C00,,0,0,,8,,100.0,False,8,,100.0,False,100.0,False,0.0,False,%s,0.0,%s,0,True,False",
		year, year, year, partner, value, value)
}

// WriteUSGallium writes US imports of HS 811292 (gallium, germanium) as the
// Comtrade API returns them to dir/gallium_usa.csv and returns its path:
// partner 0 is the World total, China's share is 600/1000 in 2023 and
// 700/1000 in 2024. extra records are appended.
func WriteUSGallium(t testing.TB, dir string, extra ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(ComtradeHeader + "\n")
	for _, r := range []struct {
		year, partner int // M49: 0 World, 156 China, 276 Germany
		usd           float64
	}{{2023, 0, 1e6}, {2023, 156, 6e5}, {2023, 276, 4e5}, {2024, 0, 1e6}, {2024, 156, 7e5}, {2024, 276, 3e5}} {
		b.WriteString(ComtradeRecord(r.year, r.partner, fmt.Sprintf("%.1f", r.usd)) + "\n")
	}
	for _, e := range extra {
		b.WriteString(e + "\n")
	}
	p := filepath.Join(dir, "gallium_usa.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
