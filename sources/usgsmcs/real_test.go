package usgsmcs

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// salientRejections lists, per salient file, the only rejections allowed
// and why they are right: cells that are not figures, price columns with
// no price unit, repeated column names and rows that do not line up.
var salientRejections = map[string]string{
	"bauxi": `price column with the quantity unit "kt"`,       // Bauxite_Price_kt: $/t or $/kt?
	"diamo": `price column with the quantity unit "mct"`,      // a price in million carats
	"fepig": `the column repeats "CASE STATEMENT ERRORt"`,     // two unlabelled columns
	"feste": `the column repeats "Consump_mmt"`,               // same name, different figures
	"iodin": `the column repeats "Consump_t"`,                 // reported and apparent?
	"mica":  `the column repeats "USprod_Flake_t"`,            // same name, different figures
	"fluor": `does not line up with the header`,               // 15 figures for 13 names
	"felds": `does not line up with the header`,               // an extra blank cell shifts the row
	"rheni": `"Small"`,                                        // employment "Small"
	"stond": `"Variable, depending on type of product"`,       // price
	"gypsu": `residual group|unknown country|"Categorized as`, // a world table named _salient
	"kyani": `residual group|unknown country`,                 // a world table named _salient
	"cobal": `residual group|unknown country`,                 // a world table named _salient
}

// misaligned files reject every row.
var misaligned = map[string]bool{"fluor": true, "felds": true}

func matchesAny(reason, alts string) bool {
	for _, a := range strings.Split(alts, "|") {
		if strings.Contains(reason, a) {
			return true
		}
	}
	return false
}

func TestSalient2024(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(etltest.SharedFile(t, "usgs/mcs2024/salient"), "*.csv"))
	if len(files) != 85 {
		t.Fatalf("%d salient files, want 85", len(files))
	}
	var total, rejected int
	for _, f := range files {
		abbr := fileAbbr(f)
		t.Run(abbr, func(t *testing.T) {
			rows, rej := run(t, "", f)
			total += len(rows)
			rejected += len(rej)
			if misaligned[abbr] {
				if len(rows) != 0 || len(rej) != 5 {
					t.Errorf("misaligned table: %d rows and %d rejections, want 0 and 5", len(rows), len(rej))
				}
			} else if len(rows) == 0 {
				t.Errorf("no rows")
			}
			for _, r := range rej {
				t.Logf("rejected: %s", r)
				allowed, ok := salientRejections[abbr]
				if !ok || !matchesAny(r.Reason, allowed) {
					t.Errorf("unexpected rejection: %s", r)
				}
				if r.Ref != f || r.Row < 1 || r.Table != etl.MineralStatistics || r.Source != Kind {
					t.Errorf("rejection does not locate the cell: %+v", r)
				}
			}
			for _, r := range rows {
				if r.Edition != "MCS2024" || r.Ref != f || r.Row < 1 || r.Column == "" {
					t.Fatalf("bad provenance: %+v", r)
				}
				if layoutOfFile(abbr) == "salient" && (r.Country != "USA" || r.Year < 2019 || r.Year > 2023) {
					t.Fatalf("salient row: %+v", r)
				}
			}
		})
	}
	t.Logf("%d salient files: %d rows, %d rejections", len(files), total, rejected)
}

// layoutOfFile is the layout of the 2024 salient files (three hold world tables).
func layoutOfFile(abbr string) string {
	if abbr == "gypsu" || abbr == "kyani" || abbr == "cobal" {
		return "world"
	}
	return "salient"
}

func TestSalientValues(t *testing.T) {
	dir := etltest.SharedFile(t, "usgs/mcs2024/salient")
	load := func(abbr string) []etl.MineralStat {
		f, _ := filepath.Glob(filepath.Join(dir, "*-"+abbr+"_salient.csv"))
		if len(f) != 1 {
			t.Fatalf("%s: %v", abbr, f)
		}
		rows, _ := run(t, "", f[0])
		return rows
	}
	f := etl.F
	ree := load("raree")
	want(t, one(t, ree, "NIR_Compounds-Metals_t", 2021, "USA"), f(95), ">", "net_import_reliance", "compounds-metals", "pct")
	want(t, one(t, ree, "NIR_Concentrate_t", 2021, "USA"), nil, "E", "net_import_reliance", "concentrate", "pct")
	want(t, one(t, ree, "Consump_Compounds-Metals_t", 2021, "USA"), f(7900), "", "consumption", "compounds-metals", "t")
	want(t, one(t, ree, "Price_CeO2_dkg", 2021, "USA"), f(2), "", "price", "ceo2", "usd_per_kg")
	want(t, one(t, ree, "Employment_m", 2023, "USA"), f(450), "", "employment", "", "employees")
	if r := one(t, ree, "USprod_Concentrate_t", 2023, "USA"); r.Commodity != "rare_earths" || r.Edition != "MCS2024" {
		t.Errorf("commodity/edition: %+v", r)
	}
	ga := load("galli")
	want(t, one(t, ga, "NIR_pct", 2022, "USA"), f(100), "", "net_import_reliance", "", "pct")
	want(t, one(t, ga, "Consump_g", 2023, "USA"), f(19000), "", "consumption", "", "kg") // unitErrata
	want(t, one(t, ga, "Exports_g", 2023, "USA"), nil, "NA", "exports", "", "kg")
	want(t, one(t, ga, "Price_High-puritydkg", 2019, "USA"), f(573), "", "price", "high-purity", "usd_per_kg")
	bx := load("bauxi")
	want(t, one(t, bx, "Bauxite_Mine_kt", 2019, "USA"), nil, "W", "production", "bauxite-mine", "t")
	want(t, one(t, bx, "Bauxite_NIR_pct", 2019, "USA"), f(75), ">", "net_import_reliance", "bauxite", "pct")
	al := load("alum")
	want(t, one(t, al, "USprod_Primary_kt", 2019, "USA"), f(1090000), "", "production", "primary", "t")
	want(t, one(t, al, "Price_Ingot_ctslb", 2019, "USA"), f(1), "", "price", "ingot", "usd_per_lb")
	ni := load("nicke")
	prices := find(ni, "Price_dt dlb (both used)", 2019, "USA")
	if len(prices) != 2 || prices[0].Unit != "usd_per_t" || *prices[0].Value != 13903 || prices[1].Unit != "usd_per_lb" || *prices[1].Value != 6.31 {
		t.Errorf("nickel prices: %+v", prices)
	}
	want(t, one(t, ni, "Imports_Ores_t", 2022, "USA"), f(0.5), "<", "imports", "ores", "t")
	di := load("diamo")
	want(t, one(t, di, "Stones_Exports_mct", 2019, "USA"), f(500), "<", "exports", "stones", "carats")
	want(t, one(t, di, "Bort_USprod_Secondary_mct", 2019, "USA"), f(35600000), "", "production", "bort-secondary", "carats")
	want(t, one(t, load("coppe"), "USprod_Post-consumer_kt", 2022, "USA"), f(150000), "", "production", "post-consumer", "t")
	want(t, one(t, load("niobi"), "Shipments_Gov_t", 2019, "USA"), f(-84), "", "shipments", "gov", "t")
	want(t, one(t, load("tin"), "Consump_", 2019, "USA"), f(43200), "", "consumption", "", "t")
	tu := load("tungs")
	want(t, one(t, tu, "Consump_Reportedt", 2019, "USA"), nil, "W", "consumption", "reported", "t")
	want(t, one(t, tu, "NIR_ct", 2019, "USA"), f(50), ">", "net_import_reliance", "", "pct")
	// MCS: "Price, concentrate, dollars per mtu WO3": $198 per 10 kg of WO3, not per tonne
	want(t, one(t, tu, "Price_WO3dt", 2019, "USA"), f(198), "", "price", "wo3", "usd_per_mtu_wo3")
	want(t, one(t, tu, "Price_WO3dt", 2023, "USA"), f(260), "", "price", "wo3", "usd_per_mtu_wo3")
	// MCS: manganese ore, "dollars per mtu contained Mn", CIF China
	want(t, one(t, load("manga"), "Price_CN_CIF_dt", 2019, "USA"), f(5.63), "", "price", "cn-cif", "usd_per_mtu_mn")
	want(t, one(t, load("zirco"), "USprod_ZrO2_t", 2019, "USA"), f(100000), "<", "production", "zro2", "t")
	want(t, one(t, load("graph"), "USprod_t", 2019, "USA"), f(0), "", "production", "", "t")
	if r := one(t, load("graph"), "USprod_t", 2019, "USA"); r.Commodity != "graphite" {
		t.Errorf("graphite (natural) commodity %q, want graphite (etl.CommodityGroups)", r.Commodity)
	}
}

// worldTextCells are the world-table cells that are words, not figures.
const worldTextCells = `"Included in World total."|"Categorized as|"Very small"|"included with ilmenite"|a cell under a column without a name`

func TestWorld2024(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(etltest.SharedFile(t, "usgs/mcs2024/world"), "*.csv"))
	if len(files) != 77 {
		t.Fatalf("%d world files, want 77", len(files))
	}
	var rows []etl.MineralStat
	var texts int
	for _, f := range files {
		r, rej := run(t, "", f)
		if len(r) == 0 {
			t.Errorf("%s: no rows", f)
		}
		rows = append(rows, r...)
		for _, x := range rej {
			// Residual and group rows are areas, never unknown countries.
			if matchesAny(x.Reason, worldTextCells) {
				texts++
				t.Logf("text cell: %s", x)
			} else {
				t.Errorf("unexpected rejection: %s", x)
			}
		}
	}
	t.Logf("77 world files: %d rows, %d text cells", len(rows), texts)
	// abrasives: "United States and Canada" is a group, apart from the
	// United States, one row per Type and year.
	var group []string
	for _, r := range rows {
		if r.Country == groupISO3 {
			group = append(group, fmt.Sprintf("%s %d %s %v", r.Commodity, r.Year, r.Product, show(r.Value)))
		}
	}
	sort.Strings(group)
	wantGroup := []string{
		"abrasives_manufactured 2022 fused-aluminum-oxide-united-states-and-canada 60000",
		"abrasives_manufactured 2022 silicon-carbide-united-states-and-canada 0",
		"abrasives_manufactured 2023 fused-aluminum-oxide-united-states-and-canada 60000",
		"abrasives_manufactured 2023 silicon-carbide-united-states-and-canada 0",
	}
	if !slices.Equal(group, wantGroup) {
		t.Errorf("group rows:\n%s\nwant:\n%s", strings.Join(group, "\n"), strings.Join(wantGroup, "\n"))
	}
	// a row of the real rare earths table: the world total
	var ree []etl.MineralStat
	for _, r := range rows {
		if r.Commodity == "rare_earths" {
			ree = append(ree, r)
		}
	}
	f := etl.F
	want(t, one(t, ree, "Prod_t_est_2023", 2023, "WLD"), f(350000), "", "mine_production", "", "t")
	want(t, one(t, ree, "Prod_t_est_2022", 2022, "WLD"), f(300000), "", "mine_production", "", "t")
	want(t, one(t, ree, "Reserves_t", 2023, "WLD"), f(110000000), "", "reserves", "", "t")
	// gallium: a capacity column and "1,100,000"
	var ga []etl.MineralStat
	for _, r := range rows {
		if r.Commodity == "gallium" {
			ga = append(ga, r)
		}
	}
	want(t, one(t, ga, "Cap_kg_2023", 2023, "WLD"), f(1100000), "", "capacity", "", "kg")
	want(t, one(t, ga, "Prod_kg_2022", 2022, "WLD"), f(610000), "", "primary_production", "", "kg") // Type "Primary production"
	// several Types in one table become products
	var pt []etl.MineralStat
	for _, r := range rows {
		if r.Commodity == "platinum_group_metals" && r.Country == "WLD" && r.Year == 2022 {
			pt = append(pt, r)
		}
	}
	if len(pt) != 2 || pt[0].Product == pt[1].Product || pt[0].Product == "" {
		t.Errorf("platinum-group world totals: %+v", pt)
	}
}

// Both tables of a commodity must share one commodity slug.
func TestCommoditySlugsAgree(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(etltest.SharedFile(t, "usgs/mcs2024/salient"), "*.csv"))
	for _, f := range files {
		tb, err := readCSV(f)
		if err != nil {
			t.Fatal(err)
		}
		if layout(tb.header) != "salient" {
			continue
		}
		name, ok := abbrCommodity[fileAbbr(f)]
		if !ok {
			t.Errorf("%s: abbreviation %q not listed", f, fileAbbr(f))
			continue
		}
		if got, want := commoditySlug(tb.rows[0][1]), commoditySlug(name); got != want {
			t.Errorf("%s: Commodity column gives %q, abbreviation list %q", f, got, want)
		}
	}
}

func TestFolderLoadSkipsSummaryAndDeduplicates(t *testing.T) {
	dir := etltest.SharedFile(t, "usgs/mcs2024")
	rows, rej := run(t, "", dir) // salient, world and summary folders
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if strings.Contains(r.Ref, "summary") {
			t.Fatalf("summary table read: %s", r.Ref)
		}
		k := r.Edition + r.Commodity + r.Country + r.Measure + r.Product + r.Unit + string(rune(r.Year))
		if seen[k] {
			t.Fatalf("two rows with one key: %+v", r)
		}
		seen[k] = true
	}
	// gypsum and kyanite are published twice, byte for byte
	dups := 0
	for _, r := range rej {
		if strings.Contains(r.Reason, "the same statistic was already read") {
			dups++
		}
	}
	if dups == 0 {
		t.Error("the repeated gypsum/kyanite tables gave no duplicate rejections")
	}
}

// Prices under a plain quantity unit load as dollars per that unit, and
// ranges keep both bounds (MCS 2024 zeolites 50–300 $/t, zirconium).
func TestRealPricesAndRanges(t *testing.T) {
	dir := etltest.SharedFile(t, "usgs/mcs2024/salient")
	rows, rej := run(t, "", filepath.Join(dir, "mcs2024-zirco_salient.csv"), filepath.Join(dir, "mcs2024-zeoli_salient.csv"), filepath.Join(dir, "mcs2024-quartz_salient.csv"))
	if len(rej) != 0 {
		t.Errorf("rejections: %v", rej)
	}
	f := etl.F
	want(t, one(t, rows, "Price_Zircon_imported_t", 2019, "USA"), f(1490), "", "price", "zircon-imported", "usd_per_t")
	want(t, one(t, rows, "Price_Hf_unwrought_t", 2020, "USA"), f(778), "", "price", "hf-unwrought", "usd_per_kg")
	n := 0
	for _, x := range rows {
		if x.Commodity == "zeolites_natural" && x.Year == 2019 && x.Measure == "price" {
			want(t, x, nil, "range 50-300", "price", x.Product, x.Unit)
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d zeolite prices for 2019, want 1", n)
	}
	want(t, one(t, rows, "HPQ_Price_dt", 2023, "USA"), nil, "range 500-20000", "price", "hpq", "usd_per_t")
}
