package comtrade

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// Comtrade's placeholders for figures not reported are nulls, not zeros,
// and a quantity given only as altQty is read from there. The rows are
// written in the layout of the real saved CSV (the API's field names).
func TestPlaceholdersAreNotReported(t *testing.T) {
	real, err := os.ReadFile(etltest.SharedFile(t, "comtrade/comtrade_gallium_usa_chn_2020_2024.csv"))
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Split(strings.SplitN(string(real), "\n", 2)[0], ",")
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	base := strings.Split(strings.SplitN(string(real), "\n", 3)[1], ",")
	row := func(set map[string]string) string {
		r := append([]string(nil), base...)
		for k, v := range set {
			r[col[k]] = v
		}
		return strings.Join(r, ",")
	}
	lines := []string{strings.Join(header, ","),
		// 1: qty 0 under qtyUnitCode -1, netWgt 0 beside a positive value
		row(map[string]string{"qtyUnitCode": "-1", "qty": "0.0", "altQtyUnitCode": "-1", "altQty": "0.0", "netWgt": "0.0", "primaryValue": "5000.0"}),
		// 2: cobalt's World row for 2024: the weight only in altQty (kg)
		row(map[string]string{"partnerCode": "0", "qtyUnitCode": "-1", "qty": "0.0", "altQtyUnitCode": "8", "altQty": "1830073.0", "netWgt": "0.0", "primaryValue": "61000000.0"}),
		// 3: as published
		row(map[string]string{"period": "2021", "refYear": "2021"}),
		// 4: zero value, zero weight: a true zero stays
		row(map[string]string{"period": "2022", "refYear": "2022", "qty": "0.0", "netWgt": "0.0", "primaryValue": "0.0", "cifvalue": "0.0"}),
	}
	path := filepath.Join(t.TempDir(), "placeholders.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sink, err := etltest.Extract(t, etltest.Build(t, KindCSV, map[string]any{"paths": []any{path}}, etl.Runtime{}))
	if err != nil {
		t.Fatal(err)
	}
	rows := etltest.TradeFlows(t, sink)
	if len(rows) != 4 {
		t.Fatalf("%d rows, rejections %v", len(rows), sink.Rejections)
	}
	show := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	for i, w := range []struct {
		kg, qty any
		unit    string
	}{
		{nil, nil, ""},
		{1830073.0, 1830073.0, "kg"},
		{35970.0, 35970.0, "kg"},
		{0.0, 0.0, "kg"},
	} {
		r := rows[i]
		if show(r.NetWeightKg) != w.kg || show(r.Quantity) != w.qty || r.QuantityUnit != w.unit {
			t.Errorf("row %d: net weight %v, quantity %v %q; want %v, %v %q", r.Row, show(r.NetWeightKg), show(r.Quantity), r.QuantityUnit, w.kg, w.qty, w.unit)
		}
	}
}
