package report

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	_ "github.com/tradewh/tradewh/sources/sheet"
)

// Real published files: US and Chinese Comtrade records of HS 811292
// (World and each other only, so the partner detail is partial), China's
// monthly exports of 811292 by partner and the MCS 2024 salient tables.
// The report plots exactly the marts, shows the uncovered part of the
// World total, carries no illustrative banner, gives USGS's NIR with its
// qualifiers, and its headlines state what the marts give.
func TestReportOnRealData(t *testing.T) {
	data := etltest.SharedData(t)
	dir := t.TempDir()
	wh := openWH(t, dir, false)
	p := &etl.Pipeline{Store: wh, Runtime: etl.Runtime{RawDir: filepath.Join(dir, "raw")}}
	for _, j := range []etl.JobSpec{
		{Name: "comtrade", Kind: "comtrade-csv", Config: map[string]any{"paths": []any{filepath.Join(data, "comtrade", "comtrade_gallium_usa_chn_2020_2024.csv")}}},
		{Name: "usgs", Kind: "usgs-mcs", Config: map[string]any{"paths": []any{
			filepath.Join(data, "usgs", "mcs2024", "salient", "mcs2024-galli_salient.csv"),
			filepath.Join(data, "usgs", "mcs2024", "salient", "mcs2024-germa_salient.csv")}}},
		{Name: "china-811292", Kind: "sheet", Config: map[string]any{
			"paths": []any{filepath.Join(data, "monthly", "china_exports_811292_by_partner_monthly.csv")}, "table": "trade_flows",
			"columns":   map[string]any{"period": "period_dt", "partner_iso3": "partner_name", "hs_code": "hs6", "value_usd": "val", "net_weight_kg": "qty"},
			"constants": map[string]any{"freq": "M", "flow": "export", "reporter_iso3": "CHN"}}},
	} {
		if _, err := p.Run(context.Background(), j); err != nil {
			t.Fatalf("%s: %v", j.Name, err)
		}
	}
	r, err := Build(context.Background(), wh.DB(), Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Groups) != 1 || r.Groups[0].Slug != "gallium_germanium" {
		t.Fatalf("groups %+v", r.Groups)
	}
	page := render(t, r)
	if len(r.Illustrative) > 0 || strings.Contains(page, `id="illustrative"`) {
		t.Errorf("real data flagged as illustrative: %v", r.Illustrative)
	}
	charts := chartsFromHTML(page)
	compareCharts(t, wh.DB(), charts)
	var partial, nir bool
	for _, c := range charts {
		for _, pt := range c.Points {
			partial = partial || pt.Series == "unallocated"
			nir = nir || c.Attrs["chart"] == "nir" && strings.HasPrefix(pt.Series, "germanium")
		}
	}
	if !partial {
		t.Error("only China's rows were pulled, yet the partner chart shows no uncovered part of the World total")
	}
	if !nir {
		t.Error("no germanium NIR plotted from MCS 2024")
	}
	// China 19.4 % in 2024 reads as the top partner of an unconcentrated
	// market unless the page says how little the partner rows cover.
	if h := section(t, r, "gallium_germanium", 1).Headline; !strings.Contains(h, "China 19.4 % in 2024") || !strings.Contains(h, "partner detail covers only 19 %") {
		t.Errorf("section 1 headline %q", h)
	}
	// The NIR table keeps USGS's qualifier.
	s := section(t, r, "gallium_germanium", 3)
	var quals []string
	for _, row := range s.Tables[0].Rows {
		if strings.HasPrefix(row[2], ">") || strings.HasPrefix(row[2], "E") {
			quals = append(quals, row[0]+" "+row[1]+" "+row[2])
		}
	}
	if len(quals) == 0 {
		t.Errorf("no qualified NIR (>50, E, ...) in %v", s.Tables[0].Rows)
	}
	t.Logf("qualified NIR rows: %v", quals)
	checkHeadlines(t, wh.DB(), r)
	// The licensing's twelve months from August 2023 on the twelve before,
	// not the index of one month.
	if h := section(t, r, "gallium_germanium", 4).Headline; !strings.Contains(h, "licensing Aug 2023: exports to the world") ||
		!strings.Contains(h, "the 12 months from Aug 2023 on the 12 before") {
		t.Errorf("section 4 headline %q", h)
	}
	t.Logf("headlines: %q, %q", section(t, r, "gallium_germanium", 3).Headline, section(t, r, "gallium_germanium", 4).Headline)
}
